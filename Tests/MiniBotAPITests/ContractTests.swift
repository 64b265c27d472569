import Foundation
import Hummingbird
import HummingbirdTesting
import MiniBotStore
import MiniBotTestSupport
import Testing
@testable import MiniBotAPI

/// The OpenAPI document against the router: the same routes, and answers
/// that carry what the document says they must.
@Suite("OpenAPI contract")
struct ContractTests {
    typealias JSON = [String: Any]

    static func document(_ api: APIHarness) async throws -> JSON {
        try #require(try JSONSerialization.jsonObject(with: Data(try await api.send(.get, "/openapi.json", key: nil).body.readableBytesView)) as? JSON)
    }

    @Test("every documented path and method is routed, and every route is documented")
    func sameRoutes() async throws {
        try await withAPI(.sqlite) { api in
            let document = try await Self.document(api)
            let paths = try #require(document["paths"] as? [String: JSON])
            var documented: Set<String> = []
            for (path, item) in paths {
                for method in item.keys { documented.insert("\(method.uppercased()) \(path)") }
            }
            let routed = Set(api.routes.map(\.description))
            #expect(routed.count == api.routes.count, "a route is registered twice")
            #expect(documented.subtracting(routed).isEmpty, "documented, not routed: \(documented.subtracting(routed).sorted())")
            #expect(routed.subtracting(documented).isEmpty, "routed, not documented: \(routed.subtracting(documented).sorted())")
        }
    }

    @Test("sample answers carry the documented required fields with the documented types", arguments: Backend.available)
    func sampleResponses(_ backend: Backend) async throws {
        try await withAPI(backend) { api in
            try await seedCalls(api.store)
            _ = try await api.store.enqueue(campaignID: "c1", selection: ContactSelection(), at: testDate)
            _ = try await api.store.addOptOuts([.number("+33699999999", source: "test", at: testDate)])
            let document = try await Self.document(api)
            let samples: [(HTTPRequest.Method, String, String, String?, String)] = [
                (.get, "/health", "/health", nil, "200"),
                (.get, "/calls", "/calls", nil, "200"),
                (.get, "/calls?page_size=1", "/calls", nil, "200"),
                (.get, "/calls?page_size=1&cursor=djEuMS5h", "/calls", nil, "200"),
                (.get, "/calls?cursor=nope", "/calls", nil, "422"),
                (.get, "/calls/b", "/calls/{call_id}", nil, "200"),
                (.get, "/calls/nope", "/calls/{call_id}", nil, "404"),
                (.get, "/calls?status=nope", "/calls", nil, "422"),
                (.post, "/calls/launch", "/calls/launch", #"{"phone":"0633333333","campaign_id":"c1"}"#, "202"),
                (.get, "/campaigns", "/campaigns", nil, "200"),
                (.get, "/campaigns/c1", "/campaigns/{campaign_id}", nil, "200"),
                (.post, "/campaigns/create", "/campaigns/create", #"{"name":"x"}"#, "201"),
                (.patch, "/campaigns/c2/status", "/campaigns/{campaign_id}/status", #"{"status":"paused"}"#, "200"),
                (.get, "/stats/summary", "/stats/summary", nil, "200"),
                (.get, "/contacts", "/contacts", nil, "200"),
                (.get, "/contacts/0611111111", "/contacts/{phone}", nil, "200"),
                (.get, "/optouts", "/optouts", nil, "200"),
                (.post, "/optouts", "/optouts", #"{"phone":"0612345678"}"#, "201"),
                (.get, "/scenarios", "/scenarios", nil, "200"),
                (.get, "/scenarios/universal/check", "/scenarios/{name}/check", nil, "200"),
                (.delete, "/contacts/0622222222", "/contacts/{phone}", nil, "200"),
            ]
            for (method, uri, path, body, status) in samples {
                let response = try await api.send(method, uri, key: api.admin, json: body)
                #expect("\(response.status.code)" == status, "\(method) \(uri): \(response.status) \(response.text)")
                let operation = (document["paths"] as? [String: JSON])?[path]?[method.rawValue.lowercased()] as? JSON
                let answer = (operation?["responses"] as? JSON)?[status] as? JSON
                let content = try #require(answer?["content"] as? [String: JSON], "\(method) \(path) \(status) is not documented")
                let (type, media) = try #require(content.first)
                #expect(response.headers[.contentType]?.hasPrefix(type) == true, "\(method) \(uri): \(response.headers[.contentType] ?? "")")
                let value = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView), options: [.fragmentsAllowed])
                let problems = Self.validate(value, media["schema"] as? JSON ?? [:], document: document, at: "\(method) \(uri)")
                #expect(problems.isEmpty, "\(problems)")
            }
        }
    }

    /// Checks `required`, `type` (nullable included), `items`, `properties`, `allOf` and `$ref`.
    static func validate(_ value: Any, _ schema: JSON, document: JSON, at path: String) -> [String] {
        if let ref = schema["$ref"] as? String {
            let name = String(ref.split(separator: "/").last ?? "")
            let resolved = ((document["components"] as? JSON)?["schemas"] as? JSON)?[name] as? JSON ?? [:]
            return validate(value, resolved, document: document, at: path)
        }
        if let all = schema["allOf"] as? [JSON] {
            return all.flatMap { validate(value, $0, document: document, at: path) }
        }
        var problems: [String] = []
        let types: [String] = (schema["type"] as? [String]) ?? (schema["type"] as? String).map { [$0] } ?? []
        if !types.isEmpty && !types.contains(where: { matches(value, $0) }) {
            return ["\(path): \(value) is not \(types)"]
        }
        if let object = value as? JSON {
            for key in schema["required"] as? [String] ?? [] where object[key] == nil {
                problems.append("\(path): missing \(key)")
            }
            for (key, sub) in schema["properties"] as? [String: JSON] ?? [:] {
                if let field = object[key] { problems += validate(field, sub, document: document, at: "\(path).\(key)") }
            }
        }
        if let array = value as? [Any], let items = schema["items"] as? JSON {
            for (n, item) in array.enumerated() { problems += validate(item, items, document: document, at: "\(path)[\(n)]") }
        }
        if let allowed = schema["enum"] as? [String], let text = value as? String, !allowed.contains(text) {
            problems.append("\(path): \(text) is not one of \(allowed)")
        }
        return problems
    }

    static func isBool(_ value: Any) -> Bool {
        if type(of: value) == Bool.self { return true }
        if let number = value as? NSNumber { return String(cString: number.objCType) == "c" }
        return false
    }

    static func matches(_ value: Any, _ type: String) -> Bool {
        switch type {
        case "null": return value is NSNull
        case "object": return value is JSON
        case "array": return value is [Any]
        case "string": return value is String
        case "boolean": return isBool(value)
        case "integer": return !isBool(value) && (value as? NSNumber).map { $0.doubleValue.rounded() == $0.doubleValue } ?? false
        case "number": return !isBool(value) && value is NSNumber
        default: return true
        }
    }
}

import Foundation
import Hummingbird
import HummingbirdTesting
import MiniBotCore
@testable import MiniBotStore
import MiniBotTestSupport
import Testing
@testable import MiniBotAPI

@Suite("Contacts, opt-outs, scenarios and docs routes")
struct OtherRoutesTests {
    @Test("contacts: CSV upload with its report, list, show, export", arguments: Backend.available)
    func contacts(_ backend: Backend) async throws {
        try await withAPI(backend) { api in
            let csv = "téléphone;prénom;nom\n06 11 11 11 11;Léa;Martin\n0622222222;Paul;Durand\nnot a phone;X;Y\n"
            let imported = try await api.send(.post, "/contacts/import", key: api.admin, body: csv, headers: [.contentType: "text/csv"])
            #expect(imported.status == .ok && imported.object["imported"] as? Int == 2 && imported.object["rejected"] as? Int == 1)
            #expect((imported.object["rejected_rows"] as? String)?.contains("not a phone") == true)
            #expect(!imported.text.contains("/tmp") && !imported.text.contains("rejects_file"))
            let list = try await api.get("/contacts?page_size=1", key: api.read)
            #expect(list.items.map { $0["phone"] as? String } == ["+33611111111"])
            #expect(list.object["page"] as? Int == 1)
            let token = try #require(list.object["next_cursor"] as? String)
            let next = try await api.get("/contacts?page_size=1&cursor=\(token)")
            #expect(next.items.map { $0["phone"] as? String } == ["+33622222222"])
            #expect(next.object["next_cursor"] == nil && next.object["page"] == nil, "the last page, reached by cursor")
            #expect(try await api.get("/contacts?cursor=bm9wZQ").object["field"] as? String == "cursor")
            #expect(try await api.get("/contacts?page=2&cursor=\(token)").object["field"] as? String == "page")
            #expect(try await api.get("/contacts?search=durand").items.count == 1)
            let one = try await api.get("/contacts/06%2011%2011%2011%2011")
            #expect(one.status == .ok && one.object["first_name"] as? String == "Léa")
            #expect(try await api.get("/contacts/0633333333").status == .notFound)
            #expect(try await api.get("/contacts/12").status == .unprocessableContent)
            let export = try await api.get("/contacts/export")
            #expect(export.status == .ok && export.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(export.text.contains("Léa") && export.text.split(whereSeparator: \.isNewline).count == 3, "\(export.text)")
            let empty = try await api.send(.post, "/contacts/import", key: api.admin, body: "")
            #expect(empty.status == .unprocessableContent && empty.object["field"] as? String == "body")
        }
    }

    @Test("opt-out list: add, list, remove", arguments: Backend.available)
    func optOuts(_ backend: Backend) async throws {
        try await withAPI(backend) { api in
            let added = try await api.send(.post, "/optouts", key: api.admin, json: #"{"phone":"06 12 34 56 78","source":"panel"}"#)
            #expect(added.status == .created && added.object["key"] as? String == "+33612345678")
            #expect(try await api.send(.post, "/optouts", key: api.admin, json: #"{"phone":"0612345678"}"#).object["added"] as? Bool == false)
            #expect(try await api.store.isOptedOut(phone: "+33612345678"))
            // Checked as the dialer checks: the number in any form, its hash, a contact's own flag.
            let listed = try await api.get("/optouts/06%2012%2034%2056%2078", key: api.read)
            #expect(listed.status == .ok && listed.object["phone"] as? String == "+33612345678" && listed.object["opted_out"] as? Bool == true)
            #expect(try await api.get("/optouts/0699999999").object["opted_out"] as? Bool == false)
            _ = try await api.store.addOptOuts([OptOutEntry(key: OptOutEntry.sha256(of: "+33699999998"), hashed: true, source: "bloctel",
                                                            addedAt: Date())])
            #expect(try await api.get("/optouts/%2B33699999998").object["opted_out"] as? Bool == true)
            #expect(try await api.get("/optouts/\(OptOutEntry.sha256(of: "+33699999998"))").object["field"] as? String == "key")
            #expect(try await api.get("/optouts/nope").status == .unprocessableContent)
            #expect(try await api.send(.delete, "/optouts/\(OptOutEntry.sha256(of: "+33699999998"))", key: api.admin).status == .noContent)
            let list = try await api.get("/optouts", key: api.read)
            #expect(list.items.map { $0["key"] as? String } == ["+33612345678"] && list.items.first?["source"] as? String == "panel")
            #expect(try await api.send(.delete, "/optouts/%2B33612345678", key: api.admin).status == .noContent)
            #expect(try await api.send(.delete, "/optouts/0612345678", key: api.admin).status == .notFound)
            let bad = try await api.send(.post, "/optouts", key: api.admin, json: #"{"phone":"nope"}"#)
            #expect(bad.status == .unprocessableContent && bad.object["field"] as? String == "phone")

            // By cursor, pages of 2 through 7 entries, five added at the same instant: the order of one listing.
            let entries = (0..<7).map { n in
                OptOutEntry.number("+3361234500\(n)", source: "bloctel", at: testDate.addingTimeInterval(n < 5 ? 0 : Double(n) + 0.000_4))
            }
            #expect(try await api.store.addOptOuts(entries.shuffled()) == 7)
            let whole = try await api.get("/optouts?page_size=10").items.map { $0["key"] as? String }
            #expect(whole.count == 7 && whole.prefix(2) == ["+33612345006", "+33612345005"])
            var walked: [String?] = []
            var cursor: String?
            repeat {
                let page = try await api.get("/optouts?page_size=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
                #expect(page.status == .ok && page.items.count <= 2)
                walked += page.items.map { $0["key"] as? String }
                cursor = page.object["next_cursor"] as? String
            } while cursor != nil && walked.count < 20
            #expect(walked == whole)
            #expect(try await api.get("/optouts?cursor=\(ContactCursor(phone: "+33612345678").token)").object["field"] as? String == "cursor",
                    "a contacts cursor is not an opt-outs cursor")
        }
    }

    @Test("scenarios: the built-in one and DATA_DIR/scenarios files, checked by name only")
    func scenarios() async throws {
        try await withAPI(.sqlite) { api in
            try FileManager.default.createDirectory(atPath: "\(api.dataDir)/scenarios", withIntermediateDirectories: true)
            try Data("name: broken\n".utf8).write(to: URL(fileURLWithPath: "\(api.dataDir)/scenarios/broken.yaml"))
            let list = try await api.get("/scenarios", key: api.read)
            #expect(list.items.map { $0["name"] as? String } == ["universal", "broken"])
            let broken = try await api.get("/scenarios/broken/check")
            #expect(broken.status == .ok && broken.object["valid"] as? Bool == false && !broken.text.contains(api.dataDir))
            let universal = try await api.get("/scenarios/universal/check")
            #expect(universal.status == .ok && universal.object["name"] as? String == "universal")
            #expect(try await api.get("/scenarios/..%2F..%2Fetc%2Fpasswd/check").status == .notFound)
            #expect(try await api.get("/scenarios/missing/check").status == .notFound)
        }
    }

    @Test("unknown routes: 404 problem+json with a key, 401 without")
    func unknownRoutes() async throws {
        try await withAPI(.sqlite) { api in
            let response = try await api.get("/nowhere")
            #expect(response.status == .notFound && response.isProblem && response.object["status"] as? Int == 404)
            #expect(try await api.send(.get, "/nowhere", key: nil).status == .unauthorized)
        }
    }

    @Test("a path served with other methods: 405 problem+json with Allow")
    func wrongMethods() async throws {
        try await withAPI(.sqlite) { api in
            for (method, path, allowed) in [(HTTPRequest.Method.delete, "/calls", "GET"), (.put, "/calls/transcripts/c-1.json", "GET"),
                                            (.post, "/campaigns/c-1/status", "PATCH"), (.get, "/calls/launch", "POST"),
                                            (.delete, "/calls/c-1", "GET"),
                                            (.patch, "/optouts", "GET, POST")] {
                let response = try await api.send(method, path, key: api.admin)
                #expect(response.status == .methodNotAllowed && response.isProblem, "\(method) \(path)")
                #expect(response.headers[.allow] == allowed, "\(method) \(path)")
            }
            // A template's text around its parameter counts: /calls/transcripts/x.wav is no route at all.
            #expect(try await api.send(.get, "/calls/transcripts/c-1.wav", key: api.admin).status == .notFound)
            #expect(try await api.send(.delete, "/calls/a/b/c", key: api.admin).status == .notFound)
        }
    }

    @Test("docs: the OpenAPI document, Swagger UI and ReDoc from the service's own files")
    func docs() async throws {
        let folder = temporaryFolder("minibot-docs")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for name in ["swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"] {
            try "/* \(name) */".write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        }
        try await withAPI(.sqlite, configure: { $0.docsAssets = folder }) { api in
            let document = try await api.send(.get, "/openapi.json", key: nil)
            #expect(document.object["openapi"] as? String == "3.1.0")
            for (page, script) in [("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")] {
                let response = try await api.send(.get, page, key: nil)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true && response.text.contains("/openapi.json"))
                #expect(response.text.contains("/docs/assets/\(script)") && !response.text.contains("https://"))
                let asset = try await api.send(.get, "/docs/assets/\(script)", key: nil)
                #expect(asset.status == .ok && asset.headers[.contentType]?.hasPrefix("text/javascript") == true && asset.text == "/* \(script) */")
            }
            #expect(try await api.send(.get, "/docs/assets/swagger-ui.css", key: nil).headers[.contentType]?.hasPrefix("text/css") == true)
            // Only the three files, nothing else from the folder or beside it.
            for name in ["VERSION", "..%2F..%2Fetc%2Fpasswd", "swagger-ui-bundle.js.map"] {
                #expect(try await api.send(.get, "/docs/assets/\(name)", key: nil).status == .notFound, "\(name)")
            }
        }
        // Without the files: plain lists of the operations, still no CDN.
        try await withAPI(.sqlite, configure: { $0.docsAssets = nil }) { api in
            for page in ["/docs", "/redoc"] {
                let response = try await api.send(.get, page, key: nil)
                #expect(response.text.contains("/openapi.json") && !response.text.contains("/docs/assets/") && !response.text.contains("https://"))
            }
            #expect(try await api.send(.get, "/docs/assets/swagger-ui.css", key: nil).status == .notFound)
        }
    }
}

@Suite("Server errors")
struct ServerErrorTests {
    @Test("a failing store is a 500 problem that tells nothing of the server")
    func internalError() async throws {
        try await withAPI(.sqlite) { api in
            guard case .sqlite(let path) = try DatabaseURL(api.url) else { return }
            try SQLiteConnection(path: path).execute("DROP TABLE call_interactions; DROP TABLE calls")
            let response = try await api.get("/calls")
            #expect(response.status == .internalServerError && response.isProblem)
            #expect(!response.text.contains("calls") && !response.text.contains("SQL") && !response.text.contains(path))
        }
    }
}

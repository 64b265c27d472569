import Foundation
import Hummingbird
import HummingbirdTesting
import MiniBotAPI
import MiniBotCore
import MiniBotStore
import MiniBotTestSupport
import NIOCore

/// An API over a fresh store of one backend, with a data directory of its
/// own and two keys, one per scope.
struct APIHarness: Sendable {
    let store: any Store
    /// The database's URL.
    let url: String
    let dataDir: String
    let admin: String
    let read: String
    let routes: [RouteDescription]
    let client: any TestClientProtocol

    /// Sends a request; `key` nil sends no Authorization header.
    func send(_ method: HTTPRequest.Method, _ uri: String, key: String?, json: String? = nil, body: String? = nil,
              headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        if let key { headers[.authorization] = "Bearer \(key)" }
        var buffer: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            buffer = ByteBuffer(string: json)
        } else if let body {
            buffer = ByteBuffer(string: body)
        }
        return try await client.execute(uri: uri, method: method, headers: headers, body: buffer)
    }

    func get(_ uri: String, key: String? = nil) async throws -> TestResponse {
        try await send(.get, uri, key: key ?? admin)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The body as a JSON object (an empty one when it is not).
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }

    var items: [[String: Any]] { object["items"] as? [[String: Any]] ?? [] }
    var isProblem: Bool { headers[.contentType] == "application/problem+json" }
}

/// Runs `body` against the API over a fresh store of `backend`; `.live`
/// goes through a real server and its HTTP parser.
func withAPI(_ backend: Backend, checkPrompts: Bool = false, mode: TestingSetup = .router,
             configure: (inout APIEnvironment) -> Void = { _ in },
             _ body: @escaping @Sendable (APIHarness) async throws -> Void) async throws {
    try await withFreshStore(backend) { store, url in
        let dataDir = temporaryFolder("minibot-api")
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let (adminKey, admin) = APIKeySecret.generate(name: "admin", scope: .admin)
        let (readKey, read) = APIKeySecret.generate(name: "reader", scope: .read)
        try await store.createAPIKey(adminKey)
        try await store.createAPIKey(readKey)
        var environment = APIEnvironment(store: store, config: MiniBotConfig(dataDir: dataDir), checkPrompts: checkPrompts,
                                         logger: testLogger) { .idle }
        // Each test reads what it just wrote; RecentAnswersTests and AuthTests cover the kept answers and keys.
        environment.summaryMaxAge = .zero
        environment.apiKeys = APIKeyCache(maxAge: .zero)
        configure(&environment)
        let api = APIRouter(environment: environment)
        let routes = api.routes
        let app = Application(router: api.router)
        try await app.test(mode) { client in
            try await body(APIHarness(store: store, url: url, dataDir: dataDir, admin: admin, read: read, routes: routes, client: client))
        }
    }
}

/// Two contacts, campaign `c1` (active) with calls a, b (lead, answered) and campaign `c2` with call c.
func seedCalls(_ store: any Store) async throws {
    try await store.importContacts { sink in
        try await sink.upsert([try upsert("+33611111111", first: "Léa"), try upsert("+33622222222")], at: testDate)
    }
    for id in ["c1", "c2"] {
        try await store.createCampaign(Campaign(id: id, name: "campaign \(id)", scenario: "universal", createdAt: testDate, updatedAt: testDate))
    }
    try await store.saveCall(Call(callID: "a", phone: "+33611111111", campaignID: "c1", status: .noAnswer, startedAt: testDate))
    try await store.saveCall(Call(callID: "b", phone: "+33622222222", campaignID: "c1", status: .completed, isLead: true, duration: 42,
                                  startedAt: testDate.addingTimeInterval(60), answeredAt: testDate.addingTimeInterval(65), outcome: .leads))
    try await store.saveCall(Call(callID: "c", phone: "+33611111111", campaignID: "c2", status: .busy,
                                  startedAt: testDate.addingTimeInterval(86_400)))
    try await store.addInteraction(CallInteraction(callID: "b", sequence: 0, step: "hello", prompt: "hello.wav", transcription: "oui bonjour",
                                                   intent: "positive", confidence: 0.9, startedAt: testDate.addingTimeInterval(65),
                                                   endedAt: testDate.addingTimeInterval(70)))
}

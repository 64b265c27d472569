import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MiniBotAPI
import MiniBotCore
import MiniBotStore
import MiniBotTestSupport
import MiniBotWeb
import NIOCore
import Synchronization

/// The panel and the API on one router over a fresh store, with a user
/// `marie` (password `motdepasse-solide`) and a browser-like cookie jar.
final class PanelHarness: Sendable {
    let store: any Store
    let dataDir: String
    let client: any TestClientProtocol
    private let jar = Mutex<[String: String]>([:])

    static let user = "marie"
    static let password = "motdepasse-solide"

    init(store: any Store, dataDir: String, client: any TestClientProtocol) {
        self.store = store
        self.dataDir = dataDir
        self.client = client
    }

    var cookies: [String: String] { jar.withLock { $0 } }

    func forgetCookies() { jar.withLock { $0 = [:] } }

    /// Sends a request with the jar's cookies and keeps the ones the answer sets.
    @discardableResult
    func send(_ method: HTTPRequest.Method, _ uri: String, body: String? = nil, data: Data? = nil, contentType: String? = nil,
              headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        let cookie = cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ")
        if !cookie.isEmpty { headers[.cookie] = [headers[.cookie], cookie].compactMap { $0 }.joined(separator: "; ") }
        if let contentType { headers[.contentType] = contentType }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: data.map { ByteBuffer(bytes: $0) } ?? body.map { ByteBuffer(string: $0) })
        for line in response.headers[values: .setCookie] {
            let pair = line.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0]), value = pair.count > 1 ? String(pair[1]) : ""
            jar.withLock { if line.contains("Max-Age=0") { $0[name] = nil } else { $0[name] = value } }
        }
        return response
    }

    func get(_ uri: String) async throws -> TestResponse { try await send(.get, uri) }

    /// Posts a form; `csrf` nil sends the session's token taken from `page`.
    func post(_ uri: String, _ fields: [(String, String)]) async throws -> TestResponse {
        let body = fields.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
        return try await send(.post, uri, body: body, contentType: "application/x-www-form-urlencoded")
    }

    func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }

    /// The CSRF token a page's forms carry.
    func csrf(from page: TestResponse) -> String {
        let html = String(buffer: page.body)
        guard let range = html.range(of: #"name="csrf" value=""#) else { return "" }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    func login(_ name: String = user, _ password: String = PanelHarness.password) async throws -> TestResponse {
        let form = try await get("/panel/login")
        return try await post("/panel/login", [("csrf", csrf(from: form)), ("name", name), ("password", password), ("next", "/panel")])
    }

    /// A logged-in session's CSRF token.
    func sessionCSRF() async throws -> String {
        csrf(from: try await get("/panel/settings"))
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
}

/// A clock that moves only when told to, for sessions and the login throttle.
final class ManualClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date()) { current = Mutex(start) }

    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// Runs `body` against the panel (and the API) over a fresh store of `backend`.
func withPanel(_ backend: Backend = .sqlite, mode: TestingSetup = .router, configuration: PanelConfiguration = PanelConfiguration(passwordRounds: 1000),
               throttle: LoginThrottle = LoginThrottle(), clock: ManualClock? = nil,
               _ body: @escaping @Sendable (PanelHarness) async throws -> Void) async throws {
    try await withFreshStore(backend) { store, _ in
        let dataDir = temporaryFolder("minibot-panel")
        defer { try? FileManager.default.removeItem(atPath: dataDir) }
        let now = Date()
        try await store.createUser(PanelUser(name: PanelHarness.user, passwordHash: try PasswordHasher.hash(PanelHarness.password, rounds: 1000),
                                             createdAt: now, updatedAt: now))
        let environment = APIEnvironment(store: store, config: MiniBotConfig(dataDir: dataDir), checkPrompts: false, logger: testLogger) { .idle }
        let router = APIRouter(environment: environment).router
        try WebPanel(environment: environment, configuration: configuration, throttle: throttle, now: { clock?.now ?? Date() }).register(on: router)
        let app = Application(router: router)
        try await app.test(mode) { client in
            try await body(PanelHarness(store: store, dataDir: dataDir, client: client))
        }
    }
}

/// Two contacts, campaign `c1` with calls a (no answer) and b (a lead, with a turn and an assembled WAV).
func seedPanel(_ store: any Store, dataDir: String, at date: Date = Date()) async throws {
    try await store.importContacts { sink in
        try await sink.upsert([try upsert("+33611111111", first: "Léa"), try upsert("+33622222222", first: "Paul", company: "ACME")], at: date)
    }
    try await store.createCampaign(Campaign(id: "c1", name: "Relance printemps", scenario: "universal", createdAt: date, updatedAt: date))
    try await store.saveCall(Call(callID: "a", phone: "+33611111111", campaignID: "c1", status: .noAnswer, startedAt: date))
    try await store.saveCall(Call(callID: "b", phone: "+33622222222", campaignID: "c1", status: .completed, isLead: true, duration: 42,
                                  recordingPath: "assembled/b.wav", startedAt: date.addingTimeInterval(1), answeredAt: date.addingTimeInterval(5),
                                  outcome: .leads))
    try await store.addInteraction(CallInteraction(callID: "b", sequence: 0, step: "hello", prompt: "hello.wav", transcription: "oui bonjour",
                                                   intent: "positive", confidence: 0.91, startedAt: date.addingTimeInterval(5),
                                                   endedAt: date.addingTimeInterval(9)))
    let folder = dataDir + "/assembled"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try Data((0..<1000).map { UInt8($0 % 256) }).write(to: URL(fileURLWithPath: folder + "/b.wav"))
}

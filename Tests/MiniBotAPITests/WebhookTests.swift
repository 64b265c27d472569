import Foundation
import Hummingbird
import Logging
import MiniBotAPI
import MiniBotCore
import MiniBotStore
import MiniBotTestSupport
import NIOCore
import ServiceLifecycle
import Synchronization
import Testing

/// The retry schedule and the signature, as values.
@Suite struct WebhookPolicyTests {
    @Test func waitsDoubleUpToTheLongest() {
        let policy = WebhookPolicy(firstRetry: .seconds(5), longestRetry: .seconds(60))
        #expect((1...6).map { policy.delay(afterFailures: $0) } == [.seconds(5), .seconds(10), .seconds(20), .seconds(40), .seconds(60), .seconds(60)])
        #expect(policy.delay(afterFailures: 500) == .seconds(60))
    }

    @Test func failuresRetryThenGiveUp() {
        let policy = WebhookPolicy(firstRetry: .seconds(5))
        let now = Date(timeIntervalSince1970: 1_000)
        var cursor = WebhookCursor(endpoint: "http://x/", lastEventID: 7)
        var abandoned: WebhookFailure?
        (cursor, abandoned) = policy.failed(cursor, eventID: 8, error: "HTTP 500", maxAttempts: 2, now: now)
        #expect(abandoned == nil && cursor.lastEventID == 7 && cursor.attempts == 1 && cursor.nextAttemptAt == now.addingTimeInterval(5))
        (cursor, abandoned) = policy.failed(cursor, eventID: 8, error: "HTTP 502", maxAttempts: 2, now: now)
        #expect(abandoned == WebhookFailure(endpoint: "http://x/", eventID: 8, attempts: 2, error: "HTTP 502", failedAt: now))
        #expect(cursor.lastEventID == 8 && cursor.attempts == 0 && cursor.nextAttemptAt == nil && cursor.abandoned == 1)
        cursor = policy.passed(cursor, eventID: 9, delivered: true)
        #expect(cursor.lastEventID == 9 && cursor.delivered == 1 && cursor.lastError == nil)
    }

    @Test func signaturesVerifyAndRefuseTamperingAndReplays() {
        let body = Data(#"{"id":"1"}"#.utf8)
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let header = WebhookSignature.value(body: body, secret: "s3cret", timestamp: 1_700_000_000)
        #expect(header.hasPrefix("t=1700000000,v1=") && header.count == "t=1700000000,v1=".count + 64)
        #expect(WebhookSignature.verify(header: header, body: body, secret: "s3cret", now: now))
        #expect(!WebhookSignature.verify(header: header, body: Data(#"{"id":"2"}"#.utf8), secret: "s3cret", now: now))
        #expect(!WebhookSignature.verify(header: header, body: body, secret: "other", now: now))
        #expect(!WebhookSignature.verify(header: header, body: body, secret: "s3cret", now: now.addingTimeInterval(301)))
        #expect(!WebhookSignature.verify(header: "v1=abc", body: body, secret: "s3cret", now: now))
    }
}

/// A real HTTP endpoint on loopback that answers from a script and keeps what it got.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        var event: String?
        var delivery: String?
        var signature: String?
        var body: Data
    }

    private let state: Mutex<(script: [Int], received: [Received])>
    let port = Mutex(0)

    /// Status codes for the first requests, then 200.
    init(script: [Int]) { state = Mutex((script, [])) }

    var received: [Received] { state.withLock { $0.received } }

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            func header(_ name: String) -> String? {
                request.headers.first { $0.name.canonicalName == name.lowercased() }?.value
            }
            let got = Received(event: header("X-MiniBot-Event"), delivery: header("X-MiniBot-Delivery"),
                               signature: header(WebhookSignature.header), body: Data(buffer: body))
            let status = self.state.withLock { state -> Int in
                state.received.append(got)
                return state.script.isEmpty ? 200 : state.script.removeFirst()
            }
            return Response(status: .init(code: status))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                           onServerRunning: { channel in self.port.withLock { $0 = channel.localAddress?.port ?? 0 } },
                           logger: Logger(label: "receiver", factory: { _ in SwiftLogNoOpLogHandler() }))
    }
}

@Suite(.serialized) struct WebhookDeliveryTests {
    static let policy = WebhookPolicy(firstRetry: .milliseconds(100), longestRetry: .milliseconds(400))

    /// Contacts +3361111111n, campaign c1 with their rows queued, as the dialer leaves them.
    func seed(_ store: any Store, count: Int) async throws -> [String] {
        let phones = (0..<count).map { "+3361111111\($0)" }
        try await store.importContacts { sink in
            for phone in phones { try await sink.upsert([try upsert(phone, first: "Léa")], at: testDate) }
        }
        try await store.createCampaign(Campaign(id: "c1", name: "c1", scenario: "universal", createdAt: testDate, updatedAt: testDate))
        _ = try await store.enqueue(campaignID: "c1", selection: ContactSelection(), at: testDate)
        return phones
    }

    /// Dials and completes `phone` as call `id`, with one answered turn.
    func complete(_ store: any Store, _ phone: String, id: String, lead: Bool) async throws {
        _ = try await store.claimQueueEntries(campaignID: "c1", worker: "w1", limit: 1, now: testDate, lease: 600)
        let call = Call(callID: id, phone: phone, campaignID: "c1", startedAt: testDate)
        #expect(try await store.beginCall(call, worker: "w1", now: testDate, lease: 600))
        try await store.addInteraction(CallInteraction(callID: id, sequence: 0, step: "hello", prompt: "Bonjour", transcription: "oui",
                                                       intent: "positive", confidence: 0.9, startedAt: testDate, endedAt: testDate))
        var done = call
        done.status = .completed
        done.isLead = lead
        done.outcome = lead ? .leads : .notInterested
        try await store.completeCall(CallCompletion(call: done, counters: .init(total: 1)), worker: "w1", at: testDate)
    }

    /// Runs `services` until `body` returns, then shuts them down gracefully.
    func running(_ services: [any Service], _ body: () async throws -> Void) async throws {
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, logger: testLogger))
        let task = Task { try await group.run() }
        do {
            try await body()
        } catch {
            await group.triggerGracefulShutdown()
            _ = await task.result
            throw error
        }
        await group.triggerGracefulShutdown()
        try await task.value
    }

    func until(_ what: String, timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw TestFailure(what) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    struct TestFailure: Error, CustomStringConvertible {
        var description: String
        init(_ what: String) { description = "timed out waiting for \(what)" }
    }

    @Test(arguments: Backend.available)
    func deliversInOrderSignedRetriesAndSurvivesARestart(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            let phones = try await seed(store, count: 2)
            let receiver = WebhookReceiver(script: [500, 503])
            let app = receiver.application()
            try await running([app]) {
                try await until("the receiver") { receiver.port.withLock { $0 } != 0 }
                let url = "http://127.0.0.1:\(receiver.port.withLock { $0 })/hook"
                let hook = MiniBotConfig.Webhook(url: url, secret: "s3cret", maxAttempts: 5)
                // The endpoint is first seen now: it hears of calls from here on.
                _ = try await store.claimWebhookCursor(endpoint: url, owner: "setup", now: Date(), lease: 0)
                try await complete(store, phones[0], id: "a", lead: true)

                let first = WebhookService(store: store, endpoints: [hook], owner: "first", logger: testLogger, policy: Self.policy,
                                           poll: .milliseconds(20))
                try await running([first]) {
                    // Two refusals, then call.ended for a goes through.
                    try await until("three attempts") { receiver.received.count >= 3 }
                }
                // A restart: another process goes on where the first stopped.
                try await complete(store, phones[1], id: "b", lead: false)
                let second = WebhookService(store: store, endpoints: [hook], owner: "second", logger: testLogger, policy: Self.policy,
                                            poll: .milliseconds(20))
                try await running([second]) {
                    try await until("every event") { receiver.received.count >= 5 }
                    try await Task.sleep(for: .milliseconds(300))
                }
            }
            let got = receiver.received
            let events = try await store.events(after: 0, limit: 10)
            #expect(events.map(\.kind) == [.callEnded, .lead, .callEnded])
            #expect(got.map(\.event) == ["call.ended", "call.ended", "call.ended", "lead", "call.ended"])
            #expect(got.map(\.delivery) == [0, 0, 0, 1, 2].map { String(events[$0].id) })
            for request in got {
                #expect(WebhookSignature.verify(header: request.signature ?? "", body: request.body, secret: "s3cret", now: Date()))
            }
            let lead = try #require(try JSONSerialization.jsonObject(with: got[3].body) as? [String: Any])
            #expect(lead["type"] as? String == "lead" && lead["id"] as? String == String(events[1].id))
            let data = try #require(lead["data"] as? [String: Any])
            #expect((data["call"] as? [String: Any])?["call_id"] as? String == "a")
            #expect((data["contact"] as? [String: Any])?["first_name"] as? String == "Léa")
            #expect((data["interactions"] as? [[String: Any]])?.first?["transcription"] as? String == "oui")
            let cursor = try #require(try await store.webhookCursors().first)
            #expect(cursor.lastEventID == events[2].id && cursor.delivered == 3 && cursor.abandoned == 0 && cursor.attempts == 0)
        }
    }

    @Test(arguments: Backend.available)
    func anEndpointThatKeepsFailingHasItsEventsGivenUpAndListed(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            let phones = try await seed(store, count: 1)
            let receiver = WebhookReceiver(script: Array(repeating: 500, count: 100))
            let app = receiver.application()
            try await running([app]) {
                try await until("the receiver") { receiver.port.withLock { $0 } != 0 }
                let url = "http://127.0.0.1:\(receiver.port.withLock { $0 })/hook"
                // Only leads; two attempts each. A second endpoint nobody listens on fails to connect.
                let hook = MiniBotConfig.Webhook(url: url, events: [.lead], maxAttempts: 2)
                let dead = MiniBotConfig.Webhook(url: "http://127.0.0.1:9/none", timeout: 2, maxAttempts: 1)
                for endpoint in [hook, dead] {
                    _ = try await store.claimWebhookCursor(endpoint: endpoint.url, owner: "setup", now: Date(), lease: 0)
                }
                try await complete(store, phones[0], id: "a", lead: true)
                let service = WebhookService(store: store, endpoints: [hook, dead], owner: "one", logger: testLogger, policy: Self.policy,
                                             poll: .milliseconds(20))
                try await running([service]) {
                    try await until("both given up") { try await store.webhookFailures(limit: 10).count == 3 }
                }
            }
            #expect(receiver.received.map(\.event) == ["lead", "lead"])
            let failures = try await store.webhookFailures(limit: 10)
            #expect(failures.filter { $0.endpoint.hasSuffix("/hook") }.map(\.error) == ["HTTP 500"])
            let unreachable = failures.filter { $0.endpoint.hasSuffix("/none") }
            #expect(unreachable.count == 2 && unreachable.allSatisfy { $0.error.hasPrefix("cannot reach the endpoint") })
            #expect(try await store.webhookCursors().map(\.abandoned).sorted() == [1, 2])
        }
    }
}

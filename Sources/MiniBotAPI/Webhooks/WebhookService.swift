import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import MiniBotCore
import MiniBotStore
import ServiceLifecycle

/// Delivers the event log to the configured webhook endpoints: in order per
/// endpoint, each event `POST`ed as JSON with its signature, retried with a
/// doubling wait until the endpoint answers 2xx or `max_attempts` is spent
/// (then listed in `webhook_failures` and passed). Where each endpoint stands
/// is stored, so nothing is lost or sent twice across a restart (an event may
/// be sent again only if the process dies between the endpoint's answer and
/// the cursor's write: receivers deduplicate on `X-MiniBot-Delivery`).
/// Several processes may run it: a lease gives each endpoint to one at a time.
public final class WebhookService: Service, Sendable {
    let store: any Store
    let endpoints: [MiniBotConfig.Webhook]
    let owner: String
    let logger: Logger
    let policy: WebhookPolicy
    let poll: Duration

    public init(store: any Store, endpoints: [MiniBotConfig.Webhook], owner: String, logger: Logger,
                policy: WebhookPolicy = .init(), poll: Duration = .seconds(1)) {
        self.store = store
        self.endpoints = endpoints
        self.owner = owner
        self.logger = logger
        self.policy = policy
        self.poll = poll
    }

    public func run() async throws {
        guard !endpoints.isEmpty else { return }
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await withTaskGroup(of: Void.self) { group in
                for endpoint in endpoints {
                    group.addTask { await self.deliverDue(to: endpoint, session: session) }
                }
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.poll) }
        }
        // Give the endpoints back so the next process (a restart) goes on at once.
        for endpoint in endpoints {
            _ = try? await store.claimWebhookCursor(endpoint: endpoint.url, owner: owner, now: Date(), lease: 0)
        }
    }

    /// One round for one endpoint: as many due events as fit in its lease.
    func deliverDue(to endpoint: MiniBotConfig.Webhook, session: URLSession) async {
        let batch = max(1, Int(60 / endpoint.timeout))
        let lease = endpoint.timeout * Double(batch) + 60
        do {
            guard var cursor = try await store.claimWebhookCursor(endpoint: endpoint.url, owner: owner, now: Date(), lease: lease) else { return }
            if let due = cursor.nextAttemptAt, due > Date() { return }
            let subscribed = Set(endpoint.events)
            for event in try await store.events(after: cursor.lastEventID, limit: batch) {
                var abandoned: WebhookFailure?
                if !subscribed.contains(event.kind) {
                    cursor = policy.passed(cursor, eventID: event.id, delivered: false)
                } else if let body = try await WebhookPayload.body(for: event, store: store) {
                    if let error = await send(body, event: event, to: endpoint, session: session) {
                        (cursor, abandoned) = policy.failed(cursor, eventID: event.id, error: error, maxAttempts: endpoint.maxAttempts, now: Date())
                        logger.warning("webhook delivery failed", metadata: [
                            "endpoint": "\(Self.redacted(endpoint.url))", "event_id": "\(event.id)", "attempt": "\(cursor.attempts)",
                            "error": "\(error)", "gave_up": "\(abandoned != nil)"])
                    } else {
                        cursor = policy.passed(cursor, eventID: event.id, delivered: true)
                    }
                } else {
                    // The call is gone (its contact was erased): nothing left to tell.
                    cursor = policy.passed(cursor, eventID: event.id, delivered: false)
                }
                guard try await store.saveWebhookCursor(cursor, owner: owner, now: Date(), abandoned: abandoned) else { return }
                if cursor.nextAttemptAt != nil { return }
            }
        } catch {
            logger.error("webhook delivery cannot read or write the store", metadata: ["endpoint": "\(Self.redacted(endpoint.url))", "error": "\(error)"])
        }
    }

    /// Nil when the endpoint answered 2xx; else what went wrong, in words.
    func send(_ body: Data, event: CallEvent, to endpoint: MiniBotConfig.Webhook, session: URLSession) async -> String? {
        guard let url = URL(string: endpoint.url) else { return "not a URL" }
        var request = URLRequest(url: url, timeoutInterval: endpoint.timeout)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("MiniBotPanel-Webhooks/1", forHTTPHeaderField: "User-Agent")
        request.setValue(event.kind.rawValue, forHTTPHeaderField: "X-MiniBot-Event")
        request.setValue(String(event.id), forHTTPHeaderField: "X-MiniBot-Delivery")
        if !endpoint.secret.isEmpty {
            let signature = WebhookSignature.value(body: body, secret: endpoint.secret, timestamp: Int(Date().timeIntervalSince1970))
            request.setValue(signature, forHTTPHeaderField: WebhookSignature.header)
        }
        do {
            let (_, response) = try await session.data(for: request)
            guard let http = response as? HTTPURLResponse else { return "no HTTP response" }
            return (200..<300).contains(http.statusCode) ? nil : "HTTP \(http.statusCode)"
        } catch let error as URLError {
            return error.code == .timedOut ? "no answer within \(endpoint.timeout) s" : "cannot reach the endpoint (\(error.code.rawValue): \(error.localizedDescription))"
        } catch {
            return "\(error)"
        }
    }

    /// The URL without its user, password and query, for logs and metrics.
    public static func redacted(_ url: String) -> String {
        guard var parts = URLComponents(string: url) else { return "(invalid URL)" }
        parts.user = nil
        parts.password = nil
        parts.query = nil
        return parts.string ?? "(invalid URL)"
    }
}

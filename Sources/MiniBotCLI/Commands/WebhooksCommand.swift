import ArgumentParser
import Foundation
import MiniBotAPI
import MiniBotCore
import MiniBotStore

/// `minibot webhooks status`: where each configured endpoint stands.
struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "Show webhook delivery: each endpoint's progress and the events given up.",
        discussion: """
        Endpoints are configured under `webhooks:`; `minibot serve` delivers to them. An endpoint is \
        first seen when serve starts with it: it hears of calls that end from then on.
        """,
        subcommands: [WebhooksStatusCommand.self],
        defaultSubcommand: WebhooksStatusCommand.self
    )
}

struct WebhooksStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Each endpoint's progress and the latest events given up.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "How many of the latest events given up to list.")
    var failures = 20

    @Flag(help: "Print one JSON object.")
    var json = false

    struct Endpoint: Encodable {
        var url: String
        var events: [String]
        var lastEventID: Int64?
        var pending: Int
        var delivered: Int
        var abandoned: Int
        var failedAttempts: Int
        var nextAttemptAt: Date?
        var lastError: String?

        enum CodingKeys: String, CodingKey {
            case url, events, pending, delivered, abandoned
            case lastEventID = "last_event_id", failedAttempts = "failed_attempts", nextAttemptAt = "next_attempt_at", lastError = "last_error"
        }
    }

    struct Failure: Encodable {
        var url: String
        var eventID: Int64
        var attempts: Int
        var error: String
        var failedAt: Date

        enum CodingKeys: String, CodingKey {
            case url, attempts, error
            case eventID = "event_id", failedAt = "failed_at"
        }
    }

    struct Status: Encodable {
        var endpoints: [Endpoint]
        var failures: [Failure]
    }

    func run() async throws {
        let runtime = try Runtime(global)
        let status = try await runtime.withStore { store in
            let cursors = Dictionary(try await store.webhookCursors().map { ($0.endpoint, $0) }, uniquingKeysWith: { a, _ in a })
            var endpoints: [Endpoint] = []
            for hook in runtime.config.webhooks {
                let cursor = cursors[hook.url]
                var ahead = 0
                if let cursor { ahead = try await store.countEvents(after: cursor.lastEventID, kinds: hook.events) }
                endpoints.append(Endpoint(url: WebhookService.redacted(hook.url), events: hook.events.map(\.rawValue),
                                          lastEventID: cursor?.lastEventID, pending: ahead, delivered: cursor?.delivered ?? 0,
                                          abandoned: cursor?.abandoned ?? 0, failedAttempts: cursor?.attempts ?? 0,
                                          nextAttemptAt: cursor?.nextAttemptAt, lastError: cursor?.lastError))
            }
            let failures = try await store.webhookFailures(limit: failures).map {
                Failure(url: WebhookService.redacted($0.endpoint), eventID: $0.eventID, attempts: $0.attempts, error: $0.error, failedAt: $0.failedAt)
            }
            return Status(endpoints: endpoints, failures: failures)
        }
        if json { return try Output.json(status) }
        guard !status.endpoints.isEmpty else {
            return Output.write("no webhooks configured (add them under `webhooks:` in the configuration file)\n")
        }
        let format = ISO8601DateFormatter()
        var table = Table(["endpoint", "events", "pending", "delivered", "given up", "failing", "next try", "last error"],
                          alignments: [.left, .left, .right, .right, .right, .right, .left, .left])
        for e in status.endpoints {
            let pending: String = e.lastEventID == nil ? "not started" : String(e.pending)
            let next: String = e.nextAttemptAt.map { format.string(from: $0) } ?? ""
            let row: [String] = [e.url, e.events.joined(separator: ","), pending, String(e.delivered), String(e.abandoned),
                                 String(e.failedAttempts), next, e.lastError ?? ""]
            table.add(row)
        }
        Output.write(table.render())
        if !status.failures.isEmpty {
            var given = Table(["endpoint", "event", "attempts", "given up at", "error"], alignments: [.left, .right, .right, .left, .left])
            for f in status.failures { given.add([f.url, String(f.eventID), String(f.attempts), format.string(from: f.failedAt), f.error]) }
            Output.write("\nEvents given up:\n" + given.render())
        }
    }
}

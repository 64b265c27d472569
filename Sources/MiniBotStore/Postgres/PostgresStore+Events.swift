import Foundation
import Logging
import MiniBotCore
import PostgresNIO

// The event log and the webhook cursors. A bigserial id is taken when a row
// is inserted, not when its transaction commits, so two transactions could
// commit their events out of id order and a reader past the later id would
// miss the earlier one. The transaction-scoped advisory lock taken just before
// the insert, as the last statement before commit, makes them commit in order.
extension PostgresStore {
    /// Key of the advisory lock that orders event inserts ("MBEV").
    static let eventLockKey: Int64 = 0x4D42_4556

    /// Inside ``completeCall(_:worker:at:)``'s transaction, as its last statements.
    static func insertEvents(for call: Call, on connection: PostgresConnection, logger: Logger, at date: Date) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(\(eventLockKey))", logger: logger)
        for kind in CallEvent.kinds(for: call) {
            try await connection.query(
                "INSERT INTO events (kind, call_id, created_at) VALUES (\(kind.rawValue), \(call.callID), \(date))", logger: logger)
        }
    }

    public func events(after id: Int64, limit: Int) async throws -> [CallEvent] {
        try await rows("SELECT id, kind, call_id, created_at FROM events WHERE id > \(id) ORDER BY id LIMIT \(limit)") { row in
            CallEvent(id: try row[0].decode(Int64.self), kind: CallEventKind(rawValue: try row[1].decode(String.self)) ?? .callEnded,
                      callID: try row[2].decode(String.self), createdAt: try row[3].decode(Date.self))
        }
    }

    public func countEvents(after id: Int64, kinds: [CallEventKind]) async throws -> Int {
        let names = kinds.map(\.rawValue)
        return try await rows("SELECT count(*)::bigint FROM events WHERE id > \(id) AND kind = ANY(\(names))") {
            try $0[0].decode(Int.self)
        }.first ?? 0
    }

    static let cursorColumns = "endpoint, last_event_id, attempts, next_attempt_at, last_error, delivered, abandoned"

    static func cursor(_ row: PostgresRandomAccessRow) throws -> WebhookCursor {
        WebhookCursor(endpoint: try row[0].decode(String.self), lastEventID: try row[1].decode(Int64.self),
                      attempts: try row[2].decode(Int.self), nextAttemptAt: try row[3].decode(Date?.self),
                      lastError: try row[4].decode(String?.self), delivered: try row[5].decode(Int.self), abandoned: try row[6].decode(Int.self))
    }

    public func claimWebhookCursor(endpoint: String, owner: String, now: Date, lease: TimeInterval) async throws -> WebhookCursor? {
        try await run {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query("""
                    INSERT INTO webhook_cursors (endpoint, last_event_id, updated_at)
                    VALUES (\(endpoint), (SELECT coalesce(max(id), 0) FROM events), \(now)) ON CONFLICT (endpoint) DO NOTHING
                    """, logger: logger)
                var cursors: [WebhookCursor] = []
                let expires = now.addingTimeInterval(lease)
                for try await row in try await connection.query("""
                    UPDATE webhook_cursors SET lease_owner = \(owner), lease_expires_at = \(expires)
                    WHERE endpoint = \(endpoint) AND (lease_owner IS NULL OR lease_owner = \(owner) OR lease_expires_at <= \(now))
                    RETURNING \(unescaped: Self.cursorColumns)
                    """, logger: logger) {
                    cursors.append(try Self.cursor(row.makeRandomAccess()))
                }
                return cursors.first
            }
        }
    }

    public func saveWebhookCursor(_ cursor: WebhookCursor, owner: String, now: Date, abandoned: WebhookFailure?) async throws -> Bool {
        try await run {
            try await client.withTransaction(logger: logger) { connection in
                let saved = try await Self.count("""
                    UPDATE webhook_cursors SET last_event_id = \(cursor.lastEventID), attempts = \(cursor.attempts),
                        next_attempt_at = \(cursor.nextAttemptAt)::timestamptz, last_error = \(cursor.lastError)::text,
                        delivered = \(cursor.delivered), abandoned = \(cursor.abandoned), updated_at = \(now)
                    WHERE endpoint = \(cursor.endpoint) AND lease_owner = \(owner) AND lease_expires_at > \(now)
                    RETURNING 1
                    """, on: connection, logger: logger) == 1
                guard saved else { return false }
                if let failure = abandoned {
                    try await connection.query("""
                        INSERT INTO webhook_failures (endpoint, event_id, attempts, error, failed_at)
                        VALUES (\(failure.endpoint), \(failure.eventID), \(failure.attempts), \(failure.error), \(failure.failedAt))
                        ON CONFLICT (endpoint, event_id) DO UPDATE SET attempts = excluded.attempts, error = excluded.error,
                            failed_at = excluded.failed_at
                        """, logger: logger)
                }
                return true
            }
        }
    }

    public func webhookCursors() async throws -> [WebhookCursor] {
        try await rows("SELECT \(unescaped: Self.cursorColumns) FROM webhook_cursors ORDER BY endpoint") { try Self.cursor($0) }
    }

    public func webhookFailures(limit: Int) async throws -> [WebhookFailure] {
        try await rows("""
            SELECT endpoint, event_id, attempts, error, failed_at FROM webhook_failures ORDER BY failed_at DESC, event_id DESC LIMIT \(limit)
            """) { row in
            WebhookFailure(endpoint: try row[0].decode(String.self), eventID: try row[1].decode(Int64.self), attempts: try row[2].decode(Int.self),
                           error: try row[3].decode(String.self), failedAt: try row[4].decode(Date.self))
        }
    }
}

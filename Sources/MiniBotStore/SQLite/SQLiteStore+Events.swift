import Foundation
import MiniBotCore

// The event log and the webhook cursors. SQLite serialises writers, so event
// ids are in commit order without more care.
extension SQLiteStore {
    /// Inside ``completeCall(_:worker:at:)``'s transaction.
    static func insertEvents(for call: Call, into db: SQLiteConnection, at date: Date) throws {
        for kind in CallEvent.kinds(for: call) {
            try db.prepare("INSERT INTO events (kind, call_id, created_at) VALUES (?, ?, ?)")
                .run([.text(kind.rawValue), .text(call.callID), .date(date)])
        }
    }

    public func events(after id: Int64, limit: Int) async throws -> [CallEvent] {
        try reading { db in
            try db.prepare("SELECT id, kind, call_id, created_at FROM events WHERE id > ? ORDER BY id LIMIT ?")
                .query([.integer(id), .integer(Int64(limit))]) { row in
                    CallEvent(id: Int64(row.int(0)), kind: CallEventKind(rawValue: row.text(1)) ?? .callEnded,
                              callID: row.text(2), createdAt: row.date(3))
                }
        }
    }

    public func countEvents(after id: Int64, kinds: [CallEventKind]) async throws -> Int {
        try reading { db in
            try db.prepare("SELECT count(*) FROM events WHERE id > ? AND kind IN (SELECT value FROM json_each(?))")
                .query([.integer(id), .text(Self.jsonArray(kinds.map(\.rawValue)))]) { $0.int(0) }.first ?? 0
        }
    }

    static let cursorColumns = "endpoint, last_event_id, attempts, next_attempt_at, last_error, delivered, abandoned"

    static func cursor(_ row: SQLiteStatement) -> WebhookCursor {
        WebhookCursor(endpoint: row.text(0), lastEventID: Int64(row.int(1)), attempts: row.int(2), nextAttemptAt: row.optionalDate(3),
                      lastError: row.optionalText(4), delivered: row.int(5), abandoned: row.int(6))
    }

    public func claimWebhookCursor(endpoint: String, owner: String, now: Date, lease: TimeInterval) async throws -> WebhookCursor? {
        try locked { db in
            try db.transaction {
                try db.prepare("""
                    INSERT INTO webhook_cursors (endpoint, last_event_id, updated_at)
                    VALUES (?1, (SELECT coalesce(max(id), 0) FROM events), ?2) ON CONFLICT (endpoint) DO NOTHING
                    """).run([.text(endpoint), .date(now)])
                try db.prepare("""
                    UPDATE webhook_cursors SET lease_owner = ?2, lease_expires_at = ?3
                    WHERE endpoint = ?1 AND (lease_owner IS NULL OR lease_owner = ?2 OR lease_expires_at <= ?4)
                    """).run([.text(endpoint), .text(owner), .date(now.addingTimeInterval(lease)), .date(now)])
                guard db.changes == 1 else { return nil }
                return try db.prepare("SELECT \(Self.cursorColumns) FROM webhook_cursors WHERE endpoint = ?")
                    .query([.text(endpoint)]) { Self.cursor($0) }.first
            }
        }
    }

    public func saveWebhookCursor(_ cursor: WebhookCursor, owner: String, now: Date, abandoned: WebhookFailure?) async throws -> Bool {
        try locked { db in
            try db.transaction {
                try db.prepare("""
                    UPDATE webhook_cursors SET last_event_id = ?2, attempts = ?3, next_attempt_at = ?4, last_error = ?5,
                        delivered = ?6, abandoned = ?7, updated_at = ?8
                    WHERE endpoint = ?1 AND lease_owner = ?9 AND lease_expires_at > ?8
                    """).run([.text(cursor.endpoint), .integer(cursor.lastEventID), .integer(Int64(cursor.attempts)),
                              .date(cursor.nextAttemptAt), cursor.lastError.map { .text($0) } ?? .null,
                              .integer(Int64(cursor.delivered)), .integer(Int64(cursor.abandoned)), .date(now), .text(owner)])
                guard db.changes == 1 else { return false }
                if let failure = abandoned {
                    try db.prepare("""
                        INSERT INTO webhook_failures (endpoint, event_id, attempts, error, failed_at) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (endpoint, event_id) DO UPDATE SET attempts = excluded.attempts, error = excluded.error,
                            failed_at = excluded.failed_at
                        """).run([.text(failure.endpoint), .integer(failure.eventID), .integer(Int64(failure.attempts)),
                                  .text(failure.error), .date(failure.failedAt)])
                }
                return true
            }
        }
    }

    public func webhookCursors() async throws -> [WebhookCursor] {
        try locked { db in
            try db.prepare("SELECT \(Self.cursorColumns) FROM webhook_cursors ORDER BY endpoint").query { Self.cursor($0) }
        }
    }

    public func webhookFailures(limit: Int) async throws -> [WebhookFailure] {
        try reading { db in
            try db.prepare("SELECT endpoint, event_id, attempts, error, failed_at FROM webhook_failures ORDER BY failed_at DESC, event_id DESC LIMIT ?")
                .query([.integer(Int64(limit))]) { row in
                    WebhookFailure(endpoint: row.text(0), eventID: Int64(row.int(1)), attempts: row.int(2), error: row.text(3), failedAt: row.date(4))
                }
        }
    }
}

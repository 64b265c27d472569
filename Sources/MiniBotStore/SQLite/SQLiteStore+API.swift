import Foundation
import MiniBotCore

// What the HTTP API reads and writes beyond the dialer: call listings and
// summaries, API keys.
extension SQLiteStore {
    /// The WHERE clause of the query's filters and, with `place`, its cursor.
    static func conditions(_ query: CallQuery, place: Bool = true) -> (sql: String, values: [SQLiteValue]) {
        var clauses: [String] = []
        var values: [SQLiteValue] = []
        if let campaignID = query.campaignID { clauses.append("campaign_id = ?"); values.append(.text(campaignID)) }
        if let status = query.status { clauses.append("status = ?"); values.append(.text(status.rawValue)) }
        if let phone = query.phone { clauses.append("phone = ?"); values.append(.text(phone)) }
        if let isLead = query.isLead { clauses.append("is_lead = ?"); values.append(.bool(isLead)) }
        if let from = query.from { clauses.append("started_at >= ?"); values.append(.date(from)) }
        if let to = query.to { clauses.append("started_at < ?"); values.append(.date(to)) }
        if place, let after = query.after {
            // A row value: SQLite walks calls_newest (or calls_campaign_newest) from the cursor.
            clauses.append("(started_at, call_id) < (?, ?)")
            values += [.integer(after.startedAtMilliseconds), .text(after.callID)]
        }
        return (clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND "), values)
    }

    public func calls(_ query: CallQuery) async throws -> CallPage {
        let calls = try reading { db -> [Call] in
            var page = query
            if query.pagesByHour {
                guard let (hour, skipped) = try Self.hourOfOffset(query, in: db) else { return [] }
                page = query.within(hour: hour, skipping: skipped)
            }
            let (whereSQL, values) = Self.conditions(page)
            let order = "ORDER BY started_at DESC, call_id DESC"
            // With an offset, the skipped calls are walked in the index alone
            // (a deferred join): only the page's rows are read from the table.
            let sql = page.offset == 0
                ? "SELECT \(Self.callColumns) FROM calls \(whereSQL) \(order) LIMIT ?"
                : "SELECT \(Self.callColumns) FROM calls WHERE rowid IN (SELECT rowid FROM calls \(whereSQL) \(order) LIMIT ? OFFSET ?) \(order)"
            let place: [SQLiteValue] = page.offset == 0 ? [.integer(Int64(page.limit))] : [.integer(Int64(page.limit)), .integer(Int64(page.offset))]
            return try db.prepare(sql).query(values + place) { Self.call($0) }
        }
        return CallPage(calls: calls, total: query.countsTotal ? try await countCalls(query) : 0)
    }

    /// The hour (since 1970) holding the call at the query's offset, and how
    /// many matching calls started in later hours; nil past the last call.
    /// Reads `call_hours` newest first and stops at that hour.
    static func hourOfOffset(_ query: CallQuery, in db: SQLiteConnection) throws -> (hour: Int64, skipped: Int)? {
        let hours = try db.prepare("""
            SELECT hour, sum(calls) FROM call_hours WHERE (?1 IS NULL OR campaign_id = ?1) AND (?2 IS NULL OR status = ?2)
            GROUP BY hour ORDER BY hour DESC
            """)
        hours.bind([.optional(query.campaignID), .optional(query.status?.rawValue)])
        defer { hours.reset() }
        var skipped = 0
        while try hours.step() {
            let calls = hours.int(1)
            if skipped + calls > query.offset { return (Int64(hours.int(0)), skipped) }
            skipped += calls
        }
        return nil
    }

    public func countCalls(_ query: CallQuery) async throws -> Int {
        if query.countsFromTotals {
            return try reading { db in
                try db.prepare("SELECT coalesce(sum(calls), 0) FROM call_totals WHERE ?1 IS NULL OR status = ?1")
                    .query([.optional(query.status?.rawValue)]) { $0.int(0) }.first ?? 0
            }
        }
        let (whereSQL, values) = Self.conditions(query, place: false)
        return try reading { db in
            try db.prepare("SELECT count(*) FROM calls \(whereSQL)").query(values) { $0.int(0) }.first ?? 0
        }
    }

    public func callSummary() async throws -> CallSummary {
        let rows = try reading { db in
            try db.prepare("""
                SELECT status, nullif(outcome, ''), calls, leads, answered, answered_ms / 1000.0 FROM call_totals WHERE calls <> 0
                """).query { ($0.text(0), $0.optionalText(1), $0.int(2), $0.int(3), $0.int(4), $0.double(5)) }
        }
        return CallSummary.folding(rows)
    }

    static let apiKeyColumns = "id, name, scope, hash, created_at, revoked_at"

    static func apiKey(_ row: SQLiteStatement) -> APIKeyRecord {
        APIKeyRecord(id: row.text(0), name: row.text(1), scope: APIKeyScope(rawValue: row.text(2)) ?? .read, hash: row.text(3),
                     createdAt: row.date(4), revokedAt: row.optionalDate(5))
    }

    public func createAPIKey(_ key: APIKeyRecord) async throws {
        try locked { db in
            try db.prepare("INSERT INTO api_keys (\(Self.apiKeyColumns)) VALUES (?, ?, ?, ?, ?, ?)").run([
                .text(key.id), .text(key.name), .text(key.scope.rawValue), .text(key.hash), .date(key.createdAt), .date(key.revokedAt),
            ])
        }
    }

    public func apiKey(hash: String) async throws -> APIKeyRecord? {
        try reading { db in
            try db.prepare("SELECT \(Self.apiKeyColumns) FROM api_keys WHERE hash = ?").query([.text(hash)]) { Self.apiKey($0) }.first
        }
    }

    public func apiKeys() async throws -> [APIKeyRecord] {
        try reading { db in
            try db.prepare("SELECT \(Self.apiKeyColumns) FROM api_keys ORDER BY created_at, id").query { Self.apiKey($0) }
        }
    }

    public func revokeAPIKey(id: String, at date: Date) async throws -> Bool {
        try locked { db in
            try db.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").run([.date(date), .text(id)])
            return db.changes > 0
        }
    }
}

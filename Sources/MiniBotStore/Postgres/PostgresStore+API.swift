import Foundation
import MiniBotCore
import PostgresNIO

// What the HTTP API reads and writes beyond the dialer: call listings and
// summaries, API keys.
extension PostgresStore {
    /// Appends the WHERE clause of the query's filters and, with `place`, its cursor.
    static func appendConditions(_ query: CallQuery, place: Bool = true, to sql: inout PostgresQuery) {
        var clauses: [String] = []
        func add(_ column: String, _ op: String, _ bind: some PostgresNonThrowingEncodable & Sendable) {
            sql.binds.append(bind)
            clauses.append("\(column) \(op) $\(sql.binds.count)")
        }
        if let campaignID = query.campaignID { add("campaign_id", "=", campaignID) }
        if let status = query.status { add("status", "=", status.rawValue) }
        if let phone = query.phone { add("phone", "=", phone) }
        if let isLead = query.isLead { add("is_lead", "=", isLead) }
        if let from = query.from { add("started_at", ">=", from) }
        if let to = query.to { add("started_at", "<", to) }
        if place, let after = query.after {
            // A row comparison walks calls_newest from the cursor; the time is
            // rebuilt from whole microseconds, exactly as stored.
            sql.binds.append(after.startedAtMicroseconds)
            sql.binds.append(after.callID)
            let n = sql.binds.count
            clauses.append("(started_at, call_id) < ('epoch'::timestamptz + $\(n - 1)::bigint * interval '1 microsecond', $\(n))")
        }
        if !clauses.isEmpty { sql.sql += " WHERE " + clauses.joined(separator: " AND ") }
    }

    public func calls(_ query: CallQuery) async throws -> CallPage {
        let calls: [Call]
        let (campaignID, status) = (query.campaignID, query.status?.rawValue)
        let filters = CallPageFilter.of(campaignID: campaignID, status: status)
        if query.pagesByHour {
            calls = try await page(filters, campaignID: campaignID, status: status, offset: query.offset, limit: query.limit)
        } else if let after = query.after, query.offset == 0, query.filtersKeptByHour {
            calls = try await page(filters, campaignID: campaignID, status: status, after: after, limit: query.limit)
        } else {
            var list = PostgresQuery(unsafeSQL: "SELECT \(Self.callColumns) FROM calls")
            Self.appendConditions(query, to: &list)
            list.binds.append(query.limit)
            list.sql += " ORDER BY started_at DESC, call_id DESC LIMIT $\(list.binds.count)"
            list.binds.append(query.offset)
            list.sql += " OFFSET $\(list.binds.count)"
            calls = try await decodedRows(list, Self.call)
        }
        return CallPage(calls: calls, total: query.countsTotal ? try await countCalls(query) : 0)
    }

    /// A numbered page by hour, as the prepared statement of the filters' shape.
    private func page<Filters: CallPageFilters>(_: Filters.Type, campaignID: String?, status: String?, offset: Int,
                                               limit: Int) async throws -> [Call] {
        try await execute(CallPageByHour<Filters>(campaignID: campaignID, status: status, offset: offset, limit: limit))
    }

    /// The page after a cursor, as the prepared statement of the filters' shape.
    private func page<Filters: CallPageFilters>(_: Filters.Type, campaignID: String?, status: String?, after: CallCursor,
                                               limit: Int) async throws -> [Call] {
        try await execute(CallPageAfter<Filters>(campaignID: campaignID, status: status, after: after, limit: limit))
    }

    public func countCalls(_ query: CallQuery) async throws -> Int {
        if query.countsFromTotals {
            let status = query.status?.rawValue
            return try await rows("""
                SELECT coalesce(sum(calls), 0)::bigint FROM call_totals WHERE \(status)::text IS NULL OR status = \(status)
                """) { try $0[0].decode(Int.self) }.first ?? 0
        }
        var count = PostgresQuery(unsafeSQL: "SELECT count(*)::bigint FROM calls")
        Self.appendConditions(query, place: false, to: &count)
        return try await rows(count) { try $0[0].decode(Int.self) }.first ?? 0
    }

    public func callSummary() async throws -> CallSummary {
        let rows = try await rows("""
            SELECT status, nullif(outcome, ''), calls, leads, answered, answered_ms / 1000.0::float8
            FROM call_totals WHERE calls <> 0
            """) {
            (try $0[0].decode(String.self), try $0[1].decode(String?.self), try $0[2].decode(Int.self), try $0[3].decode(Int.self),
             try $0[4].decode(Int.self), try $0[5].decode(Double.self))
        }
        return CallSummary.folding(rows)
    }

    static let apiKeyColumns = "id, name, scope, hash, created_at, revoked_at"

    static func apiKey(_ row: PostgresRandomAccessRow) throws -> APIKeyRecord {
        APIKeyRecord(id: try row[0].decode(String.self), name: try row[1].decode(String.self),
                     scope: APIKeyScope(rawValue: try row[2].decode(String.self)) ?? .read, hash: try row[3].decode(String.self),
                     createdAt: try row[4].decode(Date.self), revokedAt: try row[5].decode(Date?.self))
    }

    public func createAPIKey(_ key: APIKeyRecord) async throws {
        _ = try await rows("""
            INSERT INTO api_keys (\(unescaped: Self.apiKeyColumns))
            VALUES (\(key.id), \(key.name), \(key.scope.rawValue), \(key.hash), \(key.createdAt), \(key.revokedAt)::timestamptz)
            """) { _ in () }
    }

    public func apiKey(hash: String) async throws -> APIKeyRecord? {
        try await rows("SELECT \(unescaped: Self.apiKeyColumns) FROM api_keys WHERE hash = \(hash)") { try Self.apiKey($0) }.first
    }

    public func apiKeys() async throws -> [APIKeyRecord] {
        try await rows("SELECT \(unescaped: Self.apiKeyColumns) FROM api_keys ORDER BY created_at, id") { try Self.apiKey($0) }
    }

    public func revokeAPIKey(id: String, at date: Date) async throws -> Bool {
        try await !rows("UPDATE api_keys SET revoked_at = \(date) WHERE id = \(id) AND revoked_at IS NULL RETURNING 1") { _ in () }.isEmpty
    }
}

import Foundation
import MiniBotCore
import PostgresNIO

// What the HTTP API reads and writes beyond the dialer: call listings and
// summaries, API keys.
extension PostgresStore {
    static func appendConditions(_ query: CallQuery, to sql: inout PostgresQuery) {
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
        if !clauses.isEmpty { sql.sql += " WHERE " + clauses.joined(separator: " AND ") }
    }

    public func calls(_ query: CallQuery) async throws -> CallPage {
        var list = PostgresQuery(unsafeSQL: "SELECT \(Self.callColumns) FROM calls")
        Self.appendConditions(query, to: &list)
        list.binds.append(query.limit)
        list.binds.append(query.offset)
        list.sql += " ORDER BY started_at DESC, call_id DESC LIMIT $\(list.binds.count - 1) OFFSET $\(list.binds.count)"
        var count = PostgresQuery(unsafeSQL: "SELECT count(*)::bigint FROM calls")
        Self.appendConditions(query, to: &count)
        let calls = try await rows(list) { try Self.call($0) }
        let total = query.countsTotal ? try await rows(count) { try $0[0].decode(Int.self) }.first ?? 0 : 0
        return CallPage(calls: calls, total: total)
    }

    public func callSummary() async throws -> CallSummary {
        let rows = try await rows("""
            SELECT status, outcome, count(*)::bigint, count(*) FILTER (WHERE is_lead)::bigint,
                   count(answered_at)::bigint, coalesce(sum(duration) FILTER (WHERE answered_at IS NOT NULL), 0)::float8
            FROM calls GROUP BY status, outcome
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

import Foundation
import MiniBotCore
import PostgresNIO

// What the web panel reads and writes: its users and their sessions, and
// the dashboard's calls per hour.
extension PostgresStore {
    static func user(_ row: PostgresRandomAccessRow) throws -> PanelUser {
        PanelUser(name: try row[0].decode(String.self), passwordHash: try row[1].decode(String.self),
                  createdAt: try row[2].decode(Date.self), updatedAt: try row[3].decode(Date.self))
    }

    public func createUser(_ user: PanelUser) async throws {
        _ = try await rows("""
            INSERT INTO panel_users (name, password_hash, created_at, updated_at)
            VALUES (\(user.name), \(user.passwordHash), \(user.createdAt), \(user.updatedAt))
            """) { _ in () }
    }

    public func user(name: String) async throws -> PanelUser? {
        try await rows("SELECT name, password_hash, created_at, updated_at FROM panel_users WHERE name = \(name)") { try Self.user($0) }.first
    }

    public func users() async throws -> [PanelUser] {
        try await rows("SELECT name, password_hash, created_at, updated_at FROM panel_users ORDER BY name") { try Self.user($0) }
    }

    public func setUserPassword(name: String, hash: String, at date: Date) async throws -> Bool {
        let changed = try await !rows("UPDATE panel_users SET password_hash = \(hash), updated_at = \(date) WHERE name = \(name) RETURNING 1") { _ in () }.isEmpty
        _ = try await rows("DELETE FROM panel_sessions WHERE user_name = \(name)") { _ in () }
        return changed
    }

    public func deleteUser(name: String) async throws -> Bool {
        // Sessions go with the user (ON DELETE CASCADE).
        try await !rows("DELETE FROM panel_users WHERE name = \(name) RETURNING 1") { _ in () }.isEmpty
    }

    public func createSession(_ session: PanelSession) async throws {
        _ = try await rows("""
            INSERT INTO panel_sessions (token_hash, user_name, csrf_token, created_at, expires_at)
            VALUES (\(session.tokenHash), \(session.userName), \(session.csrfToken), \(session.createdAt), \(session.expiresAt))
            """) { _ in () }
    }

    public func session(tokenHash: String, now: Date) async throws -> PanelSession? {
        try await rows("""
            SELECT token_hash, user_name, csrf_token, created_at, expires_at FROM panel_sessions
            WHERE token_hash = \(tokenHash) AND expires_at > \(now)
            """) {
            PanelSession(tokenHash: try $0[0].decode(String.self), userName: try $0[1].decode(String.self), csrfToken: try $0[2].decode(String.self),
                         createdAt: try $0[3].decode(Date.self), expiresAt: try $0[4].decode(Date.self))
        }.first
    }

    public func deleteSession(tokenHash: String) async throws {
        _ = try await rows("DELETE FROM panel_sessions WHERE token_hash = \(tokenHash)") { _ in () }
    }

    public func extendSession(tokenHash: String, expiresAt: Date) async throws {
        _ = try await rows("UPDATE panel_sessions SET expires_at = \(expiresAt) WHERE token_hash = \(tokenHash) AND expires_at < \(expiresAt)") { _ in () }
    }

    public func deleteExpiredSessions(now: Date) async throws -> Int {
        try await rows("DELETE FROM panel_sessions WHERE expires_at <= \(now) RETURNING 1") { _ in () }.count
    }

    public func callActivity(from: Date, to: Date) async throws -> [CallActivity] {
        try await rows("""
            SELECT to_timestamp(floor(extract(epoch FROM started_at) / 3600) * 3600) AS hour, status, outcome,
                   count(*)::bigint, count(*) FILTER (WHERE is_lead)::bigint
            FROM calls WHERE started_at >= \(from) AND started_at < \(to) GROUP BY 1, 2, 3 ORDER BY 1
            """) {
            CallActivity(hour: try $0[0].decode(Date.self), status: try $0[1].decode(String.self), outcome: try $0[2].decode(String?.self),
                         calls: try $0[3].decode(Int.self), leads: try $0[4].decode(Int.self))
        }
    }
}

import Foundation
import MiniBotCore

// What the web panel reads and writes: its users and their sessions, and
// the dashboard's calls per hour.
extension SQLiteStore {
    static func user(_ row: SQLiteStatement) -> PanelUser {
        PanelUser(name: row.text(0), passwordHash: row.text(1), createdAt: row.date(2), updatedAt: row.date(3))
    }

    public func createUser(_ user: PanelUser) async throws {
        try locked { db in
            try db.prepare("INSERT INTO panel_users (name, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?)")
                .run([.text(user.name), .text(user.passwordHash), .date(user.createdAt), .date(user.updatedAt)])
        }
    }

    public func user(name: String) async throws -> PanelUser? {
        try locked { db in
            try db.prepare("SELECT name, password_hash, created_at, updated_at FROM panel_users WHERE name = ?")
                .query([.text(name)]) { Self.user($0) }.first
        }
    }

    public func users() async throws -> [PanelUser] {
        try locked { db in
            try db.prepare("SELECT name, password_hash, created_at, updated_at FROM panel_users ORDER BY name").query { Self.user($0) }
        }
    }

    public func setUserPassword(name: String, hash: String, at date: Date) async throws -> Bool {
        try locked { db in
            try db.transaction {
                try db.prepare("UPDATE panel_users SET password_hash = ?, updated_at = ? WHERE name = ?").run([.text(hash), .date(date), .text(name)])
                let changed = db.changes > 0
                try db.prepare("DELETE FROM panel_sessions WHERE user_name = ?").run([.text(name)])
                return changed
            }
        }
    }

    public func deleteUser(name: String) async throws -> Bool {
        try locked { db in
            try db.transaction {
                try db.prepare("DELETE FROM panel_sessions WHERE user_name = ?").run([.text(name)])
                try db.prepare("DELETE FROM panel_users WHERE name = ?").run([.text(name)])
                return db.changes > 0
            }
        }
    }

    public func createSession(_ session: PanelSession) async throws {
        try locked { db in
            try db.prepare("INSERT INTO panel_sessions (token_hash, user_name, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")
                .run([.text(session.tokenHash), .text(session.userName), .text(session.csrfToken), .date(session.createdAt), .date(session.expiresAt)])
        }
    }

    public func session(tokenHash: String, now: Date) async throws -> PanelSession? {
        try reading { db in
            try db.prepare("SELECT token_hash, user_name, csrf_token, created_at, expires_at FROM panel_sessions WHERE token_hash = ? AND expires_at > ?")
                .query([.text(tokenHash), .date(now)]) {
                    PanelSession(tokenHash: $0.text(0), userName: $0.text(1), csrfToken: $0.text(2), createdAt: $0.date(3), expiresAt: $0.date(4))
                }.first
        }
    }

    public func deleteSession(tokenHash: String) async throws {
        try locked { db in try db.prepare("DELETE FROM panel_sessions WHERE token_hash = ?").run([.text(tokenHash)]) }
    }

    public func extendSession(tokenHash: String, expiresAt: Date) async throws {
        try locked { db in
            try db.prepare("UPDATE panel_sessions SET expires_at = ? WHERE token_hash = ? AND expires_at < ?")
                .run([.date(expiresAt), .text(tokenHash), .date(expiresAt)])
        }
    }

    public func deleteExpiredSessions(now: Date) async throws -> Int {
        try locked { db in
            try db.prepare("DELETE FROM panel_sessions WHERE expires_at <= ?").run([.date(now)])
            return db.changes
        }
    }

    public func callActivity(from: Date, to: Date) async throws -> [CallActivity] {
        try reading { db in
            try db.prepare("""
                SELECT (started_at / 3600000) * 3600000 AS hour, status, outcome, count(*), sum(is_lead)
                FROM calls WHERE started_at >= ? AND started_at < ? GROUP BY hour, status, outcome ORDER BY hour
                """).query([.date(from), .date(to)]) {
                CallActivity(hour: $0.date(0), status: $0.text(1), outcome: $0.optionalText(2), calls: $0.int(3), leads: $0.int(4))
            }
        }
    }
}

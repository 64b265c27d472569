import Foundation

/// A person who may log in to the web panel. Only a slow salted hash of the
/// password is kept (see MiniBotWeb's `PasswordHasher` for its format).
public struct PanelUser: Sendable, Equatable {
    public var name: String
    public var passwordHash: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(name: String, passwordHash: String, createdAt: Date, updatedAt: Date) {
        self.name = name
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A logged-in browser. The cookie's secret is never stored: only its
/// SHA-256 (hex), so a copy of the database opens no session.
public struct PanelSession: Sendable, Equatable {
    public var tokenHash: String
    public var userName: String
    /// The token every form of this session must send back (CSRF).
    public var csrfToken: String
    public var createdAt: Date
    public var expiresAt: Date

    public init(tokenHash: String, userName: String, csrfToken: String, createdAt: Date, expiresAt: Date) {
        self.tokenHash = tokenHash
        self.userName = userName
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// Calls started in one hour with one status and outcome: the dashboard's
/// chart and today's figures fold these.
public struct CallActivity: Sendable, Equatable {
    /// The start of the hour (UTC).
    public var hour: Date
    public var status: String
    public var outcome: String?
    public var calls: Int
    public var leads: Int

    public init(hour: Date, status: String, outcome: String?, calls: Int, leads: Int) {
        self.hour = hour
        self.status = status
        self.outcome = outcome
        self.calls = calls
        self.leads = leads
    }
}

import Foundation

/// What an API key may do: `read` only reads; `admin` also changes things.
public enum APIKeyScope: String, Codable, Sendable, CaseIterable {
    case read, admin
}

/// A stored API key. Only the SHA-256 of the secret is kept (hex): the
/// secret itself is shown once, when the key is created.
public struct APIKeyRecord: Codable, Sendable, Equatable {
    /// A short public identifier, used to list and revoke.
    public var id: String
    public var name: String
    public var scope: APIKeyScope
    /// SHA-256 of the secret, 64 lowercase hex digits.
    public var hash: String
    public var createdAt: Date
    public var revokedAt: Date?

    public init(id: String, name: String, scope: APIKeyScope, hash: String, createdAt: Date, revokedAt: Date? = nil) {
        self.id = id
        self.name = name
        self.scope = scope
        self.hash = hash
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, scope, createdAt = "created_at", revokedAt = "revoked_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try c.decode(String.self, forKey: .id), name: try c.decode(String.self, forKey: .name),
                  scope: try c.decode(APIKeyScope.self, forKey: .scope), hash: "",
                  createdAt: try c.decode(Date.self, forKey: .createdAt), revokedAt: try c.decodeIfPresent(Date.self, forKey: .revokedAt))
    }
}

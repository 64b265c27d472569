import Crypto
import Foundation
import MiniBotCore
import MiniBotStore

/// API key secrets: 32 random bytes, shown once as `mbk_` + 64 hex digits;
/// only their SHA-256 is stored.
public enum APIKeySecret {
    /// A new key record and its secret (to print once, never stored).
    public static func generate(name: String, scope: APIKeyScope, at date: Date = Date()) -> (record: APIKeyRecord, secret: String) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let secret = "mbk_" + hex(bytes)
        let id = "k-" + hex((0..<4).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        return (APIKeyRecord(id: id, name: name, scope: scope, hash: hash(secret), createdAt: date), secret)
    }

    /// SHA-256 of the secret, lowercase hex.
    public static func hash(_ secret: String) -> String {
        hex(Array(SHA256.hash(data: Data(secret.utf8))))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        lowercaseHex(bytes)
    }
}

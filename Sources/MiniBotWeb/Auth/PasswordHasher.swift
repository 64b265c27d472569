import Crypto
import CryptoExtras
import Foundation

/// Slow salted password hashes: PBKDF2-HMAC-SHA256 (BoringSSL, through
/// swift-crypto's CryptoExtras), 16 random bytes of salt, 32 bytes of key,
/// written `pbkdf2-sha256$ROUNDS$SALT$KEY` (base64), so the rounds can grow
/// later without breaking stored hashes.
public enum PasswordHasher {
    /// OWASP's 2023 figure for PBKDF2-HMAC-SHA256.
    public static let defaultRounds = 600_000
    static let scheme = "pbkdf2-sha256"

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func hash(_ password: String, rounds: Int = defaultRounds) throws -> String {
        guard !password.isEmpty else { throw Failure(description: "the password must not be empty") }
        guard rounds >= 1 else { throw Failure(description: "rounds must be at least 1") }
        let salt = SymmetricKey(size: .bits128).withUnsafeBytes { Data($0) }
        let key = try derive(password, salt: salt, rounds: rounds)
        return [scheme, String(rounds), salt.base64EncodedString(), key.base64EncodedString()].joined(separator: "$")
    }

    /// True when `password` hashes to `stored`; false for a wrong password or a malformed hash.
    public static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == scheme, let rounds = Int(parts[1]), rounds >= 1, rounds <= 10_000_000,
              let salt = Data(base64Encoded: String(parts[2])), let expected = Data(base64Encoded: String(parts[3])),
              !expected.isEmpty, let key = try? derive(password, salt: salt, rounds: rounds, length: expected.count)
        else { return false }
        return constantTimeEqual(key, expected)
    }

    static func derive(_ password: String, salt: Data, rounds: Int, length: Int = 32) throws -> Data {
        let key = try KDF.Insecure.PBKDF2.deriveKey(from: Data(password.utf8), salt: salt, using: .sha256,
                                                    outputByteCount: length, unsafeUncheckedRounds: rounds)
        return key.withUnsafeBytes { Data($0) }
    }
}

/// Compares two byte strings in time that depends only on their lengths.
func constantTimeEqual(_ a: some DataProtocol, _ b: some DataProtocol) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for (x, y) in zip(a, b) { difference |= x ^ y }
    return difference == 0
}

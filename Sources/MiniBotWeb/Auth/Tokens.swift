import Crypto
import Foundation
import MiniBotCore

/// Random secrets for cookies and forms, and how they are stored.
public enum Tokens {
    /// 32 random bytes, base64url without padding (43 characters).
    public static func random() -> String {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        return bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// What the store keeps of a session cookie: its SHA-256, hex.
    public static func hash(_ token: String) -> String {
        lowercaseHex(SHA256.hash(data: Data(token.utf8)))
    }

    /// A form's CSRF token against the session's, in constant time; an empty token never matches.
    public static func matches(_ given: String?, expected: String) -> Bool {
        guard let given, !given.isEmpty, !expected.isEmpty else { return false }
        return constantTimeEqual(Array(given.utf8), Array(expected.utf8))
    }
}

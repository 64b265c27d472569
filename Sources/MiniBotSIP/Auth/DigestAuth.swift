import Foundation
import Crypto

/// A `WWW-Authenticate` or `Proxy-Authenticate` digest challenge (RFC 3261
/// §22.4, RFC 8760 for SHA-256).
public struct DigestChallenge: Sendable, Equatable {
    public var realm: String
    public var nonce: String
    public var opaque: String?
    public var algorithm: DigestAlgorithm
    /// The qop values offered; we answer `auth` when offered.
    public var qop: [String]
    /// The server says the nonce expired but the credentials were right.
    public var stale: Bool

    public init(parsing header: String) throws(SIPAuthError) {
        let text = header.trimmedSpaces
        guard text.lowercased().hasPrefix("digest ") else { throw .unsupportedScheme(String(text.prefix(20))) }
        let fields = Self.parameters(String(text.dropFirst(7)))
        guard let realm = fields["realm"], let nonce = fields["nonce"] else { throw .malformedChallenge(header) }
        self.realm = realm
        self.nonce = nonce
        self.opaque = fields["opaque"]
        let algorithmName = fields["algorithm"] ?? "MD5"
        guard let algorithm = DigestAlgorithm(rawValue: algorithmName.uppercased()) else { throw .unsupportedAlgorithm(algorithmName) }
        self.algorithm = algorithm
        self.qop = (fields["qop"] ?? "").split(separator: ",").map { $0.trimmingSpaces.lowercased() }.filter { !$0.isEmpty }
        self.stale = fields["stale"]?.lowercased() == "true"
    }

    /// `key=value` or `key="quoted, value"` pairs, keys lower-cased.
    static func parameters(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for part in SIPHeaders.splitList(text) {
            guard let equals = part.firstIndex(of: "=") else { continue }
            let key = part[..<equals].trimmingSpaces.lowercased()
            var value = part[part.index(after: equals)...].trimmingSpaces
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = value.dropFirst().dropLast()
            }
            result[key] = value.replacingOccurrences(of: "\\\"", with: "\"")
        }
        return result
    }
}

public enum DigestAlgorithm: String, Sendable {
    case md5 = "MD5"
    case md5Session = "MD5-SESS"
    case sha256 = "SHA-256"
    case sha256Session = "SHA-256-SESS"

    /// The name as sent back in the Authorization header.
    var headerName: String {
        switch self {
        case .md5: "MD5"
        case .md5Session: "MD5-sess"
        case .sha256: "SHA-256"
        case .sha256Session: "SHA-256-sess"
        }
    }

    func hash(_ text: String) -> String {
        let data = Array(text.utf8)
        switch self {
        case .md5, .md5Session: return Insecure.MD5.hash(data: data).hex
        case .sha256, .sha256Session: return SHA256.hash(data: data).hex
        }
    }

    var isSession: Bool { self == .md5Session || self == .sha256Session }
}

public enum SIPAuthError: Error, Equatable, Sendable, CustomStringConvertible {
    case unsupportedScheme(String)
    case unsupportedAlgorithm(String)
    case malformedChallenge(String)
    case noCredentials(realm: String)
    case rejected(realm: String)

    public var description: String {
        switch self {
        case .unsupportedScheme(let scheme): "the server asks for authentication scheme '\(scheme)'; only Digest is supported"
        case .unsupportedAlgorithm(let name): "the server asks for digest algorithm '\(name)'; MD5 and SHA-256 are supported"
        case .malformedChallenge(let text): "malformed authentication challenge '\(text.prefix(120))'"
        case .noCredentials(let realm): "the server asks for a password (realm \"\(realm)\") but none is configured: set sip.username and sip.password"
        case .rejected(let realm): "the server refused the username and password for realm \"\(realm)\": check sip.username and sip.password"
        }
    }
}

/// Answers digest challenges for one account, counting nonce uses (nc) so
/// repeated requests with the same nonce stay valid.
public struct DigestAuthenticator: Sendable {
    public var username: String
    public var password: String
    private var nonceCounts: [String: UInt32] = [:]
    private let makeCNonce: @Sendable () -> String

    public init(username: String, password: String, cnonce: @escaping @Sendable () -> String = { randomToken(16) }) {
        self.username = username
        self.password = password
        self.makeCNonce = cnonce
    }

    /// The `Authorization` / `Proxy-Authorization` value for `method` on `uri`.
    public mutating func authorization(for challenge: DigestChallenge, method: String, uri: String) -> String {
        let count = (nonceCounts[challenge.nonce] ?? 0) + 1
        nonceCounts[challenge.nonce] = count
        let nc = String(count, radix: 16).leftPadded(to: 8)
        let cnonce = makeCNonce()
        let algorithm = challenge.algorithm
        var ha1 = algorithm.hash("\(username):\(challenge.realm):\(password)")
        if algorithm.isSession { ha1 = algorithm.hash("\(ha1):\(challenge.nonce):\(cnonce)") }
        let ha2 = algorithm.hash("\(method):\(uri)")
        let useQop = challenge.qop.contains("auth")
        let response = useQop
            ? algorithm.hash("\(ha1):\(challenge.nonce):\(nc):\(cnonce):auth:\(ha2)")
            : algorithm.hash("\(ha1):\(challenge.nonce):\(ha2)")
        var fields = [
            "username=\"\(username)\"", "realm=\"\(challenge.realm)\"", "nonce=\"\(challenge.nonce)\"",
            "uri=\"\(uri)\"", "response=\"\(response)\"", "algorithm=\(algorithm.headerName)",
        ]
        if useQop || algorithm.isSession { fields += ["cnonce=\"\(cnonce)\""] }
        if useQop { fields += ["qop=auth", "nc=\(nc)"] }
        if let opaque = challenge.opaque { fields.append("opaque=\"\(opaque)\"") }
        return "Digest " + fields.joined(separator: ", ")
    }
}

extension Sequence<UInt8> {
    var hex: String { map { String($0, radix: 16).leftPadded(to: 2) }.joined() }
}

extension Digest {
    var hex: String { Array(self).hex }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// A random token of letters and digits, for tags, branches and cnonces.
public func randomToken(_ length: Int) -> String {
    let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
    var generator = SystemRandomNumberGenerator()
    return String((0..<length).map { _ in alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))] })
}

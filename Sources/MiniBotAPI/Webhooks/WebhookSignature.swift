import Crypto
import Foundation
import MiniBotCore

/// The `X-MiniBot-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256>`
/// of `"<t>.<body>"` under the endpoint's secret. A receiver recomputes it,
/// compares in constant time, and refuses a `t` too far from its clock
/// (replays).
public enum WebhookSignature {
    public static let header = "X-MiniBot-Signature"

    public static func value(body: Data, secret: String, timestamp: Int) -> String {
        "t=\(timestamp),v1=\(hex(body: body, secret: secret, timestamp: timestamp))"
    }

    static func hex(body: Data, secret: String, timestamp: Int) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return lowercaseHex(mac)
    }

    /// True when `header` signs `body` under `secret` with a timestamp within
    /// `tolerance` seconds of `now`: what a receiver does, here for tests and docs.
    public static func verify(header: String, body: Data, secret: String, now: Date, tolerance: TimeInterval = 300) -> Bool {
        var timestamp: Int?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int(pair[1]) }
            if pair[0] == "v1" { signatures.append(pair[1]) }
        }
        guard let timestamp, abs(now.timeIntervalSince1970 - Double(timestamp)) <= tolerance else { return false }
        let expected = Array(hex(body: body, secret: secret, timestamp: timestamp).utf8)
        return signatures.contains { candidate in
            let given = Array(candidate.utf8)
            guard given.count == expected.count else { return false }
            return zip(given, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
        }
    }
}

import Foundation
import MiniBotCore

/// A place in the newest-first order of calls (start time, then id, both
/// descending): the last call of a page. ``CallQuery/after`` lists the calls
/// that come after it, which both stores find by walking the `calls_newest`
/// index from that place (keyset pagination): a page deep in a million calls
/// costs what the first page costs, where an `OFFSET` walks every call before it.
///
/// Clients see it as an opaque ``token``.
public struct CallCursor: Sendable, Hashable {
    /// The call's start, in whole microseconds since 1970 (PostgreSQL's
    /// precision; SQLite keeps milliseconds, whole thousands here).
    public var startedAtMicroseconds: Int64
    public var callID: String

    public init(startedAtMicroseconds: Int64, callID: String) {
        self.startedAtMicroseconds = startedAtMicroseconds
        self.callID = callID
    }

    /// The place just after `call`.
    public init(after call: Call) {
        self.init(startedAtMicroseconds: Int64((call.startedAt.timeIntervalSince1970 * 1_000_000).rounded()), callID: call.callID)
    }

    /// `v1.<microseconds>.<call id>`, base64url without padding.
    public var token: String {
        Data("v1.\(startedAtMicroseconds).\(callID)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Nil when `token` is not one ``token`` wrote.
    public init?(token: String) {
        guard !token.isEmpty, token.count <= 1_024, !token.contains("=") else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "v1", let micros = Int64(parts[1]), !parts[2].isEmpty else { return nil }
        self.init(startedAtMicroseconds: micros, callID: String(parts[2]))
    }

    /// The start in SQLite's milliseconds.
    var startedAtMilliseconds: Int64 { startedAtMicroseconds / 1_000 }
}

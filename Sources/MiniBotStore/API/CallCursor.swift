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
        self.init(startedAtMicroseconds: PageToken.microseconds(call.startedAt), callID: call.callID)
    }

    /// `v1.<microseconds>.<call id>`, base64url without padding.
    public var token: String { PageToken.encode("v1", [String(startedAtMicroseconds), callID]) }

    /// Nil when `token` is not one ``token`` wrote.
    public init?(token: String) {
        guard let fields = PageToken.decode(token, prefix: "v1", count: 2), let micros = Int64(fields[0]) else { return nil }
        self.init(startedAtMicroseconds: micros, callID: fields[1])
    }

    /// The start in SQLite's milliseconds.
    var startedAtMilliseconds: Int64 { startedAtMicroseconds / 1_000 }
}

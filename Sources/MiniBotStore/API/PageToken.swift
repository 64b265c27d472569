import Foundation

/// The text of an opaque page cursor: `prefix.field.field…` in base64url
/// without padding. Clients pass it back untouched; the last field may hold dots.
enum PageToken {
    static func encode(_ prefix: String, _ fields: [String]) -> String {
        Data(([prefix] + fields).joined(separator: ".").utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The `count` fields after `prefix`, none empty; nil when `token` is not one ``encode(_:_:)`` wrote.
    static func decode(_ token: String, prefix: String, count: Int) -> [String]? {
        guard !token.isEmpty, token.count <= 1_024, !token.contains("=") else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: ".", maxSplits: count, omittingEmptySubsequences: false)
        guard parts.count == count + 1, parts[0] == prefix, parts.dropFirst().allSatisfy({ !$0.isEmpty }) else { return nil }
        return parts.dropFirst().map(String.init)
    }

    /// A time in whole microseconds since 1970, as PostgreSQL keeps it (a cursor's place).
    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }
}

/// A place in the phone order of contacts: the last contact of a page
/// (``ContactQuery/after``), seen by clients as an opaque ``token``.
public struct ContactCursor: Sendable, Hashable {
    public var phone: String

    public init(phone: String) { self.phone = phone }

    public var token: String { PageToken.encode("c1", [phone]) }

    public init?(token: String) {
        guard let fields = PageToken.decode(token, prefix: "c1", count: 1) else { return nil }
        self.init(phone: fields[0])
    }
}

/// A place in the opt-out list's order (newest first, then by key, descending): the last
/// entry of a page, seen by clients as an opaque ``token``.
public struct OptOutCursor: Sendable, Hashable {
    /// When the entry was added, in whole microseconds since 1970 (SQLite keeps milliseconds).
    public var addedAtMicroseconds: Int64
    public var key: String

    public init(addedAtMicroseconds: Int64, key: String) {
        self.addedAtMicroseconds = addedAtMicroseconds
        self.key = key
    }

    /// The place just after `entry`.
    public init(after entry: OptOutEntry) {
        self.init(addedAtMicroseconds: PageToken.microseconds(entry.addedAt), key: entry.key)
    }

    public var token: String { PageToken.encode("o1", [String(addedAtMicroseconds), key]) }

    public init?(token: String) {
        guard let fields = PageToken.decode(token, prefix: "o1", count: 2), let micros = Int64(fields[0]) else { return nil }
        self.init(addedAtMicroseconds: micros, key: fields[1])
    }
}

/// A SIP request or response (RFC 3261 §7): a start line, ordered headers and
/// a body. Parse one with ``init(parsing:)``; ``bytes`` serialises it.
public struct SIPMessage: Sendable, Equatable {
    public enum StartLine: Sendable, Equatable {
        case request(method: String, uri: String)
        case response(code: Int, reason: String)
    }

    public var startLine: StartLine
    public var headers: SIPHeaders
    public var body: [UInt8]

    public init(startLine: StartLine, headers: SIPHeaders = SIPHeaders(), body: [UInt8] = []) {
        self.startLine = startLine
        self.headers = headers
        self.body = body
    }

    public static func request(_ method: String, uri: String, headers: SIPHeaders = SIPHeaders(), body: [UInt8] = []) -> SIPMessage {
        SIPMessage(startLine: .request(method: method, uri: uri), headers: headers, body: body)
    }

    public var method: String? {
        if case .request(let method, _) = startLine { return method }
        return nil
    }

    public var statusCode: Int? {
        if case .response(let code, _) = startLine { return code }
        return nil
    }

    public var isRequest: Bool { method != nil }

    /// The method of the CSeq header: for responses, what they answer.
    public var cseq: CSeq? { headers["CSeq"].flatMap(CSeq.init(parsing:)) }

    public var callID: String? { headers["Call-ID"] }

    /// The top Via.
    public var via: Via? { headers.values("Via").first.flatMap { try? Via(parsing: $0) } }

    /// The message as bytes on the wire; Content-Length is set from the body.
    public var bytes: [UInt8] {
        var out = ""
        switch startLine {
        case .request(let method, let uri): out += "\(method) \(uri) SIP/2.0\r\n"
        case .response(let code, let reason): out += "SIP/2.0 \(code) \(reason)\r\n"
        }
        for header in headers where header.name != "Content-Length" {
            out += "\(header.name): \(header.value)\r\n"
        }
        out += "Content-Length: \(body.count)\r\n\r\n"
        return Array(out.utf8) + body
    }
}

/// A message's headers in order, names in their canonical form; lookups
/// ignore case and accept compact forms (`i` for Call-ID, `v` for Via…).
public struct SIPHeaders: Sendable, Equatable, Sequence {
    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    private var storage: [Header] = []

    public init(_ pairs: [(String, String)] = []) {
        for (name, value) in pairs { add(name, value) }
    }

    public func makeIterator() -> IndexingIterator<[Header]> { storage.makeIterator() }

    public var count: Int { storage.count }

    public mutating func add(_ name: String, _ value: String) {
        storage.append(Header(name: Self.canonical(name), value: value))
    }

    /// Replaces every header of that name by one with `value` (added last if absent).
    public mutating func set(_ name: String, _ value: String) {
        let canonical = Self.canonical(name)
        if let index = storage.firstIndex(where: { $0.name == canonical }) {
            storage[index].value = value
            storage = storage.enumerated().filter { $0.offset == index || $0.element.name != canonical }.map(\.element)
        } else {
            storage.append(Header(name: canonical, value: value))
        }
    }

    public mutating func remove(_ name: String) {
        let canonical = Self.canonical(name)
        storage.removeAll { $0.name == canonical }
    }

    /// Inserts a header before every other (a new top Via).
    public mutating func prepend(_ name: String, _ value: String) {
        storage.insert(Header(name: Self.canonical(name), value: value), at: 0)
    }

    /// The first value of a header.
    public subscript(name: String) -> String? {
        let canonical = Self.canonical(name)
        return storage.first { $0.name == canonical }?.value
    }

    /// Every value of a header, comma-separated lists split (outside quotes and `<>`).
    public func values(_ name: String) -> [String] {
        let canonical = Self.canonical(name)
        return storage.filter { $0.name == canonical }.flatMap { Self.splitList($0.value) }
    }

    static let compactForms: [String: String] = [
        "i": "Call-ID", "m": "Contact", "e": "Content-Encoding", "l": "Content-Length", "c": "Content-Type",
        "f": "From", "s": "Subject", "k": "Supported", "t": "To", "v": "Via", "o": "Event", "r": "Refer-To",
        "u": "Allow-Events", "x": "Session-Expires", "a": "Accept-Contact", "b": "Referred-By", "j": "Reject-Contact",
    ]

    static let canonicalNames: [String: String] = {
        let names = [
            "Via", "From", "To", "Call-ID", "CSeq", "Contact", "Max-Forwards", "Content-Type", "Content-Length",
            "Record-Route", "Route", "WWW-Authenticate", "Proxy-Authenticate", "Authorization", "Proxy-Authorization",
            "User-Agent", "Server", "Allow", "Supported", "Require", "Expires", "P-Asserted-Identity", "Reason",
            "Retry-After", "Subject", "Content-Encoding", "Accept", "Event", "Session-Expires", "Min-Expires",
            "Unsupported", "Warning", "Date", "Timestamp", "Refer-To", "Referred-By", "Allow-Events", "Organization",
            "Privacy", "Remote-Party-ID", "Diversion", "Min-SE", "RSeq", "RAck", "Accept-Contact", "Reject-Contact",
        ]
        return Dictionary(uniqueKeysWithValues: names.map { ($0.lowercased(), $0) })
    }()

    static func canonical(_ name: String) -> String {
        let lower = name.lowercased()
        if lower.count == 1, let long = compactForms[lower] { return long }
        return canonicalNames[lower] ?? name
    }

    /// Splits `a, "b, c" <d,e>, f` at top-level commas.
    static func splitList(_ value: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var inQuotes = false, inAngle = false, escaped = false
        for character in value {
            if escaped { current.append(character); escaped = false; continue }
            switch character {
            case "\\" where inQuotes: escaped = true; current.append(character)
            case "\"": inQuotes.toggle(); current.append(character)
            case "<" where !inQuotes: inAngle = true; current.append(character)
            case ">" where !inQuotes: inAngle = false; current.append(character)
            case "," where !inQuotes && !inAngle:
                parts.append(current.trimmedSpaces)
                current = ""
            default: current.append(character)
            }
        }
        let last = current.trimmedSpaces
        if !last.isEmpty || parts.isEmpty { parts.append(last) }
        return parts.filter { !$0.isEmpty }
    }
}

extension String {
    var trimmedSpaces: String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}

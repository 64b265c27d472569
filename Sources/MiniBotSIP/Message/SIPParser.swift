/// Why bytes are not a SIP message we accept.
public enum SIPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case tooLarge(Int)
    case tooManyHeaders
    case incompleteHeaders
    case badStartLine(String)
    case badHeader(String)
    case missingHeader(String)
    case badContentLength(String)
    case truncatedBody(expected: Int, got: Int)
    case notUTF8

    public var description: String {
        switch self {
        case .empty: "empty message"
        case .tooLarge(let size): "message of \(size) bytes is larger than the \(SIPMessage.maximumSize)-byte limit"
        case .tooManyHeaders: "more than \(SIPMessage.maximumHeaders) headers"
        case .incompleteHeaders: "the headers do not end with an empty line"
        case .badStartLine(let line): "bad start line '\(line.prefix(80))'"
        case .badHeader(let line): "bad header line '\(line.prefix(80))'"
        case .missingHeader(let name): "the mandatory header \(name) is missing"
        case .badContentLength(let value): "bad Content-Length '\(value)'"
        case .truncatedBody(let expected, let got): "the body is \(got) bytes where Content-Length says \(expected)"
        case .notUTF8: "the headers are not valid UTF-8"
        }
    }
}

extension SIPMessage {
    /// Larger datagrams are refused outright (RFC 3261 keeps UDP under the MTU;
    /// 64 KiB leaves room for TCP).
    public static let maximumSize = 65_535
    public static let maximumHeaders = 256
    static let mandatoryHeaders = ["Via", "From", "To", "Call-ID", "CSeq"]

    /// Parses one complete message (a UDP datagram, or one framed from a TCP
    /// stream by ``SIPStreamFramer``).
    ///
    /// Tolerant where real peers differ (header case, compact names, line
    /// folding, LF without CR, extra spaces, leading CRLF keep-alives) and
    /// strict where it matters (start line, mandatory headers, Content-Length).
    public init(parsing bytes: some Collection<UInt8>) throws(SIPParseError) {
        guard bytes.count <= Self.maximumSize else { throw .tooLarge(bytes.count) }
        var data = Array(bytes)[...]
        while let first = data.first, first == 13 || first == 10 { data.removeFirst() }
        guard !data.isEmpty else { throw .empty }
        guard let (headerEnd, bodyStart) = Self.findHeaderEnd(data) else { throw .incompleteHeaders }
        guard let head = String(validating: data[data.startIndex..<headerEnd], as: UTF8.self) else { throw .notUTF8 }

        var lines: [String] = []
        // "\r\n" is one Character in Swift: split on every kind of line end.
        for raw in head.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = Substring(raw)
            if let first = line.first, first == " " || first == "\t", !lines.isEmpty {
                // Folded continuation of the previous header (RFC 3261 §7.3.1).
                lines[lines.count - 1] += " " + line.drop { $0 == " " || $0 == "\t" }
            } else {
                lines.append(String(line))
            }
        }
        guard let start = lines.first else { throw .empty }
        startLine = try Self.parseStartLine(start)

        var headers = SIPHeaders()
        for line in lines.dropFirst() where !line.isEmpty {
            guard headers.count < Self.maximumHeaders else { throw .tooManyHeaders }
            guard let colon = line.firstIndex(of: ":") else { throw .badHeader(line) }
            let name = line[..<colon].trimmingSpaces
            guard !name.isEmpty, name.allSatisfy(\.isTokenCharacter) else { throw .badHeader(line) }
            headers.add(String(name), String(line[line.index(after: colon)...]).trimmedSpaces)
        }
        for name in Self.mandatoryHeaders where headers[name] == nil {
            throw .missingHeader(name)
        }
        guard headers["CSeq"].flatMap(CSeq.init(parsing:)) != nil else { throw .badHeader("CSeq: \(headers["CSeq"] ?? "")") }
        self.headers = headers

        let available = data.count - (bodyStart - data.startIndex)
        if let lengthText = headers["Content-Length"] {
            guard let length = Int(lengthText), length >= 0, length <= Self.maximumSize else { throw .badContentLength(lengthText) }
            guard length <= available else { throw .truncatedBody(expected: length, got: available) }
            body = Array(data[bodyStart..<(bodyStart + length)])
        } else {
            body = Array(data[bodyStart...])
        }
    }

    /// The end of the header block and the start of the body.
    static func findHeaderEnd(_ data: ArraySlice<UInt8>) -> (Int, Int)? {
        var index = data.startIndex
        while index < data.endIndex {
            if data[index] == 10 {
                let next = index + 1
                if next < data.endIndex, data[next] == 10 { return (index, next + 1) }
                if next + 1 < data.endIndex, data[next] == 13, data[next + 1] == 10 { return (index, next + 2) }
            }
            index += 1
        }
        return nil
    }

    static func parseStartLine(_ line: String) throws(SIPParseError) -> StartLine {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2 else { throw .badStartLine(line) }
        if parts[0].uppercased() == "SIP/2.0" {
            guard let code = Int(parts[1]), (100...699).contains(code), parts[1].count == 3 else { throw .badStartLine(line) }
            return .response(code: code, reason: parts.count > 2 ? String(parts[2]) : "")
        }
        guard parts.count == 3, parts[2].uppercased() == "SIP/2.0", parts[0].allSatisfy(\.isTokenCharacter),
              parts[1].contains(":") else { throw .badStartLine(line) }
        return .request(method: String(parts[0]), uri: String(parts[1]))
    }
}

/// Cuts a TCP byte stream into SIP messages using Content-Length (RFC 3261 §18.3).
public struct SIPStreamFramer: Sendable {
    private var buffer: [UInt8] = []

    public init() {}

    /// Appends `bytes` and returns every complete message; throws when the
    /// stream cannot be framed (the connection should then be closed).
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(SIPParseError) -> [SIPMessage] {
        buffer.append(contentsOf: bytes)
        var messages: [SIPMessage] = []
        while true {
            while let first = buffer.first, first == 13 || first == 10 { buffer.removeFirst() }
            guard let (headerEnd, bodyStart) = SIPMessage.findHeaderEnd(buffer[...]) else {
                if buffer.count > SIPMessage.maximumSize { throw .tooLarge(buffer.count) }
                return messages
            }
            let head = String(decoding: buffer[..<headerEnd], as: UTF8.self)
            var length = 0
            for line in head.split(whereSeparator: \.isNewline) {
                let lower = line.lowercased()
                if lower.hasPrefix("content-length:") || lower.hasPrefix("l:") {
                    let value = line[line.index(after: line.firstIndex(of: ":")!)...].trimmingSpaces
                    guard let parsed = Int(value), parsed >= 0, parsed <= SIPMessage.maximumSize else { throw .badContentLength(String(value)) }
                    length = parsed
                }
            }
            guard buffer.count >= bodyStart + length else { return messages }
            let message = try SIPMessage(parsing: buffer[..<(bodyStart + length)])
            buffer.removeFirst(bodyStart + length)
            messages.append(message)
        }
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var slice = self
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return slice
    }
}

extension Character {
    /// RFC 3261 `token` characters.
    var isTokenCharacter: Bool {
        guard isASCII, let ascii = asciiValue else { return false }
        switch ascii {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "-.!%*_+`'~".contains(self)
        }
    }
}

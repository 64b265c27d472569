import Foundation
import Hummingbird
import MiniBotCore
import NIOCore

/// JSON written straight into bytes, for the responses a busy API
/// sends most: pages of calls and a call with its turns. Foundation's
/// `JSONEncoder` spent half the server's time on a page of 50 calls (boxing
/// every value, generic metadata, a calendar per date); this writes the same
/// bytes ``APIJSON/encoder`` writes — sorted keys, unescaped slashes, absent
/// optionals left out, ISO 8601 dates in UTC to the second — and a test holds
/// the two equal for every type written here.
///
/// Members of an object are written in sorted key order by the caller.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    /// Whether the next value in the current object or array needs a comma first.
    private var needsComma = false

    init(capacity: Int = 1_024) {
        bytes.reserveCapacity(capacity)
    }

    mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// A member's key; its value follows. Keys are the types' own coding keys: plain ASCII.
    mutating func key(_ key: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        append(key)
        append("\":")
        needsComma = false
    }

    mutating func value(_ text: String) {
        separate()
        writeQuoted(text)
        needsComma = true
    }

    mutating func value(_ flag: Bool) {
        separate()
        append(flag ? "true" : "false")
        needsComma = true
    }

    mutating func value(_ number: Int) {
        separate()
        bytes.append(contentsOf: String(number).utf8)
        needsComma = true
    }

    /// As `JSONEncoder`: the shortest text that reads back as the same
    /// double, without a trailing `.0`. Not a number and infinities have no
    /// JSON form: `null` (the types written here never hold them).
    mutating func value(_ number: Double) {
        separate()
        if number.isFinite {
            var text = number.description
            if text.hasSuffix(".0") { text.removeLast(2) }
            bytes.append(contentsOf: text.utf8)
        } else {
            append("null")
        }
        needsComma = true
    }

    /// `2026-11-28T09:00:00Z`: UTC, whole seconds (the fraction dropped, as `.iso8601` does).
    mutating func value(_ date: Date) {
        separate()
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        var days = seconds / 86_400
        var second = seconds % 86_400
        if second < 0 { second += 86_400; days -= 1 }
        let civil = LocalDate(daysSinceEpoch: Int(days))
        let (year, month, day) = (Int64(civil.year), Int64(civil.month), Int64(civil.day))
        guard (0...9_999).contains(year) else {
            writeQuoted(date.formatted(.iso8601))
            needsComma = true
            return
        }
        var text: [UInt8] = Array(repeating: 0, count: 22)
        text[0] = UInt8(ascii: "\"")
        Self.digits(year, count: 4, into: &text, at: 1)
        text[5] = UInt8(ascii: "-")
        Self.digits(month, count: 2, into: &text, at: 6)
        text[8] = UInt8(ascii: "-")
        Self.digits(day, count: 2, into: &text, at: 9)
        text[11] = UInt8(ascii: "T")
        Self.digits(second / 3_600, count: 2, into: &text, at: 12)
        text[14] = UInt8(ascii: ":")
        Self.digits(second / 60 % 60, count: 2, into: &text, at: 15)
        text[17] = UInt8(ascii: ":")
        Self.digits(second % 60, count: 2, into: &text, at: 18)
        text[20] = UInt8(ascii: "Z")
        text[21] = UInt8(ascii: "\"")
        bytes.append(contentsOf: text)
        needsComma = true
    }

    /// Writes `key` and the value, or nothing when the value is absent (`encodeIfPresent`).
    mutating func member(_ key: StaticString, _ text: String?) {
        guard let text else { return }
        self.key(key)
        value(text)
    }

    mutating func member(_ key: StaticString, _ date: Date?) {
        guard let date else { return }
        self.key(key)
        value(date)
    }

    mutating func member(_ key: StaticString, _ number: Double?) {
        guard let number else { return }
        self.key(key)
        value(number)
    }

    mutating func member(_ key: StaticString, _ number: Int?) {
        guard let number else { return }
        self.key(key)
        value(number)
    }

    mutating func member(_ key: StaticString, _ flag: Bool) {
        self.key(key)
        value(flag)
    }

    mutating func member(_ key: StaticString, _ value: some JSONWritable) {
        self.key(key)
        value.write(to: &self)
    }

    mutating func member(_ key: StaticString, _ values: [some JSONWritable]) {
        self.key(key)
        beginArray()
        for value in values { value.write(to: &self) }
        endArray()
    }

    private mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    /// A JSON string: quote, backslash and control characters escaped as `JSONEncoder` escapes them.
    private mutating func writeQuoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var start = 0
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes.append(contentsOf: utf8[start..<index])
                switch byte {
                case UInt8(ascii: "\""): append("\\\"")
                case UInt8(ascii: "\\"): append("\\\\")
                case 0x08: append("\\b")
                case 0x0C: append("\\f")
                case 0x0A: append("\\n")
                case 0x0D: append("\\r")
                case 0x09: append("\\t")
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    append("\\u00")
                    bytes.append(hex[Int(byte >> 4)])
                    bytes.append(hex[Int(byte & 0x0F)])
                }
                start = index + 1
            }
            bytes.append(contentsOf: utf8[start...])
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func digits(_ value: Int64, count: Int, into text: inout [UInt8], at offset: Int) {
        var value = value
        for position in stride(from: offset + count - 1, through: offset, by: -1) {
            text[position] = UInt8(ascii: "0") + UInt8(value % 10)
            value /= 10
        }
    }
}

/// A value that writes itself with ``JSONWriter``, exactly as its `Encodable`
/// conformance would through ``APIJSON/encoder``.
protocol JSONWritable {
    func write(to json: inout JSONWriter)
}

/// A response whose body ``JSONWriter`` writes.
struct JSONResponse<Value: JSONWritable>: ResponseGenerator {
    var value: Value

    init(_ value: Value) { self.value = value }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var json = JSONWriter()
        value.write(to: &json)
        let body = ByteBuffer(bytes: json.bytes)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.contentLength] = String(body.readableBytes)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }
}

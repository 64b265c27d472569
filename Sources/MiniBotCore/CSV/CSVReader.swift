/// One row of a CSV file, with the physical line it starts on (1-based).
public struct CSVRecord: Sendable, Equatable {
    public var fields: [String]
    public var line: Int
    /// Fields that were not valid UTF-8 and were read as Windows-1252 instead
    /// (what Excel writes for "CSV (séparateur: point-virgule)" on a French Windows).
    public var windows1252Fields: Int

    public init(fields: [String], line: Int, windows1252Fields: Int = 0) {
        self.fields = fields
        self.line = line
        self.windows1252Fields = windows1252Fields
    }
}

public enum CSVError: Error, Equatable, Sendable, CustomStringConvertible {
    case unterminatedQuote(line: Int)
    case fieldTooLong(line: Int, limit: Int)

    public var description: String {
        switch self {
        case .unterminatedQuote(let line):
            "the quoted field that starts on line \(line) is never closed: check for a missing \" in that row"
        case .fieldTooLong(let line, let limit):
            "a field of the row starting on line \(line) is longer than \(limit / 1024) KiB: most likely a \" opened and never closed"
        }
    }
}

/// A streaming RFC 4180 reader: feed it chunks of bytes as they are read and
/// it hands back complete records; memory stays bounded by the longest row.
///
/// - Accepts `,`, `;` or tab, guessed from the header line when not given.
/// - Skips a UTF-8 byte-order mark; accepts CRLF, LF and CR line ends.
/// - Quoted fields may hold delimiters, `""` and line breaks, kept byte for byte.
/// - Tolerates what spreadsheets write: a stray quote inside an unquoted field
///   is kept as a character; text after a closing quote is appended.
public struct CSVReader: Sendable {
    public private(set) var delimiter: UInt8?
    /// The longest field accepted, so a missing closing quote cannot eat the
    /// whole file into memory.
    public let maxFieldBytes: Int

    private enum State: Sendable { case fieldStart, unquoted, quoted, quoteInQuoted }
    private var state: State = .fieldStart
    private var field: [UInt8] = []
    private var fields: [String] = []
    private var fallbacks = 0
    private var line = 1
    private var recordLine = 1
    private var lastWasCR = false
    private var atStart = true
    private var bomMatched = 0
    /// Bytes held back until the header line tells the delimiter.
    private var pending: [UInt8] = []

    public init(delimiter: UInt8? = nil, maxFieldBytes: Int = 1 << 20) {
        self.delimiter = delimiter
        self.maxFieldBytes = maxFieldBytes
    }

    /// Parses `chunk` and appends every record it completes to `records`.
    public mutating func feed(_ chunk: some Collection<UInt8>, into records: inout [CSVRecord]) throws(CSVError) {
        var bytes = chunk[...]
        while atStart, let byte = bytes.first {
            let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
            if byte == bom[bomMatched] {
                bomMatched += 1
                bytes = bytes.dropFirst()
                if bomMatched == 3 { atStart = false }
            } else {
                if bomMatched > 0 { pending.append(contentsOf: bom[..<bomMatched]) }
                atStart = false
            }
        }
        if delimiter == nil {
            pending.append(contentsOf: bytes)
            guard let guess = Self.guessDelimiter(pending) else { return }
            delimiter = guess
            let held = pending
            pending = []
            try parse(held, into: &records)
            return
        }
        try parse(bytes, into: &records)
    }

    /// Ends the input: returns the last record if the file did not end with a line break.
    public mutating func finish(into records: inout [CSVRecord]) throws(CSVError) {
        if delimiter == nil {
            delimiter = Self.guessDelimiter(pending, atEnd: true) ?? UInt8(ascii: ",")
            let held = pending
            pending = []
            try parse(held, into: &records)
        }
        switch state {
        case .quoted:
            throw .unterminatedQuote(line: recordLine)
        case .fieldStart where fields.isEmpty:
            return
        default:
            endRecord(into: &records)
        }
    }

    private mutating func parse(_ bytes: some Collection<UInt8>, into records: inout [CSVRecord]) throws(CSVError) {
        let delimiter = self.delimiter!
        let quote = UInt8(ascii: "\"")
        let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        for byte in bytes {
            let isNewline = byte == lf || byte == cr
            // Count physical lines; CRLF is one line break.
            if isNewline {
                if !(byte == lf && lastWasCR) { line += 1 }
                lastWasCR = byte == cr
            } else {
                lastWasCR = false
            }
            switch state {
            case .fieldStart, .unquoted:
                if byte == delimiter {
                    endField()
                } else if isNewline {
                    if state == .fieldStart && fields.isEmpty {
                        recordLine = line // a blank line, or the LF of a CRLF
                        continue
                    }
                    endRecord(into: &records)
                } else if byte == quote && state == .fieldStart {
                    state = .quoted
                } else {
                    state = .unquoted
                    try append(byte)
                }
            case .quoted:
                if byte == quote {
                    state = .quoteInQuoted
                } else {
                    try append(byte)
                }
            case .quoteInQuoted:
                if byte == quote {
                    try append(quote)
                    state = .quoted
                } else if byte == delimiter {
                    endField()
                } else if isNewline {
                    endRecord(into: &records)
                } else {
                    state = .unquoted
                    try append(byte)
                }
            }
        }
    }

    private mutating func append(_ byte: UInt8) throws(CSVError) {
        guard field.count < maxFieldBytes else { throw .fieldTooLong(line: recordLine, limit: maxFieldBytes) }
        field.append(byte)
    }

    private mutating func endField() {
        if let text = String(validating: field, as: UTF8.self) {
            fields.append(text)
        } else {
            fields.append(Windows1252.decode(field))
            fallbacks += 1
        }
        field.removeAll(keepingCapacity: true)
        state = .fieldStart
    }

    private mutating func endRecord(into records: inout [CSVRecord]) {
        endField()
        records.append(CSVRecord(fields: fields, line: recordLine, windows1252Fields: fallbacks))
        fields.removeAll(keepingCapacity: true)
        fallbacks = 0
        recordLine = line
    }

    /// Picks the delimiter that occurs most often outside quotes on the first
    /// line; nil while that line is not complete yet.
    static func guessDelimiter(_ bytes: [UInt8], atEnd: Bool = false) -> UInt8? {
        var counts: [UInt8: Int] = [UInt8(ascii: ","): 0, UInt8(ascii: ";"): 0, UInt8(ascii: "\t"): 0]
        var inQuotes = false
        var complete = atEnd
        for byte in bytes {
            if byte == UInt8(ascii: "\"") { inQuotes.toggle(); continue }
            if inQuotes { continue }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { complete = true; break }
            if counts[byte] != nil { counts[byte]! += 1 }
        }
        guard complete else { return nil }
        let best = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }!
        return best.value > 0 ? best.key : UInt8(ascii: ",")
    }
}

/// Windows-1252, the legacy code page of French Windows spreadsheets.
enum Windows1252 {
    /// Unicode scalars of bytes 0x80…0x9F; the rest maps to Latin-1.
    private static let high: [UInt32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ]

    static func decode(_ bytes: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes {
            let value = (0x80...0x9F).contains(byte) ? high[Int(byte) - 0x80] : UInt32(byte)
            scalars.append(Unicode.Scalar(value)!)
        }
        return String(scalars)
    }
}

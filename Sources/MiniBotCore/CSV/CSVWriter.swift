import Foundation

/// Writes RFC 4180 CSV: CRLF line ends, fields quoted only when they hold the
/// delimiter, a quote or a line break, quotes doubled inside.
public struct CSVWriter: Sendable {
    public let delimiter: Character

    public init(delimiter: Character = ",") {
        self.delimiter = delimiter
    }

    /// One record, line end included.
    public func record(_ fields: [String]) -> String {
        var out = ""
        for (index, field) in fields.enumerated() {
            if index > 0 { out.append(delimiter) }
            out += escaped(field)
        }
        out += "\r\n"
        return out
    }

    public func escaped(_ field: String) -> String {
        let needsQuotes = field.contains { $0 == delimiter || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard needsQuotes else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

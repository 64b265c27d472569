import Foundation

/// An `application/x-www-form-urlencoded` body or query string.
public struct FormFields: Sendable, Equatable {
    public private(set) var values: [String: [String]] = [:]

    public init(_ encoded: String) {
        for pair in encoded.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            values[name, default: []].append(value)
        }
    }

    public init(values: [String: [String]]) {
        self.values = values
    }

    static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    public subscript(_ name: String) -> String? { values[name]?.first }

    /// The value trimmed, nil when absent or blank.
    public func text(_ name: String) -> String? {
        guard let value = self[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    public func all(_ name: String) -> [String] { values[name] ?? [] }
}

/// The parts of a `multipart/form-data` body (an upload form).
public struct MultipartForm: Sendable {
    public struct Part: Sendable {
        public var name: String
        public var filename: String?
        public var data: Data
    }

    public var parts: [Part]

    public func field(_ name: String) -> String? {
        parts.first { $0.name == name }.map { String(decoding: $0.data, as: UTF8.self) }
    }

    public func file(_ name: String) -> Part? { parts.first { $0.name == name } }

    /// The boundary of a `multipart/form-data; boundary=…` content type.
    public static func boundary(contentType: String) -> String? {
        guard contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }

    /// Parses `body`; parts without a name are dropped. Nil when the body has no such boundary.
    public init?(body: Data, boundary: String) {
        let delimiter = Data("--\(boundary)".utf8)
        let headerEnd = Data("\r\n\r\n".utf8)
        var parts: [Part] = []
        var searchStart = body.startIndex
        guard let first = body.range(of: delimiter, in: searchStart..<body.endIndex) else { return nil }
        searchStart = first.upperBound
        while true {
            // After a delimiter: "--" ends the body, CRLF starts a part.
            if body[searchStart...].starts(with: Data("--".utf8)) { break }
            guard body[searchStart...].starts(with: Data("\r\n".utf8)) else { break }
            let partStart = searchStart + 2
            guard let next = body.range(of: Data("\r\n".utf8) + delimiter, in: partStart..<body.endIndex) else { break }
            let part = body[partStart..<next.lowerBound]
            if let split = part.range(of: headerEnd) {
                let headers = String(decoding: part[part.startIndex..<split.lowerBound], as: UTF8.self)
                let content = Data(part[split.upperBound...])
                if let disposition = headers.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-disposition:") }),
                   let name = Self.parameter("name", in: String(disposition)) {
                    parts.append(Part(name: name, filename: Self.parameter("filename", in: String(disposition)), data: content))
                }
            }
            searchStart = next.upperBound
        }
        self.parts = parts
    }

    static func parameter(_ key: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == key {
                return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }
}

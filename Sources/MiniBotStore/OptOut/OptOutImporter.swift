import Foundation
import MiniBotCore

/// What an opt-out file import did.
public struct OptOutImportReport: Sendable, Equatable {
    /// Lines holding a number or a hash (blank lines and comments excluded).
    public var entries = 0
    public var numbers = 0
    public var hashes = 0
    /// Entries the list did not hold yet.
    public var added = 0
    /// Entries already listed, or repeated in the file.
    public var alreadyListed = 0
    /// Lines that are neither a number nor a SHA-256, with their reason.
    public var rejected: [RowRejection] = []

    public init() {}
}

/// Reads a Bloctel-style opt-out file: one number a line (E.164 or national,
/// in any usual spelling) or the lowercase-or-uppercase hex SHA-256 of the
/// E.164 string; blank lines and lines starting with `#` are ignored. The
/// valid lines are added in one transaction; bad ones are reported, never
/// imported.
public struct OptOutImporter: Sendable {
    public var parser: PhoneNumberParser
    private let store: any Store

    public init(store: any Store, parser: PhoneNumberParser) {
        self.store = store
        self.parser = parser
    }

    /// The entries of a file's text and its rejected lines. Pure.
    public static func parse(_ text: String, parser: PhoneNumberParser, source: String, at date: Date)
        -> (entries: [OptOutEntry], rejected: [RowRejection]) {
        var entries: [OptOutEntry] = []
        var rejected: [RowRejection] = []
        var number = 0
        // Windows line ends ("\r\n") are one Character: split on any line break.
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            number += 1
            var line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if number == 1, line.hasPrefix("\u{FEFF}") { line.removeFirst() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if OptOutEntry.isHash(line) {
                entries.append(OptOutEntry(key: line, hashed: true, source: source, addedAt: date))
                continue
            }
            do {
                entries.append(.number(try parser.parse(line).e164, source: source, at: date))
            } catch {
                let looksHashed = line.count > 32 && line.allSatisfy(\.isHexDigit)
                let reason = looksHashed ? "'\(line)' is not a SHA-256: \(line.count) hex digits where 64 are needed"
                                         : "'\(line)' is neither a phone number (\(error)) nor a SHA-256 (64 hex digits)"
                rejected.append(RowRejection(line: number, reason: reason))
            }
        }
        return (entries, rejected)
    }

    /// Imports the file at `path`; nothing is added if the store fails.
    public func importFile(at path: String, source: String, now: Date = Date()) async throws -> OptOutImportReport {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"
            throw ContactImportError.unreadable(path: path, reason: reason)
        }
        let (entries, rejected) = Self.parse(String(decoding: data, as: UTF8.self), parser: parser, source: source, at: now)
        var report = OptOutImportReport()
        report.entries = entries.count + rejected.count
        report.hashes = entries.filter(\.hashed).count
        report.numbers = entries.count - report.hashes
        report.rejected = rejected
        report.added = try await store.addOptOuts(entries)
        report.alreadyListed = entries.count - report.added
        return report
    }
}

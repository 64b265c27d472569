import Foundation

/// A contact as read from one CSV row, ready to be merged into the store.
public struct ContactUpsert: Sendable, Equatable {
    public var phone: PhoneNumber
    public var firstName: String
    public var lastName: String
    public var email: String
    public var company: String
    public var notes: String
    /// A status given by the file (an earlier export): applied to new
    /// contacts; on existing ones only `Opt_out` is applied.
    public var status: ContactStatus?
    /// Recorded prior consent, when the file gives one: replaces the stored
    /// date; nil keeps it (an import never clears consent).
    public var consentAt: Date?
    /// Where the consent came from; empty keeps the stored source.
    public var consentSource: String
    /// The line of the file the row started on.
    public var line: Int

    public init(phone: PhoneNumber, firstName: String = "", lastName: String = "", email: String = "",
                company: String = "", notes: String = "", status: ContactStatus? = nil,
                consentAt: Date? = nil, consentSource: String = "", line: Int = 0) {
        self.phone = phone
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.company = company
        self.notes = notes
        self.status = status
        self.consentAt = consentAt
        self.consentSource = consentSource
        self.line = line
    }
}

/// Why a row of a contacts file was not imported.
public struct RowRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var reason: String
    public var description: String { "line \(line): \(reason)" }

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }
}

/// What to do with columns the importer does not know.
public enum UnknownColumnPolicy: String, Sendable, CaseIterable {
    /// Drop them (with a warning naming them).
    case ignore
    /// Append `column: value` lines to the contact's notes.
    case notes
}

/// Reads the header row of a contacts file and turns each following row into
/// a ``ContactUpsert`` or a ``RowRejection``. Pure: no I/O.
public struct ContactRowMapper: Sendable {
    public enum HeaderError: Error, Equatable, Sendable, CustomStringConvertible {
        case missingPhoneColumn(found: [String])
        case duplicateColumn(String)

        public var description: String {
            switch self {
            case .missingPhoneColumn(let found):
                "the header row has no 'phone' column (found: \(found.joined(separator: ", "))); the first row must name the columns, e.g. phone,first_name,last_name,email,company,notes"
            case .duplicateColumn(let name):
                "the header row names the column '\(name)' twice"
            }
        }
    }

    private let columns: [ContactColumn?]
    private let headers: [String]
    private let parser: PhoneNumberParser
    private let unknownPolicy: UnknownColumnPolicy
    /// The import's time: what a consent of `yes` records.
    private let now: Date
    /// Header cells that name no known column, in file order.
    public let unknownColumns: [String]

    public init(header: [String], parser: PhoneNumberParser, unknownColumns: UnknownColumnPolicy = .ignore,
                now: Date = Date()) throws(HeaderError) {
        var seen = Set<ContactColumn>()
        var columns: [ContactColumn?] = []
        for cell in header {
            let column = ContactColumn(header: cell)
            if let column {
                guard seen.insert(column).inserted else { throw .duplicateColumn(column.rawValue) }
            }
            columns.append(column)
        }
        guard seen.contains(.phone) else { throw .missingPhoneColumn(found: header) }
        self.columns = columns
        self.headers = header
        self.parser = parser
        self.unknownPolicy = unknownColumns
        self.now = now
        self.unknownColumns = zip(header, columns).compactMap { $1 == nil && !$0.isEmpty ? $0 : nil }
    }

    public func map(_ record: CSVRecord) -> Result<ContactUpsert, RowRejection> {
        func reject(_ reason: String) -> Result<ContactUpsert, RowRejection> {
            .failure(RowRejection(line: record.line, reason: reason))
        }
        if record.fields.count > columns.count {
            return reject("\(record.fields.count) fields where the header has \(columns.count): a delimiter inside a field that is not quoted?")
        }
        var values: [ContactColumn: String] = [:]
        var extra: [String] = []
        for (index, value) in record.fields.enumerated() {
            if let column = columns[index] {
                values[column] = value
            } else if unknownPolicy == .notes, !value.isEmpty, !headers[index].isEmpty {
                extra.append("\(headers[index]): \(value)")
            }
        }
        let rawPhone = values[.phone] ?? ""
        let phone: PhoneNumber
        do {
            phone = try parser.parse(rawPhone)
        } catch {
            return reject(rawPhone.isEmpty ? "no phone number" : "phone '\(rawPhone)': \(error)")
        }
        let email = (values[.email] ?? "").trimmed
        if !email.isEmpty, !Self.looksLikeEmail(email) {
            return reject("email '\(email)' is not an address (expected name@domain)")
        }
        var status: ContactStatus?
        if let text = values[.status], !text.trimmed.isEmpty {
            guard let parsed = ContactStatus(lenient: text) else {
                let known = ContactStatus.allCases.map(\.rawValue).joined(separator: ", ")
                return reject("status '\(text)' is not one of \(known)")
            }
            status = parsed
        }
        var consentAt: Date?
        switch Self.consent(values[.consentAt] ?? "", now: now) {
        case .success(let date): consentAt = date
        case .failure(let error): return reject(error.reason)
        }
        var notes = values[.notes] ?? ""
        if !extra.isEmpty {
            notes = ([notes].filter { !$0.isEmpty } + extra).joined(separator: "\n")
        }
        return .success(ContactUpsert(
            phone: phone,
            firstName: (values[.firstName] ?? "").trimmed,
            lastName: (values[.lastName] ?? "").trimmed,
            email: email,
            company: (values[.company] ?? "").trimmed,
            notes: notes,
            status: status,
            consentAt: consentAt,
            consentSource: (values[.consentSource] ?? "").trimmed,
            line: record.line
        ))
    }

    struct ConsentError: Error { let reason: String }

    /// A consent cell: empty, `no`/`non`/`false`/`0` (no consent in this row,
    /// nil); `yes`/`oui`/`true`/`1`/`x` (consent recorded now); or its date:
    /// `2026-08-01`, `01/08/2026` (day first, midnight UTC), or an ISO 8601 time.
    static func consent(_ cell: String, now: Date) -> Result<Date?, ConsentError> {
        let text = cell.trimmed.lowercased()
        switch text {
        case "", "no", "non", "false", "faux", "n", "0": return .success(nil)
        case "yes", "oui", "true", "vrai", "y", "o", "1", "x": return .success(now)
        default: break
        }
        let reason = "consent '\(cell.trimmed)' is neither yes/no nor a date (2026-08-01, 01/08/2026 or 2026-08-01T10:00:00Z)"
        guard let date = day(text) ?? (try? Date(cell.trimmed, strategy: .iso8601)) else {
            return .failure(ConsentError(reason: reason))
        }
        if date > now.addingTimeInterval(86_400) {
            return .failure(ConsentError(reason: "consent date '\(cell.trimmed)' is in the future"))
        }
        return .success(date)
    }

    /// `YYYY-MM-DD` or `DD/MM/YYYY` at midnight UTC, if it is a real day.
    static func day(_ text: String) -> Date? {
        let parts: [Int]
        if text.count == 10, text.split(separator: "-").count == 3 {
            parts = text.split(separator: "-").compactMap { Int($0) }
        } else if text.count == 10, text.split(separator: "/").count == 3 {
            parts = text.split(separator: "/").compactMap { Int($0) }.reversed()
        } else {
            return nil
        }
        guard parts.count == 3, (1900...9999).contains(parts[0]) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: parts[0], month: parts[1], day: parts[2])
        guard let date = calendar.date(from: components),
              calendar.dateComponents([.year, .month, .day], from: date) == components else { return nil }
        return date
    }

    static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix(".") else { return false }
        return !text.contains { $0.isWhitespace || $0 == "," || $0 == ";" || $0 == "<" || $0 == ">" }
    }
}

extension String {
    /// Without spaces or tabs around it (line breaks inside are kept).
    var trimmed: String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" || first == "\u{00A0}" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" || last == "\u{00A0}" { slice.removeLast() }
        return String(slice)
    }
}

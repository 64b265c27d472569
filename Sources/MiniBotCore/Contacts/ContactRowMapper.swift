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
    /// The line of the file the row started on.
    public var line: Int

    public init(phone: PhoneNumber, firstName: String = "", lastName: String = "", email: String = "",
                company: String = "", notes: String = "", status: ContactStatus? = nil, line: Int = 0) {
        self.phone = phone
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.company = company
        self.notes = notes
        self.status = status
        self.line = line
    }
}

/// Why a row of a contacts file was not imported.
public struct RowRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var reason: String
    public var description: String { "line \(line): \(reason)" }
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
    /// Header cells that name no known column, in file order.
    public let unknownColumns: [String]

    public init(header: [String], parser: PhoneNumberParser, unknownColumns: UnknownColumnPolicy = .ignore) throws(HeaderError) {
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
            line: record.line
        ))
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

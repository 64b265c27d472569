import Testing
@testable import MiniBotCore

@Suite("Contact rows")
struct ContactRowMapperTests {
    let parser = PhoneNumberParser()

    func mapper(_ header: [String], unknown: UnknownColumnPolicy = .ignore) throws -> ContactRowMapper {
        try ContactRowMapper(header: header, parser: parser, unknownColumns: unknown)
    }

    @Test func headerInAnyOrderCaseAndLanguage() throws {
        let m = try mapper(["Notes", "Téléphone", " PRENOM ", "nom", "Société", "E-mail"])
        let contact = try m.map(CSVRecord(fields: ["n", "06 12 34 56 78", "Léa", "Roux", "ACME", "lea@example.fr"], line: 2)).get()
        #expect(contact == ContactUpsert(phone: try parser.parse("0612345678"), firstName: "Léa", lastName: "Roux",
                                         email: "lea@example.fr", company: "ACME", notes: "n", line: 2))
    }

    @Test func headerErrors() {
        #expect(throws: ContactRowMapper.HeaderError.missingPhoneColumn(found: ["name", "email"])) { try mapper(["name", "email"]) }
        #expect(throws: ContactRowMapper.HeaderError.duplicateColumn("phone")) { try mapper(["phone", "tel"]) }
    }

    @Test("Bad rows are rejected with their line and reason", arguments: [
        (["", "x"], "no phone number"),
        (["06 12 AB 34 56", "x"], "phone '06 12 AB 34 56': '06 12 AB 34 56' contains letters"),
        (["0612345678", "not-an-email"], "email 'not-an-email' is not an address (expected name@domain)"),
        (["0612345678", "a@b.c", "extra"], "3 fields where the header has 2: a delimiter inside a field that is not quoted?"),
    ])
    func rejected(fields: [String], reason: String) throws {
        let result = try mapper(["phone", "email"]).map(CSVRecord(fields: fields, line: 7))
        #expect(throws: RowRejection(line: 7, reason: reason)) { try result.get() }
    }

    @Test func missingTrailingFieldsAreEmpty() throws {
        let contact = try mapper(["phone", "first_name", "notes"]).map(CSVRecord(fields: ["0612345678"], line: 2)).get()
        #expect(contact.firstName == "" && contact.notes == "")
    }

    @Test func unknownColumnsIgnoredOrKeptInNotes() throws {
        let record = CSVRecord(fields: ["0612345678", "hello", "Paris", ""], line: 2)
        let ignoring = try mapper(["phone", "notes", "ville", "code"])
        #expect(ignoring.unknownColumns == ["ville", "code"])
        #expect(try ignoring.map(record).get().notes == "hello")
        let keeping = try mapper(["phone", "notes", "ville", "code"], unknown: .notes)
        #expect(try keeping.map(record).get().notes == "hello\nville: Paris")
    }

    @Test func statusColumnFromAnExport() throws {
        let m = try mapper(["phone", "status", "attempts", "last_transcript"])
        #expect(try m.map(CSVRecord(fields: ["0612345678", "Opt_out", "2", "x"], line: 2)).get().status == .optOut)
        #expect(try m.map(CSVRecord(fields: ["0612345678", "no answer", "", ""], line: 2)).get().status == .noAnswer)
        #expect(try m.map(CSVRecord(fields: ["0612345678", "", "", ""], line: 2)).get().status == nil)
        #expect(throws: RowRejection.self) { try m.map(CSVRecord(fields: ["0612345678", "Maybe", "", ""], line: 2)).get() }
        #expect(m.unknownColumns.isEmpty)
    }
}

import Foundation
import MiniBotCore
import MiniBotTestSupport
import Testing
@testable import MiniBotStore

@Suite("Import and export, on SQLite and PostgreSQL")
struct ImportExportTests {
    let folder = temporaryFolder("minibot-import")

    func file(_ name: String, _ bytes: some Sequence<UInt8>) -> String {
        let path = folder + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    func export(_ store: any Store, format: ContactExporter.Format = .standard, filter: ContactFilter = .init(),
                limit: Int? = nil, pageSize: Int = 1000) async throws -> Data {
        var out = Data()
        var exporter = ContactExporter(store: store)
        exporter.pageSize = pageSize
        try await exporter.export(filter: filter, limit: limit, format: format) { out.append($0) }
        return out
    }

    static let tricky = """
        phone,first_name,last_name,email,company,notes\r
        +33612345678,Éloïse,D'Artagnan,eloise@example.fr,"Dupont, Fils & Cie","Dit ""bonjour"", puis raccroche.\nRappeler ; lundi\r\nfin"\r
        +33623456789,Zoë,Ñúñez,,,"  espaces gardés  "\r
        +33634567890,,,,,"€ ✓ 日本語 🙂"\r

        """

    @Test("Import → export → import keeps every field byte for byte", arguments: Backend.available)
    func roundTrip(_ backend: Backend) async throws {
        let input = file("tricky.csv", Self.tricky.utf8)
        let exported = try await withFreshStore(backend) { store, _ in
            let report = try await ContactImporter(store: store, parser: PhoneNumberParser()).importFile(at: input, now: testDate)
            #expect(report.imported == 3 && report.rejected == 0 && report.rejectsFile == nil)
            return try await export(store, pageSize: 2)
        }
        // The import columns come out exactly as they went in.
        var reader = CSVReader()
        var records: [CSVRecord] = []
        try reader.feed(exported, into: &records)
        try reader.finish(into: &records)
        var originals: [CSVRecord] = []
        var original = CSVReader()
        try original.feed(Array(Self.tricky.utf8), into: &originals)
        try original.finish(into: &originals)
        #expect(records.map { Array($0.fields.prefix(6)) } == originals.map(\.fields))
        #expect(records[0].fields == ContactColumn.exportColumns.map(\.rawValue))
        #expect(records[1].fields[6...] == ["New", "0", "", "", "", "", "", ""])

        // The export imports again as is, and exports identically.
        let again = file("again.csv", exported)
        let second = try await withFreshStore(backend) { store, _ in
            let report = try await ContactImporter(store: store, parser: PhoneNumberParser()).importFile(at: again, now: testDate)
            #expect(report.imported == 3 && report.rejected == 0 && report.unknownColumns.isEmpty)
            return try await export(store)
        }
        #expect(second == exported)
    }

    @Test("100,000 rows with 1% bad ones: exactly those are rejected", arguments: Backend.available)
    func largeFileWithBadRows(_ backend: Backend) async throws {
        var text = "phone;first_name;last_name;email;company;notes\n"
        var badLines: [Int] = []
        for n in 0..<100_000 {
            let line = n + 2
            if n % 100 == 37 {
                badLines.append(line)
                switch n % 3 {
                case 0: text += "06 12 AB \(n);Bad;Letters;;;\n"
                case 1: text += "061;Bad;Short;;;\n"
                default: text += "07\(String(format: "%08d", n));Bad;Email;not-an-email;;\n"
                }
            } else {
                text += "07 \(String(format: "%08d", n));Prénom\(n);Nom;p\(n)@example.fr;Société \(n % 50);\"note, \(n)\"\n"
            }
        }
        let input = file("big.csv", text.utf8)
        let rejects = folder + "/big.rejects.csv"
        try await withFreshStore(backend) { store, _ in
            let report = try await ContactImporter(store: store, parser: PhoneNumberParser())
                .importFile(at: input, rejectsPath: rejects, now: testDate)
            #expect(report.rows == 100_000)
            #expect(report.rejected == 1_000)
            #expect(report.imported == 99_000 && report.updated == 0 && report.duplicates == 0)
            #expect(try await store.contactStats().total == 99_000)
        }
        let rejected = try String(contentsOfFile: rejects, encoding: .utf8)
        var reader = CSVReader()
        var records: [CSVRecord] = []
        try reader.feed(Array(rejected.utf8), into: &records)
        try reader.finish(into: &records)
        #expect(records[0].fields == ["line", "reason", "phone", "first_name", "last_name", "email", "company", "notes"])
        #expect(records.dropFirst().map { Int($0.fields[0])! } == badLines)
        #expect(records.dropFirst().allSatisfy { $0.fields[3] == "Bad" && !$0.fields[1].isEmpty })
    }

    @Test("A malformed file imports nothing and names the line", arguments: Backend.available)
    func malformedFileImportsNothing(_ backend: Backend) async throws {
        var text = "phone,notes\n"
        for n in 0..<5000 { text += "06\(String(format: "%08d", n)),ok\n" }
        text += "0699999999,\"never closed\n0698888888,x\n"
        let input = file("broken.csv", text.utf8)
        try await withFreshStore(backend) { store, _ in
            try await store.importContacts { try await $0.upsert([try upsert("0611111111", first: "Kept")], at: testDate) }
            await #expect(throws: ContactImportError.malformed(path: input, .unterminatedQuote(line: 5002))) {
                try await ContactImporter(store: store, parser: PhoneNumberParser(), batchSize: 100).importFile(at: input)
            }
            #expect(try await store.contactStats().total == 1)
            #expect(try await store.contact(phone: "+33611111111")?.firstName == "Kept")
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/broken.rejects.csv"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/broken.rejects.csv.partial"))
    }

    @Test func duplicatesInsideTheFileAreMerged() async throws {
        let input = file("dups.csv", """
            phone;first_name;email;notes
            06 12 34 56 78;Léa;;first
            +33 6 12 34 56 78;;lea@example.fr;
            0612345678;Léa-Marie;;
            06 99 99 99 99;Max;;

            """.utf8)
        try await withFreshStore(.sqlite) { store, _ in
            try await store.importContacts { try await $0.upsert([try upsert("0699999999", notes: "stored")], at: testDate) }
            let report = try await ContactImporter(store: store, parser: PhoneNumberParser()).importFile(at: input)
            #expect(report == ContactImportReport(rows: 4, imported: 1, updated: 1, duplicates: 2, rejected: 0))
            let lea = try #require(try await store.contact(phone: "+33612345678"))
            #expect(lea.firstName == "Léa-Marie" && lea.email == "lea@example.fr" && lea.notes == "first")
            #expect(try await store.contact(phone: "+33699999999")?.notes == "stored")
        }
    }

    @Test func fileErrorsAreClear() async throws {
        try await withFreshStore(.sqlite) { store, _ in
            let importer = ContactImporter(store: store, parser: PhoneNumberParser())
            await #expect(throws: ContactImportError.unreadable(path: folder + "/missing.csv", reason: "no such file")) {
                try await importer.importFile(at: folder + "/missing.csv")
            }
            let empty = file("empty.csv", [])
            await #expect(throws: ContactImportError.empty(path: empty)) { try await importer.importFile(at: empty) }
            let noPhone = file("nophone.csv", "name,email\nx,y\n".utf8)
            await #expect(throws: ContactImportError.header(path: noPhone, .missingPhoneColumn(found: ["name", "email"]))) {
                try await importer.importFile(at: noPhone)
            }
            let binary = file("binary.csv", [0x00, 0xFF, 0x13, 0x37] + Array(repeating: 0x22, count: 3))
            await #expect(throws: ContactImportError.self) { try await importer.importFile(at: binary) }
            let total = try await store.contactStats().total
            #expect(total == 0)
        }
    }

    @Test("Excel files: BOM, ';' and Windows-1252 in; BOM and ';' out", arguments: Backend.available)
    func excel(_ backend: Backend) async throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("Téléphone;Prénom;Société\r\n06 12 34 56 78;".utf8)
            + [0x48, 0xE9, 0x6C, 0xE8, 0x6E, 0x65] + Array(";ACME\r\n".utf8)
        let input = file("excel.csv", bytes)
        try await withFreshStore(backend) { store, _ in
            let report = try await ContactImporter(store: store, parser: PhoneNumberParser()).importFile(at: input)
            #expect(report.imported == 1 && report.windows1252Fields == 1)
            #expect(try await store.contact(phone: "+33612345678")?.firstName == "Hélène")
            let out = try await export(store, format: .excel)
            #expect(Array(out.prefix(3)) == [0xEF, 0xBB, 0xBF])
            #expect(String(decoding: out.dropFirst(3), as: UTF8.self).hasPrefix("phone;first_name;last_name;email;company;notes;status;"))
            #expect(String(decoding: out, as: UTF8.self).contains("+33612345678;Hélène;;;ACME;;New;0;"))
        }
    }

    @Test("Consent columns: dates and yes/oui import, bad values are rejected rows, export writes them", arguments: Backend.available)
    func consentColumns(_ backend: Backend) async throws {
        let input = file("consent.csv", """
            phone;consentement;consent_source
            0611111111;2026-08-01;formulaire web
            0622222222;oui;salon
            0633333333;15/09/2026;
            0644444444;2026-08-12T09:30:00+02:00;contrat
            0655555555;;
            0666666666;non;
            0677777777;peut-être;
            0688888888;31/02/2026;
            0699999999;2099-01-01;

            """.utf8)
        let now = testDate
        try await withFreshStore(backend) { store, _ in
            try await store.importContacts { try await $0.upsert([ContactUpsert(
                phone: try PhoneNumberParser().parse("0655555555"), consentAt: testDate.addingTimeInterval(-86_400),
                consentSource: "kept")], at: testDate) }
            let report = try await ContactImporter(store: store, parser: PhoneNumberParser()).importFile(at: input, now: now)
            #expect(report.rows == 9 && report.rejected == 3)
            func consent(_ phone: String) async throws -> (Date?, String) {
                let contact = try #require(try await store.contact(phone: phone))
                return (contact.consentAt, contact.consentSource)
            }
            let day = { (text: String) in try Date(text, strategy: .iso8601) }
            #expect(try await consent("+33611111111") == (try day("2026-08-01T00:00:00Z"), "formulaire web"))
            #expect(try await consent("+33622222222") == (now, "salon"))
            #expect(try await consent("+33633333333") == (try day("2026-09-15T00:00:00Z"), ""))
            #expect(try await consent("+33644444444") == (try day("2026-08-12T07:30:00Z"), "contrat"))
            // An empty cell keeps what was recorded; "non" records none.
            #expect(try await consent("+33655555555") == (testDate.addingTimeInterval(-86_400), "kept"))
            #expect(try await consent("+33666666666") == (nil, ""))
            #expect(try await store.contact(phone: "+33677777777") == nil)

            let out = String(decoding: try await export(store), as: UTF8.self)
            #expect(out.hasPrefix("phone,first_name,last_name,email,company,notes,status,attempts,last_attempt_at,last_call_status,last_call_intent,last_transcript,consent_at,consent_source\r\n"))
            #expect(out.contains("+33611111111,,,,,,New,0,,,,,2026-08-01T00:00:00Z,formulaire web\r\n"))
        }
        let rejects = try String(contentsOfFile: folder + "/consent.rejects.csv", encoding: .utf8)
        #expect(rejects.contains("8,\"consent 'peut-être' is neither yes/no nor a date"))
        #expect(rejects.contains("9,\"consent '31/02/2026' is neither yes/no nor a date"))
        #expect(rejects.contains("10,consent date '2099-01-01' is in the future"))
    }

    @Test("Export filters by status, campaign and limit", arguments: Backend.available)
    func exportFilters(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            try await store.importContacts { sink in
                try await sink.upsert((10...29).map { try! upsert("06000000\($0)", status: $0 % 4 == 0 ? .leads : nil) }, at: testDate)
            }
            func lines(_ data: Data) -> Int { String(decoding: data, as: UTF8.self).components(separatedBy: "\r\n").count - 2 }
            #expect(lines(try await export(store, pageSize: 3)) == 20)
            #expect(lines(try await export(store, limit: 7, pageSize: 3)) == 7)
            #expect(lines(try await export(store, filter: .init(status: .leads), pageSize: 2)) == 5)
            try await store.createCampaign(Campaign(id: "c", name: "c", scenario: "s", createdAt: testDate, updatedAt: testDate))
            try await store.enqueue([QueueEntry(campaignID: "c", phone: "+33600000012", nextAttemptAt: testDate)])
            let queued = String(decoding: try await export(store, filter: .init(status: .leads, campaignID: "c")), as: UTF8.self)
            #expect(queued.components(separatedBy: "\r\n").dropFirst().first?.hasPrefix("+33600000012,") == true)
        }
    }
}

import Testing
@testable import MiniBotCore

@Suite("CSV")
struct CSVTests {
    /// Reads `text` fed in chunks of `chunk` bytes.
    func read(_ bytes: [UInt8], chunk: Int = 7, delimiter: UInt8? = nil) throws -> [CSVRecord] {
        var reader = CSVReader(delimiter: delimiter)
        var records: [CSVRecord] = []
        var index = 0
        while index < bytes.count {
            try reader.feed(bytes[index..<min(index + chunk, bytes.count)], into: &records)
            index += chunk
        }
        try reader.finish(into: &records)
        return records
    }

    func read(_ text: String, chunk: Int = 7) throws -> [CSVRecord] { try read(Array(text.utf8), chunk: chunk) }

    @Test("Quoted fields keep delimiters, quotes and line breaks", arguments: [1, 3, 7, 4096])
    func quoted(chunk: Int) throws {
        let records = try read("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"line1\nline2\r\nline3\"\r\nlast,,\n", chunk: chunk)
        #expect(records.map(\.fields) == [["a", "b", "c"], ["x, y", "say \"hi\"", "line1\nline2\r\nline3"], ["last", "", ""]])
        #expect(records.map(\.line) == [1, 2, 5])
    }

    @Test func delimiterIsGuessedFromTheHeader() throws {
        #expect(try read("phone;name\n1;\"a;b\"\n").map(\.fields) == [["phone", "name"], ["1", "a;b"]])
        #expect(try read("phone\tname\n1\ta\n").map(\.fields) == [["phone", "name"], ["1", "a"]])
        #expect(try read("phone,name\n1,a").map(\.fields) == [["phone", "name"], ["1", "a"]])
        #expect(try read("phone\n1\n").map(\.fields) == [["phone"], ["1"]])
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let records = try read([0xEF, 0xBB, 0xBF] + Array("phone;nom\n1;é\n".utf8), chunk: 1)
        #expect(records.map(\.fields) == [["phone", "nom"], ["1", "é"]])
    }

    @Test func lineEndingsAndBlankLines() throws {
        let records = try read("a\rb\r\n\r\nc\n\nd")
        #expect(records.map(\.fields) == [["a"], ["b"], ["c"], ["d"]])
        #expect(records.map(\.line) == [1, 2, 4, 6])
    }

    @Test func windows1252FallsBack() throws {
        // "Société;Noël" as a French Windows spreadsheet saves it.
        let bytes: [UInt8] = Array("a;b\n".utf8) + [0x53, 0x6F, 0x63, 0x69, 0xE9, 0x74, 0xE9, 0x3B, 0x4E, 0x6F, 0xEB, 0x6C, 0x20, 0x80, 0x0A]
        let records = try read(bytes)
        #expect(records[1].fields == ["Société", "Noël €"])
        #expect(records[1].windows1252Fields == 2)
    }

    @Test func unterminatedQuoteIsAnError() {
        #expect(throws: CSVError.unterminatedQuote(line: 2)) { try read("a,b\n1,\"open\n2,3\n") }
    }

    @Test func runawayFieldIsBounded() {
        var reader = CSVReader(delimiter: UInt8(ascii: ","), maxFieldBytes: 16)
        var records: [CSVRecord] = []
        #expect(throws: CSVError.fieldTooLong(line: 1, limit: 16)) {
            try reader.feed(Array("\"0123456789abcdefghij".utf8), into: &records)
        }
    }

    @Test func strayQuotesAreKept() throws {
        #expect(try read("a,b\n5\"2,\"x\"y\n").map(\.fields) == [["a", "b"], ["5\"2", "xy"]])
    }

    @Test("Writer output reads back identically", arguments: [",", ";"] as [Character])
    func roundTrip(delimiter: Character) throws {
        let rows = [["plain", "with,comma", "with;semi"], ["quote \"q\"", "multi\nline", "crlf\r\nline"], ["", " spaced ", "é€"]]
        let writer = CSVWriter(delimiter: delimiter)
        let text = rows.map(writer.record).joined()
        var reader = CSVReader(delimiter: UInt8(ascii: delimiter.unicodeScalars.first!))
        var records: [CSVRecord] = []
        try reader.feed(Array(text.utf8), into: &records)
        try reader.finish(into: &records)
        #expect(records.map(\.fields) == rows)
        #expect(writer.record(["a", "b"]) == "a\(delimiter)b\r\n")
    }
}

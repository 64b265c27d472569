import Foundation
import MiniBotCore
import MiniBotStore
import MiniBotTestSupport
import Testing

/// `minibot optout …`, the real executable on both backends.
@Suite("minibot optout")
struct OptOutCommandTests {
    let folder = temporaryFolder("minibot-optout-cli")

    @Test(arguments: Backend.available)
    func importAddListCheckRemove(_ backend: Backend) async throws {
        let (url, cleanup) = try await freshDatabase(backend)
        do {
            try await run(url)
            try await cleanup()
        } catch {
            try? await cleanup()
            throw error
        }
    }

    func run(_ url: String) async throws {
        let env = ["MINIBOT_DATA_DIR": folder + "/data"]
        func minibot(_ arguments: String...) async throws -> MinibotProcess.Result {
            try await MinibotProcess.run(arguments + ["--database-url", url], environment: env)
        }
        let hashed = OptOutEntry.sha256(of: "+33633333333")
        let list = folder + "/bloctel.txt"
        _ = FileManager.default.createFile(atPath: list, contents: Data("""
            # extract of 2026-11-28
            +33611111111
            06 22 22 22 22
            \(hashed)

            06 12 AB
            """.utf8))

        let imported = try await minibot("optout", "import", list, "--source", "bloctel")
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stderr.contains("\(list):6: '06 12 AB' is neither a phone number"))
        #expect(imported.stdout.contains("added") && imported.stdout.contains("rejected lines"))
        let summary = imported.stdout.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(summary.contains("added 3") && summary.contains("SHA-256 hashes 1") && summary.contains("rejected lines 1"))

        let added = try await minibot("optout", "add", "06 44 44 44 44")
        #expect(added.status == 0 && added.stdout == "+33644444444 added to the opt-out list\n")
        let again = try await minibot("optout", "add", "+33644444444")
        #expect(again.stdout.contains("already on the opt-out list"))

        let listed = try await minibot("optout", "list", "--json")
        #expect(listed.status == 0)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let entries = try decoder.decode([OptOutEntry].self, from: Data(listed.stdout.utf8))
        #expect(Set(entries.map(\.key)) == ["+33611111111", "+33622222222", hashed, "+33644444444"])
        #expect(entries.first { $0.key == hashed }?.hashed == true)
        #expect(entries.first { $0.key == "+33644444444" }?.source == "manual")

        let hashedCheck = try await minibot("optout", "check", "0633333333")
        #expect(hashedCheck.status == 1 && hashedCheck.stdout.contains("+33633333333 is opted out"))
        let free = try await minibot("optout", "check", "0655555555")
        #expect(free.status == 0 && free.stdout.contains("is not opted out"))

        let removed = try await minibot("optout", "remove", "06 33 33 33 33")
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(try await minibot("optout", "check", "0633333333").status == 0)
        let missing = try await minibot("optout", "remove", "0655555555")
        #expect(missing.status != 0 && missing.stderr.contains("+33655555555 is not on the opt-out list"))
        let bad = try await minibot("optout", "add", "12")
        #expect(bad.status != 0 && !bad.stderr.isEmpty)
    }
}

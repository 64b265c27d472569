import ArgumentParser
import Foundation
import MiniBotCore
import MiniBotStore

struct OptOutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optout",
        abstract: "The opt-out list: numbers never to call (Bloctel-style files, opt-out answers).",
        discussion: """
        Numbers are kept in E.164 (+33612345678), or as the lowercase hex SHA-256 of that E.164 string when a \
        list ships them hashed. The dialer checks the list, and each contact's own opt-out flag, before every dial.
        """,
        subcommands: [Import.self, Add.self, List.self, Check.self, Remove.self]
    )

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add every number of a file to the list (valid lines in one transaction).",
            discussion: """
            One entry a line: a phone number, E.164 or national (06 12 34 56 78), or a SHA-256 of the E.164 \
            number as 64 hex digits. Blank lines and lines starting with # are ignored. Bad lines are listed with \
            their line number and reason and are not imported; the others are.
            """
        )

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The file: one number or SHA-256 a line.") var file: String
        @Option(help: "Where the list comes from, kept with each entry.") var source = "bloctel"

        func run() async throws {
            let runtime = try Runtime(global)
            let report = try await runtime.withStore { store in
                try await OptOutImporter(store: store, parser: runtime.phoneParser).importFile(at: file, source: source)
            }
            for rejection in report.rejected { Output.error("\(file):\(rejection.line): \(rejection.reason)\n") }
            var table = Table(["", "entries"], alignments: [.left, .right])
            table.add(["numbers", report.numbers.grouped])
            table.add(["SHA-256 hashes", report.hashes.grouped])
            table.add(["added", report.added.grouped])
            table.add(["already listed", report.alreadyListed.grouped])
            table.add(["rejected lines", report.rejected.count.grouped])
            Output.write(table.render())
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add one number to the list.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The phone number (06 12 34 56 78, +33612345678, …).") var phone: String
        @Option(help: "Where the request came from.") var source = "manual"

        func run() async throws {
            let runtime = try Runtime(global)
            let number = try runtime.phoneParser.parse(phone).e164
            let added = try await runtime.withStore { try await $0.addOptOuts([.number(number, source: source, at: Date())]) }
            Output.write(added > 0 ? "\(number) added to the opt-out list\n" : "\(number) was already on the opt-out list\n")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the entries, latest first.")

        @OptionGroup var global: GlobalOptions
        @Option(help: "How many to show.") var limit = 50
        @Option(help: "How many to skip.") var offset = 0
        @Flag(help: "One JSON array.") var json = false

        func validate() throws {
            if limit < 1 || limit > 1_000_000 { throw ValidationError("--limit must be between 1 and 1000000") }
            if offset < 0 { throw ValidationError("--offset cannot be negative") }
        }

        func run() async throws {
            let runtime = try Runtime(global)
            let entries = try await runtime.withStore { try await $0.optOuts(limit: limit, offset: offset) }
            if json { return try Output.json(entries) }
            var table = Table(["number or SHA-256", "source", "added"])
            for entry in entries { table.add([entry.key, entry.source, ContactExporter.timestamp(entry.addedAt)]) }
            Output.write(table.render())
            Output.write("\(entries.count) shown (offset \(offset))\n")
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say whether a number may be called; exits 1 when it is opted out.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The phone number.") var phone: String

        func run() async throws {
            let runtime = try Runtime(global)
            let number = try runtime.phoneParser.parse(phone).e164
            if try await runtime.withStore({ try await $0.isOptedOut(phone: number) }) {
                Output.write("\(number) is opted out: do not call\n")
                throw ExitCode(1)
            }
            Output.write("\(number) is not opted out\n")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a number from the list, plain and hashed.",
            discussion: "A contact who asked not to be called during a call keeps its own opt-out flag; `check` still says so.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The phone number.") var phone: String

        func run() async throws {
            let runtime = try Runtime(global)
            let number = try runtime.phoneParser.parse(phone).e164
            let (removed, still) = try await runtime.withStore { store in
                let plain = try await store.removeOptOut(key: number)
                let hashed = try await store.removeOptOut(key: OptOutEntry.sha256(of: number))
                return (plain || hashed, try await store.isOptedOut(phone: number))
            }
            guard removed else { throw StoreError.notFound("\(number) is not on the opt-out list") }
            Output.write("\(number) removed from the opt-out list\n")
            if still { Output.write("note: the contact \(number) itself is marked opt-out (it asked during a call), so it is still not called\n") }
        }
    }
}

import ArgumentParser
import Foundation
import MiniBotCore
import MiniBotDialer
import MiniBotStore

struct ContactsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contacts",
        abstract: "Look at the contacts: list, show one, count by status; erase one (GDPR).",
        subcommands: [List.self, Show.self, Stats.self, Forget.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List contacts, ordered by phone.")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Only contacts with this status.") var status: ContactStatus?
        @Option(help: "Only contacts queued in this campaign.") var campaign: String?
        @Option(help: "Text to find in phone, names, email or company.") var search: String?
        @Option(help: "How many to show.") var limit = 50
        @Option(help: "How many to skip.") var offset = 0
        @Flag(help: "One JSON array.") var json = false

        func validate() throws {
            if limit < 1 || limit > 100_000 { throw ValidationError("--limit must be between 1 and 100000") }
            if offset < 0 { throw ValidationError("--offset cannot be negative") }
        }

        func run() async throws {
            let runtime = try Runtime(global)
            let query = ContactQuery(filter: .init(status: status, campaignID: campaign), search: search, limit: limit, offset: offset)
            let contacts = try await runtime.withStore { try await $0.contacts(query) }
            if json { return try Output.json(contacts) }
            var table = Table(["phone", "name", "company", "status", "attempts", "opt-out"],
                              alignments: [.left, .left, .left, .left, .right, .left])
            for c in contacts {
                table.add([c.phone, [c.firstName, c.lastName].filter { !$0.isEmpty }.joined(separator: " "), c.company,
                           c.status.rawValue, String(c.attempts), c.optOut ? "yes" : ""])
            }
            Output.write(table.render())
            Output.write("\(contacts.count) shown (offset \(offset))\n")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one contact, found by phone in any format.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The phone number (06 12 34 56 78, +33612345678, …).") var phone: String
        @Flag(help: "One JSON object.") var json = false
        @Flag(help: "Everything held about the person, as one JSON object (a GDPR access request): the contact, its calls with their answers and transcripts, queue rows, opt-out status, file paths.")
        var export = false

        func run() async throws {
            let runtime = try Runtime(global)
            let number = try runtime.phoneParser.parse(phone)
            if export {
                let data = try await runtime.withStore { store in
                    try await ContactEraser(store: store, dataDirectory: runtime.config.dataDir).export(phone: number.e164, now: Date())
                }
                if data.contact == nil && data.calls.isEmpty && data.queue.isEmpty {
                    Output.error("minibot contacts show: nothing held about \(number.e164) but its opt-out status\n")
                }
                return try Output.json(data)
            }
            guard let contact = try await runtime.withStore({ try await $0.contact(phone: number.e164) }) else {
                throw StoreError.notFound("no contact with the number \(number.e164)")
            }
            if json { return try Output.json(contact) }
            let fields: [(String, String)] = [
                ("phone", contact.phone), ("first_name", contact.firstName), ("last_name", contact.lastName),
                ("email", contact.email), ("company", contact.company), ("status", contact.status.rawValue),
                ("attempts", String(contact.attempts)),
                ("last_attempt_at", contact.lastAttemptAt.map(ContactExporter.timestamp) ?? ""),
                ("opt_out", contact.optOut ? "yes" : "no"), ("created_at", ContactExporter.timestamp(contact.createdAt)),
                ("updated_at", ContactExporter.timestamp(contact.updatedAt)), ("notes", contact.notes),
            ]
            for (name, value) in fields {
                Output.write(name.padding(toLength: 16, withPad: " ", startingAt: 0) + value + "\n")
            }
        }
    }

    struct Forget: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase everything held about a number (GDPR); keep only its hash on the opt-out list.",
            discussion: """
            Deletes the contact, its calls and their answers, its queue rows, its recordings and transcripts, \
            and any plain opt-out entry for the number; adds the number's SHA-256 to the opt-out list, so it is \
            never dialled again. Cannot be undone: asks for confirmation unless --yes. Refused while a call to \
            the number is in progress.
            """
        )

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The phone number (06 12 34 56 78, +33612345678, …).") var phone: String
        @Flag(help: "Do not ask for confirmation.") var yes = false
        @Flag(help: "One JSON object.") var json = false

        func run() async throws {
            let runtime = try Runtime(global)
            let number = try runtime.phoneParser.parse(phone).e164
            if !yes {
                guard isatty(STDIN_FILENO) == 1 else {
                    throw OperationError("erasing \(number) cannot be undone: add --yes to confirm without a terminal")
                }
                Output.error("Erase everything held about \(number) (contact, calls, recordings, transcripts)? This cannot be undone. Type yes: ")
                guard readLine()?.trimmingCharacters(in: .whitespaces).lowercased() == "yes" else {
                    Output.error("Nothing erased.\n")
                    throw ExitCode.failure
                }
            }
            let report = try await runtime.withStore { store in
                try await ContactEraser(store: store, dataDirectory: runtime.config.dataDir).forget(phone: number, now: Date())
            }
            if json {
                try Output.json(report)
            } else {
                let e = report.erased
                Output.write("""
                    Erased \(number): contact \(e.contact ? "deleted" : "not found"), \(e.calls) calls, \(e.interactions) answers, \
                    \(e.queueRows) queue rows, \(report.filesDeleted) files\(report.filesMissing > 0 ? " (\(report.filesMissing) already gone)" : "").
                    Kept on the opt-out list as SHA-256 \(report.optOutHash): never dialled again.

                    """)
            }
            if report.filesMissing > 0 && !json {
                // Rows named these files but they are not here: another host's data directory, or already removed.
                let missing = report.erased.files.filter { !FileManager.default.fileExists(atPath: (runtime.config.dataDir as NSString).appendingPathComponent($0)) }
                Output.error("minibot contacts forget: \(report.filesMissing) files were not in \(runtime.config.dataDir); if other hosts keep their own data directory, delete them there:\n")
                for path in missing { Output.error("  \(path)\n") }
            }
            for failure in report.failures { Output.error("minibot contacts forget: cannot delete \(failure); remove it by hand\n") }
            if !report.failures.isEmpty { throw ExitCode.failure }
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Count contacts by status.")

        @OptionGroup var global: GlobalOptions
        @Flag(help: "One JSON object.") var json = false

        func run() async throws {
            let runtime = try Runtime(global)
            let stats = try await runtime.withStore { try await $0.contactStats() }
            if json { return try Output.json(stats) }
            Output.write(StatsTable.render(stats))
        }
    }
}

enum StatsTable {
    static func render(_ stats: ContactStats) -> String {
        var table = Table(["status", "contacts"], alignments: [.left, .right])
        for status in ContactStatus.allCases { table.add([status.rawValue, (stats.byStatus[status.rawValue] ?? 0).grouped]) }
        table.add(["total", stats.total.grouped])
        return table.render() + "opt-out list: \(stats.optOut.grouped)\n"
    }
}

import ArgumentParser
import Foundation
import MiniBotCore
import MiniBotStore

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export contacts as CSV, with what their last call found.",
        discussion: """
        Columns: phone (E.164), first_name, last_name, email, company, notes, status, attempts, last_attempt_at, \
        last_call_status, last_call_intent, last_transcript. The file imports again as is.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only contacts with this status (\(ContactStatus.allCases.map(\.rawValue).joined(separator: ", "))).")
    var status: ContactStatus?

    @Option(help: "Only contacts queued in this campaign.")
    var campaign: String?

    @Option(name: .shortAndLong, help: "File to write (default: standard output).")
    var output: String?

    @Option(help: "Export at most this many contacts.")
    var limit: Int?

    @Flag(help: "For Excel: UTF-8 byte-order mark and ';' delimiter.")
    var excel = false

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        let runtime = try Runtime(global)
        let filter = ContactFilter(status: status, campaignID: campaign)
        let format: ContactExporter.Format = excel ? .excel : .standard
        try await runtime.withStore { store in
            let exporter = ContactExporter(store: store)
            if let output {
                let file = try AtomicFileWriter(path: output)
                let exported: (count: Int, leads: [String])
                do {
                    exported = try await exporter.exportCollectingLeads(filter: filter, limit: limit, format: format, write: file.write)
                    try file.commit()
                } catch {
                    file.discard()
                    throw error
                }
                // Only once the file is in place: the retention sweep may then purge these leads' calls.
                try await store.markExported(phones: exported.leads, at: Date())
                Output.error("Exported \(exported.count.grouped) contacts to \(output)\n")
            } else {
                let exported = try await exporter.exportCollectingLeads(filter: filter, limit: limit, format: format) { data in
                    FileHandle.standardOutput.write(data)
                }
                try await store.markExported(phones: exported.leads, at: Date())
            }
        }
    }
}

import ArgumentParser
import Foundation
import MiniBotCore
import MiniBotStore

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import contacts from a CSV file (all rows or none).",
        discussion: """
        The first row names the columns: phone (required), first_name, last_name, email, company, notes, in any \
        order and case (French names such as téléphone, prénom, nom, société are understood). The delimiter (, ; or tab) \
        is detected; an Excel byte-order mark and Windows-1252 text are accepted. Contacts are merged by their \
        normalised phone: non-empty values replace stored ones. Rows that cannot be imported are written, with \
        their line and the reason, to FILE.rejects.csv. A status column (from an export) sets the status of new \
        contacts; on known ones only Opt_out is applied.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The CSV file to import.")
    var file: String

    @Option(help: "Where to write rejected rows (default: FILE.rejects.csv next to FILE).")
    var rejects: String?

    @Option(help: "Columns the importer does not know: ignore them, or append them to notes as 'column: value'.")
    var unknownColumns: UnknownColumnPolicy = .ignore

    @Flag(help: "Print the report as one JSON object.")
    var json = false

    func run() async throws {
        let runtime = try Runtime(global)
        let start = Date()
        let progress = ProgressBar(label: "Importing")
        let report = try await runtime.withStore { store in
            try await ContactImporter(store: store, parser: runtime.phoneParser, unknownColumns: unknownColumns)
                .importFile(at: file, rejectsPath: rejects) { step in
                    progress.update(done: step.bytesRead, total: step.totalBytes, detail: "\(step.rows.grouped) rows")
                }
        }
        progress.finish()
        let seconds = Date().timeIntervalSince(start)
        if json {
            try Output.json(report)
            return
        }
        if !report.unknownColumns.isEmpty {
            let fate = unknownColumns == .notes ? "appended to notes" : "ignored (use --unknown-columns notes to keep them)"
            Output.error("warning: unknown columns \(report.unknownColumns.joined(separator: ", ")) \(fate)\n")
        }
        if report.windows1252Fields > 0 {
            Output.error("warning: \(report.windows1252Fields.grouped) fields were not UTF-8 and were read as Windows-1252\n")
        }
        var table = Table(["", "contacts"], alignments: [.left, .right])
        table.add(["imported (new)", report.imported.grouped])
        table.add(["updated", report.updated.grouped])
        table.add(["duplicates in file (merged)", report.duplicates.grouped])
        table.add(["rejected", report.rejected.grouped])
        Output.write(table.render())
        let rate = seconds > 0 ? Int(Double(report.rows) / seconds) : report.rows
        Output.write("\(report.rows.grouped) rows in \(String(format: "%.2f", seconds)) s (\(rate.grouped) rows/s)\n")
        if let path = report.rejectsFile {
            Output.write("Rejected rows, with their line and reason: \(path)\n")
        }
    }
}

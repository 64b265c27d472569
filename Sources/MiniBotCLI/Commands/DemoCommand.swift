import ArgumentParser
import Foundation
import Logging
import MiniBotCore
import MiniBotStore

/// The README's first command. Today it shows the contacts path end to end
/// on the embedded defaults: import a sample file (with the rows a real file
/// has wrong), look at the result, export it. The calling campaign joins it
/// as the dialer lands.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the demo on the embedded defaults: import sample contacts, show them, export them."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Folder for the demo's database and files (default: DATA_DIR/demo).")
    var directory: String?

    @Flag(help: "Print one JSON object instead of tables.")
    var json = false

    struct Summary: Encodable {
        var database: String
        var importReport: ContactImportReport
        var stats: ContactStats
        var exportFile: String
        var exported: Int
        var rejectsFile: String?

        enum CodingKeys: String, CodingKey {
            case database, stats, exported
            case importReport = "import", exportFile = "export_file", rejectsFile = "rejects_file"
        }
    }

    func run() async throws {
        var runtime = try Runtime(global)
        let folder = directory ?? runtime.config.dataDir + "/demo"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // The demo keeps to its own database unless one was given explicitly.
        var loaded = runtime.loaded
        if global.databaseURL == nil {
            let path = folder + "/demo.sqlite"
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            loaded.config.databaseURL = "sqlite://" + path
        }
        runtime = Runtime(loaded: loaded, logger: runtime.logger)

        guard let sample = Bundle.module.url(forResource: "demo-contacts", withExtension: "csv", subdirectory: "Resources") else {
            throw ValidationError("the demo's sample contacts are missing from this installation (Resources/demo-contacts.csv)")
        }
        let input = folder + "/contacts.csv"
        try? FileManager.default.removeItem(atPath: input)
        try FileManager.default.copyItem(at: sample, to: URL(fileURLWithPath: input))
        let exportPath = folder + "/contacts-export.csv"

        let summary = try await runtime.withStore { store in
            let report = try await ContactImporter(store: store, parser: runtime.phoneParser).importFile(at: input)
            let stats = try await store.contactStats()
            let file = try AtomicFileWriter(path: exportPath)
            let exported = try await ContactExporter(store: store).export(write: file.write)
            try file.commit()
            return Summary(database: redactedDatabaseURL(runtime.config.effectiveDatabaseURL), importReport: report,
                           stats: stats, exportFile: exportPath, exported: exported, rejectsFile: report.rejectsFile)
        }
        if json { return try Output.json(summary) }

        let r = summary.importReport
        Output.write("""
            MiniBotPanel demo — database \(summary.database)

            1. Imported \(input)
               \(r.rows) rows: \(r.imported) new contacts, \(r.updated) updated, \(r.duplicates) duplicate merged, \(r.rejected) rejected

            """)
        if let rejects = summary.rejectsFile {
            Output.write("   Rejected rows and why (\(rejects)):\n")
            let text = (try? String(contentsOfFile: rejects, encoding: .utf8)) ?? ""
            var reader = CSVReader(delimiter: UInt8(ascii: ","))
            var records: [CSVRecord] = []
            try reader.feed(Array(text.utf8), into: &records)
            try reader.finish(into: &records)
            for record in records.dropFirst() where record.fields.count >= 2 {
                Output.write("     line \(record.fields[0]): \(record.fields[1])\n")
            }
        }
        Output.write("\n2. Contacts by status\n")
        Output.write(StatsTable.render(summary.stats).split(separator: "\n").map { "   " + $0 }.joined(separator: "\n") + "\n")
        Output.write("""

            3. Exported \(summary.exported) contacts to \(summary.exportFile)

            Next: minibot contacts list --database-url \(runtime.config.effectiveDatabaseURL)
                  minibot import YOUR_FILE.csv    (into \(redactedDatabaseURL(MiniBotConfig(dataDir: runtime.config.dataDir).effectiveDatabaseURL)))

            """)
    }
}

extension Runtime {
    init(loaded: LoadedConfig, logger: Logger) {
        self.loaded = loaded
        self.logger = logger
    }
}

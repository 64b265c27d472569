import ArgumentParser
import Foundation
import Logging
import MiniBotCore
import MiniBotDialer
import MiniBotStore

/// The README's first command: the whole product on the embedded defaults,
/// against simulated people on loopback (see ``DemoRun``).
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a demo campaign on the embedded defaults against simulated callees on loopback, and show its results.",
        discussion: """
        Synthesises the universal scenario's prompts with the Pico voice (recordings already in DIR/prompts win), \
        imports 25 sample rows (20 contacts; the rejected rows are shown), starts one real baresip callee per \
        contact on 127.0.0.1 that behaves like a person (interested, refuses, asks who is calling, voicemail with a \
        beep, silent, hangs up, opts out, no answer) and sipp answering busy, then runs a campaign through the \
        built-in SIP agent, the local Whisper recogniser and SQLite (DIR/demo.sqlite), with the compliance rules on \
        but calling hours widened for these test numbers. Prints each contact's outcome, the path of its call, the \
        leads, the average call time and where the recordings and transcripts are. Ctrl-C stops it and its callees.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Folder for the demo's database and files (default: DATA_DIR/demo).")
    var directory: String?

    @Flag(help: "Print one JSON object instead of tables.")
    var json = false

    @Flag(help: "Keep the callees' voice tracks, configurations and logs (DIR/callees) after the run.")
    var keep = false

    func run() async throws {
        let started = Date()
        let base = try Runtime(global)
        let folder = URL(fileURLWithPath: ((directory ?? base.config.dataDir + "/demo") as NSString).expandingTildeInPath)
            .standardizedFileURL.path
        try DemoCallees.check()
        let model = try DemoModel.path(base.config)
        let config = DemoRun.configuration(base.config, folder: folder, model: model, keepDatabase: global.databaseURL != nil)
        // Each run starts afresh; the prompts stay (made again only when their text changed).
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for old in ["demo.sqlite", "demo.sqlite-wal", "demo.sqlite-shm", "data", "callees"] where global.databaseURL == nil || !old.hasPrefix("demo.") {
            try? FileManager.default.removeItem(atPath: folder + "/" + old)
        }
        var logger = Logger(label: "minibot.demo")
        logger.logLevel = ["trace", "debug"].contains(config.logLevel) ? .debug : .error
        let runtime = Runtime(loaded: LoadedConfig(config: config, sources: base.loaded.sources), logger: logger)
        let callees = DemoCallees(lifetime: 600)
        let signals = DemoSignals(callees: callees)
        defer {
            callees.stopAll()
            signals.cancel()
            if !keep { try? FileManager.default.removeItem(atPath: folder + "/callees") }
        }
        let demo = DemoRun(runtime: runtime, folder: folder, config: config, callees: callees, progress: true)
        let say: (String) -> Void = { json ? Output.error($0) : Output.write($0) }

        say("MiniBotPanel demo in \(folder)\n\n1. Prompts: the universal scenario's texts, spoken by Pico\n")
        let (scenarioPath, prompts, lengths) = try await demo.preparePrompts()
        let made = prompts.filter { $0.status == .synthesized }.count
        say("   \(prompts.count) prompts in \(folder)/prompts (\(made) synthesised now, \(prompts.count - made) kept)\n")

        let report = try await runtime.withStore { store in
            let (imported, rejects) = try await importSample(folder: folder, store: store, runtime: runtime)
            say("\n2. Contacts: imported \(folder)/contacts.csv — \(imported.rows) rows, \(imported.imported) contacts, "
                + "\(imported.duplicates) duplicate merged, \(imported.rejected) rejected:\n")
            say(rejects.map { "     \($0)\n" }.joined())

            let contacts = try await store.contacts(ContactQuery(limit: 1_000))
            let personas = contacts.compactMap { contact in DemoPersona.byLastName[contact.lastName].map { (contact, $0) } }
            let scenario = try runtime.loadScenario(scenarioPath, checkPrompts: true).scenario
            say("\n3. Callees: \(personas.count) simulated people on 127.0.0.1 (baresip; sipp for busy)\n")
            let routes = try await demo.startCallees(contacts: personas.map(\.0), scenario: scenario, lengths: lengths)

            let now = Date()
            let campaign = Campaign(id: CampaignOptions.newID(at: now), name: "Demo", scenario: scenarioPath,
                                    settings: DemoRun.settings(), createdAt: now, updatedAt: now)
            try CampaignChecks.callerID(config, settings: campaign.settings)
            try await store.createCampaign(campaign)
            // The sample's contacts only, whatever else a database given with --database-url holds.
            let selection = ContactSelection(statuses: ContactStatus.allCases, phones: personas.map(\.0.phone), maxAttempts: 1)
            let queued = try await store.enqueue(campaignID: campaign.id, selection: selection, at: now)
            say("\n4. Campaign \(campaign.id): \(queued) contacts, \(config.dialer.maxConcurrentCalls) calls at a time\n"
                + "   \(DemoRun.complianceNote)\n\n")
            let ending = try await demo.runCampaign(campaign, store: store, routes: routes, limit: .seconds(300))
            callees.stopAll()

            let rows = try await DemoReport.rows(campaignID: campaign.id, personas: personas, store: store,
                                                 files: CallFiles(dataDirectory: config.dataDir))
            let database = redactedDatabaseURL(config.effectiveDatabaseURL)
            return DemoReport(folder: folder, database: database, dataDirectory: config.dataDir, model: model,
                              voice: SynthesisEngine(settings: config.tts, voice: nil).label, prompts: folder + "/prompts",
                              importReport: imported, rejects: rejects, campaignID: campaign.id, compliance: DemoRun.complianceNote,
                              ending: ending.rawValue, contacts: rows, totals: DemoReport.totals(rows),
                              wallSeconds: (Date().timeIntervalSince(started) * 10).rounded() / 10,
                              next: Self.next(campaignID: campaign.id, databaseURL: config.effectiveDatabaseURL))
        }
        if json { return try Output.json(report) }
        Output.write(report.rendered())
    }

    /// Copies the sample file into the demo folder and imports it; the report
    /// and each rejected row with its reason.
    private func importSample(folder: String, store: any Store, runtime: Runtime) async throws -> (ContactImportReport, [String]) {
        guard let sample = Bundle.module.url(forResource: "demo-contacts", withExtension: "csv", subdirectory: "Resources") else {
            throw ValidationError("the demo's sample contacts are missing from this installation (Resources/demo-contacts.csv)")
        }
        let input = folder + "/contacts.csv"
        try? FileManager.default.removeItem(atPath: input)
        try FileManager.default.copyItem(at: sample, to: URL(fileURLWithPath: input))
        let report = try await ContactImporter(store: store, parser: runtime.phoneParser).importFile(at: input)
        var rejects: [String] = []
        if let file = report.rejectsFile {
            let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            var reader = CSVReader(delimiter: UInt8(ascii: ","))
            var records: [CSVRecord] = []
            try reader.feed(Array(text.utf8), into: &records)
            try reader.finish(into: &records)
            rejects = records.dropFirst().filter { $0.fields.count >= 2 }.map { "line \($0.fields[0]): \($0.fields[1])" }
        }
        return (report, rejects)
    }

    static func next(campaignID: String, databaseURL: String) -> [String] {
        let database = "--database-url \(databaseURL)"
        return ["minibot campaign show \(campaignID) \(database)",
                "minibot contacts list --status Leads \(database)",
                "the web panel (minibot serve) when it lands: it will show the same campaign"]
    }
}

extension Runtime {
    init(loaded: LoadedConfig, logger: Logger) {
        self.loaded = loaded
        self.logger = logger
    }
}

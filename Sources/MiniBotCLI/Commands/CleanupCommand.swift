import ArgumentParser
import Foundation
import MiniBotDialer
import MiniBotStore

/// `minibot cleanup`: the retention sweep, once.
struct CleanupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup",
        abstract: "Delete the recordings, full-call WAVs and transcripts of calls past retention.",
        discussion: """
        Deletes the files of finished calls started longer ago than --older-than (default: retention.days, 30): \
        answer clips (DATA_DIR/recordings), full calls (DATA_DIR/assembled) and transcripts (DATA_DIR/transcripts). \
        The calls' rows stay, marked purged. The files of a call that made a lead are kept until the lead has been \
        exported (minibot export, GET /contacts/export), unless --include-unexported-leads. `minibot serve` runs \
        this daily.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Age past which files go: 30d, 12h, 90m, 45s (a plain number is days). Default: retention.days.")
    var olderThan: RetentionAge?

    @Flag(help: "Say what would be deleted; delete nothing.")
    var dryRun = false

    @Flag(help: "Also delete the files of leads not exported yet.")
    var includeUnexportedLeads = false

    @Flag(help: "Also mark purged the calls none of whose files is in this data directory (removed by hand). Not on hosts that share PostgreSQL but keep their own data directories.")
    var purgeMissing = false

    @Flag(help: "One JSON object.")
    var json = false

    func run() async throws {
        let runtime = try Runtime(global)
        let age: TimeInterval
        if let olderThan {
            age = olderThan.seconds
        } else if runtime.config.retention.days > 0 {
            age = Double(runtime.config.retention.days) * 86_400
        } else {
            throw OperationError("retention.days is 0 (keep for ever): give --older-than to clean up anyway")
        }
        let report = try await runtime.withStore { store in
            try await RetentionSweeper(store: store, dataDirectory: runtime.config.dataDir)
                .sweep(.init(olderThan: age, dryRun: dryRun, includeUnexportedLeads: includeUnexportedLeads, purgeMissing: purgeMissing),
                       now: Date())
        }
        if json {
            try Output.json(report)
        } else {
            Output.write(CleanupReport.render(report, purgedMissing: purgeMissing))
        }
        for failure in report.failures { Output.error("minibot cleanup: cannot delete \(failure)\n") }
        if !report.failures.isEmpty { throw ExitCode.failure }
    }
}

enum CleanupReport {
    static func render(_ report: RetentionSweeper.Report, purgedMissing: Bool = false) -> String {
        let verb = report.dryRun ? "would delete" : "deleted"
        var table = Table(["files", verb, "bytes"], alignments: [.left, .right, .right])
        table.add(["answer clips (recordings/)", report.clips.files.grouped, bytes(report.clips.bytes)])
        table.add(["full calls (assembled/)", report.fullCalls.files.grouped, bytes(report.fullCalls.bytes)])
        table.add(["transcripts (transcripts/)", report.transcripts.files.grouped, bytes(report.transcripts.bytes)])
        table.add(["total", report.files.grouped, bytes(report.bytes)])
        var out = "Calls started before \(ContactExporter.timestamp(report.cutoff))\(report.dryRun ? " (dry run: nothing deleted)" : ""):\n"
        out += table.render()
        out += "\(report.calls.grouped) calls \(report.dryRun ? "would be" : "now") marked purged"
        out += report.keptUnexportedLeads > 0
            ? "; \(report.keptUnexportedLeads.grouped) lead calls kept until exported (--include-unexported-leads to delete them)\n" : "\n"
        if report.missingFiles > 0 { out += "\(report.missingFiles.grouped) files were already gone\n" }
        if report.callsNotHere > 0 {
            out += "\(report.callsNotHere.grouped) calls have none of their files in this data directory (another host's, or removed by hand): "
                + (purgedMissing ? "marked purged too\n" : "left unpurged; --purge-missing marks them\n")
        }
        return out
    }

    static func bytes(_ count: Int64) -> String { ByteSize.text(count) }
}

/// An age on the command line: `30d`, `12h`, `90m`, `45s`, or a number of days.
struct RetentionAge: ExpressibleByArgument, Equatable {
    let seconds: TimeInterval

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [Character: Double] = ["d": 86_400, "h": 3_600, "m": 60, "s": 1]
        let (number, unit): (Substring, Double)
        if let last = text.last, let factor = units[last] {
            (number, unit) = (text.dropLast(), factor)
        } else {
            (number, unit) = (Substring(text), 86_400)
        }
        guard let value = Double(number), value.isFinite, value >= 0 else { return nil }
        seconds = value * unit
    }

}

/// Bytes for people: `0 B`, `812 B`, `4.0 KB`, `1.2 MB`, `3.4 GB` (powers of 1000, as `ls -h --si` and disks count).
enum ByteSize {
    static func text(_ count: Int64) -> String {
        if count < 1000 { return "\(count) B" }
        var value = Double(count)
        for unit in ["KB", "MB", "GB", "TB"] {
            value /= 1000
            if value < 1000 || unit == "TB" { return String(format: value < 10 ? "%.1f" : "%.0f", value) + " " + unit }
        }
        return "\(count) B"
    }
}

/// A command that cannot do what was asked, said in one line (no usage text).
struct OperationError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

import ArgumentParser
import Foundation

/// `minibot doctor`: is this host ready to call?
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the database, disk, prompts, recogniser, SIP trunk and clock; say how to fix what is wrong.",
        discussion: """
        Each line is OK, WARN or FAIL with a fix. Prompts are checked for the built-in scenario, the scenarios \
        given with --scenario and those of the active and paused campaigns. The trunk (sip.trunk, or \
        sip.outbound_proxy) gets one SIP OPTIONS over UDP. Exits 1 when a check fails.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Also check this scenario's prompts (a file, or `universal`); repeatable.")
    var scenario: [String] = []

    @Option(help: "Warn under this many GB free in the data directory (fail under a tenth).")
    var minFreeGB: Double = 1

    @Option(help: "Seconds to wait for the trunk's answer to OPTIONS.")
    var sipTimeout: Double = 4

    @Flag(help: "One JSON object.")
    var json = false

    func validate() throws {
        if minFreeGB < 0 || !minFreeGB.isFinite { throw ValidationError("--min-free-gb must be a positive number") }
        if sipTimeout <= 0 || sipTimeout > 60 { throw ValidationError("--sip-timeout must be between 0 and 60 seconds") }
    }

    struct Report: Encodable {
        var ok: Bool
        var checks: [DoctorCheck]
    }

    func run() async throws {
        let runtime = try Runtime(global)
        var doctor = Doctor(runtime: runtime)
        doctor.minimumFreeBytes = Int64(minFreeGB * 1_073_741_824)
        doctor.sipTimeout = .milliseconds(Int(sipTimeout * 1000))
        for name in scenario where !doctor.scenarios.contains(name) { doctor.scenarios.append(name) }
        let checks = await doctor.run()
        let failed = checks.contains { $0.status == .fail }
        if json {
            try Output.json(Report(ok: !failed, checks: checks))
        } else {
            let width = checks.map(\.name.count).max() ?? 0
            for check in checks {
                let status = check.status.rawValue.padding(toLength: 4, withPad: " ", startingAt: 0)
                Output.write("\(status)  \(check.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(check.detail)\n")
                if let fix = check.fix { Output.write("      \(String(repeating: " ", count: width))  fix: \(fix)\n") }
            }
            let counts = [DoctorCheck.Status.ok, .warn, .fail].map { status in "\(checks.filter { $0.status == status }.count) \(status.rawValue)" }
            Output.write("\n\(counts.joined(separator: ", "))\n")
        }
        if failed { throw ExitCode.failure }
    }
}

import ArgumentParser
import Foundation
import MiniBotAudio
import MiniBotCore

struct AMDCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amd",
        abstract: "Answering-machine detection on recorded calls: human, machine or unknown.",
        discussion: """
        Each FILE is the inbound audio of a call from the moment it was answered (any WAV; 8 kHz \
        telephone audio as is, other rates resampled). It is fed to the detector 20 ms at a time, as \
        a live call would be; a file that ends before a decision is continued with silence. With \
        --json, one object a line: {"file","result","decision_ms","reason"}, decision_ms being the time \
        into the audio at which the decision was final; a file that cannot be read gives \
        {"file","error"}, the others are still processed, and the exit status is 1. Thresholds come \
        from the amd: section of the configuration; --baseline runs Asterisk's app_amd algorithm with \
        amd.conf.sample's defaults instead.
        """
    )

    @Option(name: .long, help: "Configuration file whose amd: section sets the thresholds (default: as other commands).")
    var config: String?

    @Argument(help: "WAV files, each a call's inbound audio from the answer on.")
    var files: [String]

    @Flag(help: "Run Asterisk's app_amd algorithm (amd.conf.sample defaults) instead of MiniBotPanel's.")
    var baseline = false

    @Flag(help: "Print one JSON object a line: {\"file\",\"result\",\"decision_ms\",\"reason\"}.")
    var json = false

    func run() async throws {
        let settings = try ConfigLoader().load(path: config).config.amd
        var failed = 0
        for file in files {
            let frames: [AudioFrame]
            do {
                frames = try AMDCorpus.frames(ofFile: file)
            } catch {
                failed += 1
                Output.error("minibot amd: \(error)\n")
                if json { Output.write("{\"file\":\(Self.quoted(file)),\"error\":\(Self.quoted("\(error)"))}\n") }
                continue
            }
            let decision: AMDDecision
            if baseline {
                var detector = AsteriskAMD()
                decision = detector.decide(frames)
            } else {
                var detector = AnsweringMachineDetector(configuration: .init(settings))
                decision = detector.decide(frames)
            }
            Output.write((json ? Self.jsonLine(file: file, decision) : Self.line(file: file, decision)) + "\n")
        }
        if failed > 0 { throw ExitCode(1) }
    }

    /// `{"file":…,"result":…,"decision_ms":…,"reason":…}` with the keys in that order.
    static func jsonLine(file: String, _ decision: AMDDecision) -> String {
        "{\"file\":\(quoted(file)),\"result\":\"\(decision.result.rawValue)\",\"decision_ms\":\(milliseconds(decision.decidedAt)),"
            + "\"reason\":\(quoted(decision.reason))}"
    }

    static func line(file: String, _ decision: AMDDecision) -> String {
        "\(file): \(decision.result.rawValue) at \(String(format: "%.2f", Double(milliseconds(decision.decidedAt)) / 1000)) s (\(decision.reason))"
    }

    static func milliseconds(_ d: Duration) -> Int { Int((AudioTime.seconds(d) * 1000).rounded()) }

    static func quoted(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? encoder.encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }
}

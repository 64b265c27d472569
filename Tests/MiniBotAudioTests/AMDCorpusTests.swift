import Foundation
import MiniBotCore
import Testing
@testable import MiniBotAudio

/// Both detectors on a corpus made by the real generator (scripts/amd-corpus:
/// Pico and espeak-ng voices, beeps, music, line noise, µ-law), with a seed
/// the defaults were never tuned on.
@Suite(.serialized) struct AMDCorpusTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = root.appendingPathComponent("scripts/amd-corpus").path

    /// True when the generator's voices are installed (scripts/setup puts py-nanotts in .deps/tts).
    static let generatorAvailable: Bool = (try? shell(script, ["--check"])) == 0

    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// 100 clips, generated once per run.
    static let corpus: Result<[(AMDCorpus.Clip, [AudioFrame])], any Error> = Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("minibot-amd-test-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let status = try shell(script, [directory, "--count", "100", "--seed", "20261128"])
        guard status == 0 else { throw AMDCorpusError(description: "scripts/amd-corpus exited \(status)") }
        return try AMDCorpus(directory: directory).clips.map { ($0, try AMDCorpus.frames(ofFile: $0.path)) }
    }

    static func shell(_ tool: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    static func evaluate<D: AMDStreamingDetector>(_ make: () -> D) throws -> AMDEvaluation {
        AMDEvaluation(outcomes: try corpus.get().map { clip, frames in
            var detector = make()
            return .init(clip: clip, decision: detector.decide(frames))
        })
    }

    /// A stand-in recogniser: the words of the clip's script said by the end of
    /// the span asked for (spread evenly over the greeting), 700 ms later (Whisper
    /// base's median on 8 kHz clips, ../shared/research/voices.md).
    static func evaluateWithTranscripts() throws -> AMDEvaluation {
        AMDEvaluation(outcomes: try corpus.get().map { clip, frames in
            var detector = AnsweringMachineDetector()
            var pending: (readyAt: Int, text: String)?
            let words = clip.text.components(separatedBy: " | ")[0].split(separator: " ")
            let start = AudioTime.seconds(clip.speechStart), length = AudioTime.seconds(clip.speechEnd) - start
            for (i, frame) in (frames + Array(repeating: .silence(), count: 500)).enumerated() {
                if let d = detector.process(frame) { return .init(clip: clip, decision: d) }
                if let p = pending, i + 1 >= p.readyAt {
                    pending = nil
                    if let d = detector.transcript(p.text) { return .init(clip: clip, decision: d) }
                }
                if pending == nil, let span = detector.takeGreetingTranscriptSpan() {
                    let said = words.indices.filter { start + length * (Double($0) + 0.5) / Double(words.count) < AudioTime.seconds(span.upperBound) }
                    pending = (i + 1 + 35, said.map { String(words[$0]) }.joined(separator: " "))
                }
            }
            return .init(clip: clip, decision: AMDDecision(result: .unknown, decidedAt: .seconds(0), reason: "undecided"))
        })
    }

    static func report(_ name: String, _ e: AMDEvaluation) -> String {
        let misses = e.misses.map { "\(($0.clip.path as NSString).lastPathComponent): \($0.decision.result) (\($0.decision.reason))" }
        return "\(name): accuracy \(e.accuracy), misses:\n" + misses.joined(separator: "\n")
    }

    @Test(.enabled(if: generatorAvailable || isCI, "py-nanotts is not installed in .deps/tts: run scripts/setup"))
    func oursBeatsAsteriskOnTheGeneratedCorpus() throws {
        let ours = try Self.evaluate { AnsweringMachineDetector() }
        let asterisk = try Self.evaluate { AsteriskAMD() }
        #expect(ours.count(label: .human) == 50 && ours.count(label: .machine) == 50)
        // Without a recogniser, a voicemail greeting of 2–5 s with no beep, or a beep
        // seconds late, sounds like a person who said a sentence and waits: those are
        // most of what is left. People are almost never taken for machines.
        #expect(ours.accuracy >= 0.92, "\(Self.report("ours", ours))")
        #expect(ours.recall(.human) >= 0.98, "\(Self.report("ours", ours))")
        #expect(ours.accuracy >= asterisk.accuracy + 0.10, "ours \(ours.accuracy), Asterisk \(asterisk.accuracy)")
        #expect(ours.humanLatency(quantile: 0.5)! <= .milliseconds(1_500))
        // The corpus is byte-identical for a seed, so this is a measured figure
        // (0.88 here), not a draw: late beeps after 2–5 s greetings, and "Laurent."
        // then a pause, which the quick "Allô ?" rule calls a person.
        #expect(ours.machinesBeforeBeepEnd >= 0.85, "\(Self.report("ours", ours))")
    }

    @Test(.enabled(if: generatorAvailable || isCI, "py-nanotts is not installed in .deps/tts: run scripts/setup"))
    func withGreetingTranscriptsOursMeetsTheGoal() throws {
        let ours = try Self.evaluateWithTranscripts()
        let asterisk = try Self.evaluate { AsteriskAMD() }
        #expect(ours.accuracy >= 0.97, "\(Self.report("ours with transcripts", ours))")
        #expect(ours.accuracy > asterisk.accuracy)
        #expect(ours.humanLatency(quantile: 0.5)! <= .milliseconds(1_500))
        #expect(ours.machinesBeforeBeepEnd >= 0.95, "\(Self.report("ours with transcripts", ours))")
    }
}

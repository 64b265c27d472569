import ArgumentParser
import Foundation
import MiniBotAudio
import MiniBotSpeech

/// `minibot prompts …`: the robot's own recorded prompts.
struct PromptsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prompts",
        abstract: "Prepare the scenario's recorded prompts for the telephone line.",
        subcommands: [PromptsPrepareCommand.self, PromptsSynthesizeCommand.self]
    )
}

/// `minibot prompts prepare DIR`: every prompt to 8 kHz mono 16-bit WAV,
/// trimmed and loudness-normalised, with a before/after table.
struct PromptsPrepareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare",
        abstract: "Convert the prompts in DIR to 8 kHz mono, trim silence, normalise loudness; print a before/after table.",
        discussion: """
        Reads DIR/NAME.wav for each prompt of the scenario (hello, retry, q1, q2, q3, is_leads, confirm, \
        bye_success, bye_failed by default): PCM 8/16/24/32-bit, float, µ-law or A-law, any rate, mono or stereo; \
        failing that DIR/NAME.flac, .mp3, .ogg, .oga or .opus. \
        Writes OUTPUT/NAME.wav (default DIR/prepared), 8 kHz mono 16-bit PCM: leading and trailing silence \
        trimmed, integrated loudness (EBU R 128) brought to --target-lufs, then --gain added. Nothing is clipped: \
        peaks the gain would push above -1 dBTP go through a smooth look-ahead limiter (at most --max-limiting dB); \
        beyond that the gain is held back, and the table says by how much. \
        The originals are never modified. A missing or unreadable prompt is named and the command fails after \
        preparing the others.
        """
    )

    static let seedPrompts = ["hello", "retry", "q1", "q2", "q3", "is_leads", "confirm", "bye_success", "bye_failed"]

    @Argument(help: "Directory holding the prompts as NAME.wav (or .flac, .mp3, .ogg).")
    var directory: String

    @Option(parsing: .unconditional, help: "Integrated loudness to reach, in LUFS (negative: --target-lufs -16).")
    var targetLufs: Double = -16

    @Option(parsing: .unconditional, help: "Gain added after loudness normalisation, in dB (may be negative).")
    var gain: Double = 0

    @Option(help: "Most peak reduction the limiter may apply, in dB; beyond it the gain is held back (0: never limit).")
    var maxLimiting: Double = 6

    @Option(help: "Where to write the prepared prompts (default: DIR/prepared).")
    var output: String?

    @Option(parsing: .upToNextOption, help: "Prompt names to prepare instead of the seed scenario's nine.")
    var names: [String] = []

    @Option(help: "Whisper model (a ggml file or an installed model's name) used to write audio_texts.json, each prompt's transcript.")
    var model = "base"

    @Flag(help: "Do not write audio_texts.json.")
    var noTexts = false

    @Flag(help: "Print the report as one JSON object.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard (-70.0 ... -5.0).contains(targetLufs) else { throw ValidationError("--target-lufs \(targetLufs) is outside -70…-5 LUFS") }
        guard (-40.0 ... 40.0).contains(gain) else { throw ValidationError("--gain \(gain) dB is outside -40…40 dB") }
        guard (0.0 ... 20.0).contains(maxLimiting) else { throw ValidationError("--max-limiting \(maxLimiting) dB is outside 0…20 dB") }
    }

    func run() async throws {
        let outputDirectory = output ?? (directory as NSString).appendingPathComponent("prepared")
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        let settings = PromptPreparation.Settings(targetLUFS: targetLufs, extraGainDB: gain, maximumLimitingDB: maxLimiting)
        var results: [PromptResult] = []
        for name in names.isEmpty ? Self.seedPrompts : names {
            let candidates = (["wav"] + CompressedAudioFile.extensions).map { (directory as NSString).appendingPathComponent("\(name).\($0)") }
            let destination = (outputDirectory as NSString).appendingPathComponent("\(name).wav")
            guard let input = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                results.append(PromptResult(name: name, file: candidates[0], problem: Self.missingMessage(name: name, input: candidates[0])))
                continue
            }
            do {
                let buffer: PCMBuffer, encoding: String
                if input.hasSuffix(".wav") {
                    let contents = try WAVFile.read(path: input)
                    (buffer, encoding) = (contents.buffer, contents.encoding.description)
                } else {
                    (buffer, encoding) = (try CompressedAudioFile.read(path: input), (input as NSString).pathExtension.uppercased())
                }
                let (prepared, report) = try PromptPreparation.prepare(buffer, settings: settings)
                try WAVFile.writePCM16(prepared, to: destination)
                results.append(PromptResult(name: name, file: input, output: destination, encoding: encoding, report: report))
            } catch {
                results.append(PromptResult(name: name, file: input, problem: "\(error)"))
            }
        }
        let texts = noTexts ? nil : try await writeTexts(results, outputDirectory: outputDirectory)
        if json {
            try Output.json(PromptsReport(targetLUFS: targetLufs, gainDB: gain, outputDirectory: outputDirectory, prompts: results))
        } else {
            Output.write(Self.table(results))
            Output.write("Prepared prompts (8 kHz mono 16-bit WAV) in \(outputDirectory)\n")
            if let texts { Output.write("What each prompt says (\(texts.path)):\n" + texts.lines) }
            for result in results {
                if let problem = result.problem { Output.error("error: \(result.name): \(problem)\n") }
                if let after = result.loudnessAfterLUFS, after < targetLufs + gain - 0.5 {
                    Output.error("warning: \(result.name): \(Self.fixed(after)) LUFS, short of the target: the gain was held back "
                        + "\(Self.fixed(result.heldBackDB ?? 0)) dB to keep the true peak under -1 dBTP; raise --max-limiting to get closer\n")
                }
            }
        }
        if results.contains(where: { $0.problem != nil }) { throw ExitCode.failure }
    }

    /// Transcribes each prepared prompt and writes `audio_texts.json`
    /// (`{"hello": "Bonjour…", …}`), as the seed did, so the script's words
    /// can be checked against what was recorded. Without a model, says so
    /// and writes nothing.
    private func writeTexts(_ results: [PromptResult], outputDirectory: String) async throws -> (path: String, lines: String)? {
        let prepared = results.compactMap { result in result.output.map { (result.name, $0) } }
        guard !prepared.isEmpty else { return nil }
        let recognizer: WhisperRecognizer
        do {
            recognizer = try LocalRecognizer.open(model: model, dataDirectory: try Runtime(global).config.dataDir)
        } catch {
            Output.error("note: audio_texts.json not written: \(error) (minibot models install base, or --model FILE, or --no-texts)\n")
            return nil
        }
        var texts: [String: String] = [:]
        var lines = ""
        for (name, file) in prepared {
            let transcript = try await recognizer.transcribe(try WAVFile.read(path: file).buffer, language: "fr", prompt: nil)
            texts[name] = transcript.text
            lines += "  \(name): \(transcript.text)\n"
        }
        let path = (outputDirectory as NSString).appendingPathComponent("audio_texts.json")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(texts).write(to: URL(fileURLWithPath: path), options: .atomic)
        return (path, lines)
    }

    static func missingMessage(name: String, input: String) -> String {
        let directory = (input as NSString).deletingLastPathComponent
        let others = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { ($0 as NSString).deletingPathExtension == name }
        if let other = others.first {
            return "\(input) is missing (found \(other), a format not read here; convert it: sox \(directory)/\(other) \(input))"
        }
        return "\(input) is missing"
    }

    static func table(_ results: [PromptResult]) -> String {
        var table = Table(["prompt", "input", "duration", "peak", "loudness", "→ duration", "peak", "loudness", "gain", "limited"],
                          alignments: [.left, .left, .right, .right, .right, .right, .right, .right, .right, .right])
        for r in results {
            guard let report = r.report else {
                table.add([r.name, "—", "", "", "", "", "", "", r.problem == nil ? "" : "FAILED", ""])
                continue
            }
            let b = report.before, a = report.after
            table.add([
                r.name, "\(r.encoding ?? "") \(b.sampleRate / 1000) kHz \(b.channels == 1 ? "mono" : "stereo")",
                seconds(b.duration), dB(b.samplePeakDBFS, "dBFS"), lufs(b.loudnessLUFS),
                seconds(a.duration), dB(a.samplePeakDBFS, "dBFS"), lufs(a.loudnessLUFS),
                (report.gainDB >= 0 ? "+" : "") + fixed(report.gainDB) + " dB" + (report.heldBackDB > 0.5 ? " (held)" : ""),
                report.limitedDB > 0.05 ? "\(fixed(report.limitedDB)) dB" : "",
            ])
        }
        return table.render()
    }

    static func fixed(_ x: Double) -> String { String(format: "%.1f", x) }
    static func seconds(_ d: Duration) -> String { String(format: "%.2f s", AudioTime.seconds(d)) }
    static func dB(_ x: Double, _ unit: String) -> String { x.isFinite ? "\(fixed(x)) \(unit)" : "−∞" }
    static func lufs(_ x: Double?) -> String { x.map { "\(fixed($0)) LUFS" } ?? "too short" }
}

/// One prompt's line of the report.
struct PromptResult: Encodable {
    var name: String
    var file: String
    var output: String?
    var encoding: String?
    var problem: String?
    var durationBefore: Double?, durationAfter: Double?
    var peakBeforeDBFS: Double?, peakAfterDBFS: Double?, truePeakAfterDBTP: Double?
    var loudnessBeforeLUFS: Double?, loudnessAfterLUFS: Double?
    var gainDB: Double?, heldBackDB: Double?, limitedDB: Double?
    var trimmedLeading: Double?, trimmedTrailing: Double?
    var report: PromptPreparation.Report?

    enum CodingKeys: String, CodingKey {
        case name, file, output, encoding, problem
        case durationBefore = "duration_before_s", durationAfter = "duration_after_s"
        case peakBeforeDBFS = "peak_before_dbfs", peakAfterDBFS = "peak_after_dbfs", truePeakAfterDBTP = "true_peak_after_dbtp"
        case loudnessBeforeLUFS = "loudness_before_lufs", loudnessAfterLUFS = "loudness_after_lufs"
        case gainDB = "gain_db", heldBackDB = "held_back_db", limitedDB = "limited_db"
        case trimmedLeading = "trimmed_leading_s", trimmedTrailing = "trimmed_trailing_s"
    }

    init(name: String, file: String, problem: String) {
        self.name = name
        self.file = file
        self.problem = problem
    }

    init(name: String, file: String, output: String, encoding: String, report: PromptPreparation.Report) {
        func finite(_ x: Double) -> Double? { x.isFinite ? (x * 100).rounded() / 100 : nil }
        self.name = name
        self.file = file
        self.output = output
        self.encoding = encoding
        self.report = report
        durationBefore = AudioTime.seconds(report.before.duration)
        durationAfter = AudioTime.seconds(report.after.duration)
        peakBeforeDBFS = finite(report.before.samplePeakDBFS)
        peakAfterDBFS = finite(report.after.samplePeakDBFS)
        truePeakAfterDBTP = finite(report.after.truePeakDBTP)
        loudnessBeforeLUFS = report.before.loudnessLUFS.flatMap(finite)
        loudnessAfterLUFS = report.after.loudnessLUFS.flatMap(finite)
        gainDB = finite(report.gainDB)
        heldBackDB = finite(report.heldBackDB)
        limitedDB = finite(report.limitedDB)
        trimmedLeading = AudioTime.seconds(report.trimmedLeading)
        trimmedTrailing = AudioTime.seconds(report.trimmedTrailing)
    }
}

/// The whole `--json` report.
struct PromptsReport: Encodable {
    var targetLUFS: Double
    var gainDB: Double
    var outputDirectory: String
    var prompts: [PromptResult]

    enum CodingKeys: String, CodingKey {
        case targetLUFS = "target_lufs", gainDB = "gain_db", outputDirectory = "output_directory", prompts
    }
}

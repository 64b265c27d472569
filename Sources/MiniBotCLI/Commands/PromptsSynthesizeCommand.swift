import ArgumentParser
import Foundation
import MiniBotAudio
import MiniBotCore
import MiniBotDialer
import MiniBotSpeech

/// `minibot prompts synthesize`: each prompt's text in the scenario made into
/// a telephone-ready WAV by the configured voice; recordings already there win.
struct PromptsSynthesizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synthesize",
        abstract: "Make the scenario's prompt WAVs from their texts (Pico, or a speech server); recordings already there are kept.",
        discussion: """
        For each prompt of the scenario (its steps, the recording notice and the voicemail) that has a text, \
        synthesises the text with tts.engine (pico: the local SVOX Pico voice installed by scripts/setup; http: an \
        OpenAI-compatible /v1/audio/speech server at tts.base_url), then prepares it as `prompts prepare` does \
        (8 kHz mono 16-bit, silence trimmed, loudness -16 LUFS, peaks under -1 dBTP) and writes OUT/FILE \
        (default: the scenario's prompt folder; DATA_DIR/prompts/universal for the built-in scenario). \
        A WAV already there that this command did not make is a recording and is kept, unless --force. \
        A WAV it made earlier is made again when the text or the voice changed, so editing a text in the scenario \
        and running this again is enough to hear it. Writes audio_texts.json (what each prompt says) and \
        .synthesized.json (which files were made here) in OUT. \
        A prompt with neither text nor file, a missing synthesiser or a failing server is named for its step; \
        the others are still made, and the command fails at the end.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Scenario file, or `universal` for the built-in one.")
    var scenario = ScenarioLoader.builtinName

    @Option(help: "Voice: Pico's (fr-FR, …) or, with tts.engine http, the server's (default: tts.voice or tts.http_voice).")
    var voice: String?

    @Option(help: "Folder to write the prompts to (default: the scenario's prompt folder).")
    var out: String?

    @Flag(help: "Synthesise every prompt that has a text, replacing the WAVs already there, recordings included.")
    var force = false

    @Flag(help: "Print the report as one JSON object.")
    var json = false

    func run() async throws {
        let runtime = try Runtime(global)
        if let problem = runtime.config.tts.problems.first {
            Output.error("error: \(problem)\n")
            throw ExitCode.failure
        }
        let loaded: LoadedScenario
        do {
            loaded = try runtime.loadScenario(scenario, checkPrompts: false)
        } catch let error as ScenarioError {
            Output.error("\(error)\n")
            throw ExitCode.failure
        }
        let folder = out.map { URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath).standardizedFileURL.path } ?? loaded.promptDirectory
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let engine = SynthesisEngine(settings: runtime.config.tts, voice: voice)
        var synthesis = PromptSynthesis(folder: folder, engine: engine, force: force)
        for (step, prompt) in loaded.scenario.promptFiles {
            let destination = out == nil ? loaded.path(of: prompt)
                : (folder as NSString).appendingPathComponent(prompt.file.hasPrefix("/") ? (prompt.file as NSString).lastPathComponent : prompt.file)
            await synthesis.make(step: step, prompt: prompt, destination: destination)
        }
        let textsPath = try synthesis.save()
        let results = synthesis.results
        if json {
            try Output.json(Report(scenario: loaded.scenario.name, engine: engine.label, outputDirectory: folder,
                                   audioTexts: textsPath, prompts: results))
        } else {
            Output.write(Self.table(results))
            Output.write("Voice: \(engine.label)\nPrompts (8 kHz mono 16-bit WAV) in \(folder); what each says: \(textsPath)\n")
            for result in results {
                if let problem = result.problem { Output.error("error: \(result.step): \(problem)\n") }
            }
        }
        if results.contains(where: { $0.problem != nil }) { throw ExitCode.failure }
    }

    static func table(_ results: [PromptSynthesis.Result]) -> String {
        var table = Table(["step", "file", "result", "duration", "loudness", "text"],
                          alignments: [.left, .left, .left, .right, .right, .left])
        for r in results {
            table.add([r.step, r.file, r.status.label, r.duration.map { String(format: "%.2f s", $0) } ?? "",
                       r.loudness.map { String(format: "%.1f LUFS", $0) } ?? "", r.text])
        }
        return table.render()
    }

    /// The whole `--json` report.
    struct Report: Encodable {
        var scenario: String
        var engine: String
        var outputDirectory: String
        var audioTexts: String
        var prompts: [PromptSynthesis.Result]

        enum CodingKeys: String, CodingKey {
            case scenario, engine, prompts
            case outputDirectory = "output_directory", audioTexts = "audio_texts"
        }
    }
}

/// The configured synthesiser, or why there is none, and what identifies its voice.
struct SynthesisEngine {
    let synthesizer: Result<any SpeechSynthesizer, SynthesisError>
    /// Shown to the user.
    let label: String
    /// Recorded with each file made, so a change of voice makes it again.
    let signature: String

    init(settings: MiniBotConfig.TTS, voice: String?) {
        switch settings.engine {
        case .pico:
            let voice = voice ?? settings.voice
            let python = settings.python.isEmpty ? PicoSynthesizer.defaultPython() : settings.python
            if let python {
                synthesizer = .success(PicoSynthesizer(python: python, voice: voice, speed: settings.speed, pitch: settings.pitch))
            } else {
                synthesizer = .failure(.engineMissing(python: nil, reason: "no .deps/tts/bin/python beside this minibot or in the current folder"))
            }
            label = "Pico \(voice), speed \(settings.speed) %, pitch \(settings.pitch) %" + (python.map { " (\($0))" } ?? "")
            signature = "pico \(voice) speed=\(settings.speed) pitch=\(settings.pitch)"
        case .http:
            let voice = voice ?? settings.httpVoice
            if let url = URL(string: settings.baseURL), url.scheme == "http" || url.scheme == "https" {
                let configuration = HTTPSpeechSynthesizer.Configuration(
                    baseURL: url, model: settings.model, voice: voice, apiKey: settings.apiKey.isEmpty ? nil : settings.apiKey,
                    timeout: .milliseconds(Int64(settings.timeout * 1000)))
                synthesizer = .success(HTTPSpeechSynthesizer(configuration: configuration))
                label = "\(configuration.endpoint.absoluteString), model \(settings.model), voice \(voice)"
            } else {
                synthesizer = .failure(.server(url: settings.baseURL, reason: "tts.base_url is not an http:// or https:// URL"))
                label = settings.baseURL
            }
            signature = "http \(settings.baseURL) model=\(settings.model) voice=\(voice)"
        }
    }
}

/// One run of `prompts synthesize` over a folder: decides for each prompt
/// whether to keep the file there or to make it, makes it, and remembers
/// what it made (`.synthesized.json`) and what each prompt says (`audio_texts.json`).
struct PromptSynthesis {
    /// What happened to one prompt.
    enum Status: String, Encodable {
        case synthesized
        case keptRecording = "kept_recording"
        case upToDate = "up_to_date"
        case noText = "no_text"
        case failed

        var label: String {
            switch self {
            case .synthesized: "synthesised"
            case .keptRecording: "kept recording"
            case .upToDate: "up to date"
            case .noText: "no text"
            case .failed: "FAILED"
            }
        }
    }

    /// One prompt's line of the report.
    struct Result: Encodable {
        var step: String
        var file: String
        var output: String
        var status: Status
        var text: String
        var duration: Double?
        var loudness: Double?
        var problem: String?

        enum CodingKeys: String, CodingKey {
            case step, file, output, status, text, problem
            case duration = "duration_s", loudness = "loudness_lufs"
        }
    }

    /// A file this command made: its checksum (to tell it from a recording put
    /// in its place), and the text and voice it was made from.
    struct Made: Codable, Equatable {
        var checksum: String
        var text: String
        var voice: String
    }

    static let manifestName = ".synthesized.json"
    static let textsName = "audio_texts.json"

    let folder: String
    let engine: SynthesisEngine
    let force: Bool
    private(set) var results: [Result] = []
    /// `.synthesized.json`: file (relative to ``folder``) → how it was made.
    private var made: [String: Made]
    /// `audio_texts.json`: prompt name → its words.
    private var texts: [String: String]

    init(folder: String, engine: SynthesisEngine, force: Bool) {
        self.folder = folder
        self.engine = engine
        self.force = force
        made = Self.readJSON([String: Made].self, at: (folder as NSString).appendingPathComponent(Self.manifestName)) ?? [:]
        texts = Self.readJSON([String: String].self, at: (folder as NSString).appendingPathComponent(Self.textsName)) ?? [:]
    }

    /// Keeps or makes `destination` for `prompt`, and records the result.
    mutating func make(step: String, prompt: ScenarioPrompt, destination: String) async {
        let text = prompt.text.trimmingCharacters(in: .whitespacesAndNewlines)
        let key = destination.hasPrefix(folder + "/") ? String(destination.dropFirst(folder.count + 1)) : destination
        let name = ((destination as NSString).lastPathComponent as NSString).deletingPathExtension
        var result = Result(step: step, file: prompt.file, output: destination, status: .failed, text: text)
        defer { results.append(result) }
        if let earlier = results.first(where: { $0.output == destination }) {
            // Two steps share a file: it was dealt with for the first one.
            result.status = earlier.status
            result.duration = earlier.duration
            result.loudness = earlier.loudness
            return
        }

        let exists = FileManager.default.fileExists(atPath: destination)
        let checksum = exists ? Self.checksum(of: destination) : nil
        let ours = made[key].flatMap { made in checksum.map { made.checksum == $0 } } ?? false
        if exists && !ours && !force {
            result.status = .keptRecording
            made[key] = nil
            if texts[name] == nil && !text.isEmpty { texts[name] = text }
            do {
                (result.duration, result.loudness) = try Self.measure(destination)
            } catch {
                result.problem = "the file there is kept as a recording but cannot be played (\(error)): fix it, or --force to synthesise over it"
            }
            return
        }
        guard !text.isEmpty else {
            result.status = .noText
            if exists {
                (result.duration, result.loudness) = (try? Self.measure(destination)) ?? (nil, nil)
            } else {
                result.problem = "no text and no file: give steps.\(step) a text, or record \(destination)"
            }
            return
        }
        if !force, ours, let made = made[key], made.text == text, made.voice == engine.signature {
            result.status = .upToDate
            texts[name] = text
            (result.duration, result.loudness) = (try? Self.measure(destination)) ?? (nil, nil)
            return
        }
        do {
            let synthesizer = try engine.synthesizer.get()
            let speech = try await synthesizer.synthesize(text)
            let (prepared, report) = try PromptPreparation.prepare(speech)
            try FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try WAVFile.writePCM16(prepared, to: destination)
            made[key] = Made(checksum: Self.checksum(of: destination) ?? "", text: text, voice: engine.signature)
            texts[name] = text
            result.status = .synthesized
            result.duration = AudioTime.seconds(report.after.duration)
            result.loudness = report.after.loudnessLUFS
        } catch {
            result.problem = "\(error)"
            result.duration = nil
            result.loudness = nil
        }
    }

    /// Writes `.synthesized.json` and `audio_texts.json`; returns the latter's path.
    func save() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let manifest = (folder as NSString).appendingPathComponent(Self.manifestName)
        try encoder.encode(made).write(to: URL(fileURLWithPath: manifest), options: .atomic)
        let path = (folder as NSString).appendingPathComponent(Self.textsName)
        try encoder.encode(texts).write(to: URL(fileURLWithPath: path), options: .atomic)
        return path
    }

    private static func readJSON<T: Decodable>(_ type: T.Type, at path: String) -> T? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(type, from: data)
    }

    /// FNV-1a (64-bit) of the file's bytes, in hex: enough to notice that a
    /// file was replaced, not a defence against forgery.
    static func checksum(of path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    /// Duration and loudness of a WAV already there.
    private static func measure(_ path: String) throws -> (Double?, Double?) {
        let buffer = try WAVFile.read(path: path).buffer
        guard !buffer.isEmpty else { throw WAVError.emptyData(file: path) }
        let measured = try PromptPreparation.measure(buffer)
        return (AudioTime.seconds(measured.duration), measured.loudnessLUFS)
    }
}

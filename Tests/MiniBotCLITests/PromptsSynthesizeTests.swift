import Foundation
import MiniBotAudio
import MiniBotTestSupport
import Testing

/// `minibot prompts synthesize`, the real executable with the real Pico voice
/// (`.deps/tts`, installed by scripts/setup) found from the executable's location.
@Suite("prompts synthesize", .serialized)
struct PromptsSynthesizeTests {
    static let python = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".deps/tts/bin/python").path
    static var voiceInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: python) || ProcessInfo.processInfo.environment["CI"] == "true"
    }
    static let universalFiles = ["hello", "retry", "q1", "q2", "q3", "is_leads", "confirm", "bye_success", "bye_failed",
                                 "notice", "voicemail"]

    struct Report: Decodable {
        struct Prompt: Decodable {
            let step: String
            let file: String
            let output: String
            let status: String
            let problem: String?
        }
        let prompts: [Prompt]
        let outputDirectory: String
        let audioTexts: String
        enum CodingKeys: String, CodingKey {
            case prompts
            case outputDirectory = "output_directory", audioTexts = "audio_texts"
        }
        func status(_ step: String) -> String? { prompts.first { $0.step == step }?.status }
    }

    let folder = temporaryFolder("minibot-synthesize")
    /// Where the command runs: not the checkout, so the voice must be found from the executable.
    var cwd: String { folder }

    func run(_ arguments: [String], _ environment: [String: String] = [:]) async throws -> MinibotProcess.Result {
        try await MinibotProcess.run(arguments, environment: ["MINIBOT_DATA_DIR": folder + "/data"].merging(environment) { $1 },
                                     directory: cwd)
    }

    func synthesize(_ arguments: [String], _ environment: [String: String] = [:]) async throws -> (MinibotProcess.Result, Report) {
        let result = try await run(["prompts", "synthesize", "--json"] + arguments, environment)
        let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
        return (result, report)
    }

    func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    /// A stand-in for a studio recording: one second of 440 Hz at 8 kHz.
    func writeRecording(to path: String) throws {
        let tone = (0..<8000).map { Int16(8000 * sin(2 * Double.pi * 440 * Double($0) / 8000)) }
        try WAVFile.writePCM16(PCMBuffer(sampleRate: 8000, samples: tone), to: path)
    }

    @Test(.enabled(if: voiceInstalled, "no .deps/tts/bin/python: run scripts/setup"))
    func theUniversalScenarioIsSynthesisedAndPassesTheCheckThenRecordingsWin() async throws {
        let prompts = folder + "/data/prompts/universal"
        let (made, report) = try await synthesize([])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(report.outputDirectory == prompts)
        #expect(report.prompts.count == 11)
        #expect(report.prompts.allSatisfy { $0.status == "synthesized" && $0.problem == nil }, "\(report.prompts)")

        // Eleven telephone-ready WAVs, and what each says.
        let files = try FileManager.default.contentsOfDirectory(atPath: prompts).filter { $0.hasSuffix(".wav") }
        #expect(Set(files) == Set(Self.universalFiles.map { $0 + ".wav" }))
        for name in Self.universalFiles {
            let contents = try WAVFile.read(path: "\(prompts)/\(name).wav")
            #expect(contents.buffer.sampleRate == 8000 && contents.buffer.channels == 1, "\(name)")
            #expect(contents.encoding == .pcm(bits: 16), "\(name): \(contents.encoding)")
            #expect(contents.buffer.duration > .milliseconds(800), "\(name): \(contents.buffer.duration)")
            let loudness = try #require(try Loudness.measure(contents.buffer).integratedLUFS, "\(name)")
            #expect(abs(loudness - -16) < 1.5, "\(name): \(loudness) LUFS")
        }
        let texts = try JSONDecoder().decode([String: String].self, from: try #require(bytes(report.audioTexts)))
        #expect(Set(texts.keys) == Set(Self.universalFiles))
        #expect(texts["q1"] == "Êtes-vous propriétaire de votre logement ?")
        #expect(texts["notice"] == "Cet appel est susceptible d'être enregistré.")

        let check = try await run(["scenario", "check", "universal", "--json"])
        #expect(check.status == 0, "\(check.stdout) \(check.stderr)")
        #expect(check.stdout.contains("\"valid\":true"))

        // Again: nothing changed, nothing is made.
        let before = Self.universalFiles.map { bytes("\(prompts)/\($0).wav") }
        let (again, unchanged) = try await synthesize([])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(unchanged.prompts.allSatisfy { $0.status == "up_to_date" }, "\(unchanged.prompts)")
        #expect(Self.universalFiles.map { bytes("\(prompts)/\($0).wav") } == before)

        // A studio recording dropped in for hello wins over its text.
        try writeRecording(to: prompts + "/hello.wav")
        let recording = bytes(prompts + "/hello.wav")
        let kept = try await run(["prompts", "synthesize"])
        #expect(kept.status == 0, "\(kept.stderr)")
        #expect(kept.stdout.contains(#/hello +hello\.wav +kept recording/#), "\(kept.stdout)")
        #expect(kept.stdout.contains(#/q1 +q1\.wav +up to date/#), "\(kept.stdout)")
        #expect(bytes(prompts + "/hello.wav") == recording)

        // --force replaces it, and every other prompt, from the texts.
        let (forced, replaced) = try await synthesize(["--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(replaced.prompts.allSatisfy { $0.status == "synthesized" }, "\(replaced.prompts)")
        #expect(bytes(prompts + "/hello.wav") != recording)
        #expect(bytes(prompts + "/hello.wav") == before[0])      // Pico is deterministic
    }

    @Test(.enabled(if: voiceInstalled, "no .deps/tts/bin/python: run scripts/setup"))
    func anEditedTextIsHeardAtOnceAndAPromptWithNothingIsNamed() async throws {
        let shown = try await run(["scenario", "show"])
        let original = shown.stdout.replacingOccurrences(of: "prompts: .", with: "prompts: audio")
        let scenario = folder + "/script.yaml"
        try original.write(toFile: scenario, atomically: true, encoding: .utf8)
        let (first, _) = try await synthesize(["--scenario", scenario])
        #expect(first.status == 0, "\(first.stderr)")
        let q1 = folder + "/audio/q1.wav", q2 = folder + "/audio/q2.wav"
        let oldQ1 = bytes(q1)

        // New words for q1; q2 loses its text and its file.
        let edited = original
            .replacingOccurrences(of: "Êtes-vous propriétaire de votre logement ?", with: "Habitez-vous une maison ou un appartement ?")
            .replacingOccurrences(of: "    text: \"Votre logement est-il chauffé à l'électricité ?\"\n", with: "")
        #expect(edited.count < original.count - 40)
        try edited.write(toFile: scenario, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: q2)

        let (second, report) = try await synthesize(["--scenario", scenario])
        #expect(second.status != 0)
        #expect(report.status("q1") == "synthesized")
        #expect(report.status("q2") == "no_text")
        #expect(report.prompts.first { $0.step == "q2" }?.problem?.contains("no text and no file") == true)
        #expect(report.prompts.filter { $0.status == "up_to_date" }.count == 9, "\(report.prompts)")
        #expect(bytes(q1) != nil && bytes(q1) != oldQ1)
        #expect(!FileManager.default.fileExists(atPath: q2))
        let texts = try JSONDecoder().decode([String: String].self, from: try #require(bytes(folder + "/audio/audio_texts.json")))
        #expect(texts["q1"] == "Habitez-vous une maison ou un appartement ?")

        let table = try await run(["prompts", "synthesize", "--scenario", scenario])
        #expect(table.status != 0)
        #expect(table.stdout.contains(#/q2 +q2\.wav +no text/#), "\(table.stdout)")
        #expect(table.stderr.contains("error: q2: no text and no file: give steps.q2 a text, or record \(q2)"), "\(table.stderr)")
    }

    @Test func aMissingVoiceIsNamedForEachStepAndRecordingsStillCount() async throws {
        let out = folder + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try writeRecording(to: out + "/hello.wav")
        let (result, report) = try await synthesize(["--out", out], ["MINIBOT_TTS_PYTHON": "/nonexistent/bin/python"])
        #expect(result.status != 0)
        #expect(report.status("hello") == "kept_recording")
        #expect(report.prompts.filter { $0.status == "failed" }.count == 10, "\(report.prompts)")
        let retry = try #require(report.prompts.first { $0.step == "retry" }?.problem)
        #expect(retry.contains("/nonexistent/bin/python") && retry.contains("scripts/setup"), "\(retry)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasSuffix(".wav") } == ["hello.wav"])
        let texts = try JSONDecoder().decode([String: String].self, from: try #require(bytes(out + "/audio_texts.json")))
        #expect(texts.keys.sorted() == ["hello"])
    }

    @Test func aFailingSpeechServerIsNamedForEachStep() async throws {
        let environment = ["MINIBOT_TTS_ENGINE": "http", "MINIBOT_TTS_BASE_URL": "http://127.0.0.1:9", "MINIBOT_TTS_TIMEOUT": "5"]
        let result = try await run(["prompts", "synthesize", "--out", folder + "/out"], environment)
        #expect(result.status != 0)
        for step in ["hello", "bye_failed", "voicemail"] {
            #expect(result.stderr.contains("error: \(step): speech server http://127.0.0.1:9/v1/audio/speech: cannot connect"), "\(result.stderr)")
        }
        #expect(result.stdout.contains("http://127.0.0.1:9/v1/audio/speech, model tts-1, voice alloy"), "\(result.stdout)")
    }

    @Test func theTTSSectionIsReadFromTheConfigurationFile() async throws {
        let config = folder + "/minibot.yaml"
        try """
            tts:
              engine: http
              base_url: http://127.0.0.1:9/v1
              model: kokoro
              http_voice: ff_siwis
              api_key: sk-from-file
              timeout: 2
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let shown = try await run(["config", "show", "--config", config])
        #expect(shown.status == 0, "\(shown.stderr)")
        for line in ["engine: http", "base_url: http://127.0.0.1:9/v1", "model: kokoro", "http_voice: ff_siwis", "speed: 100", "voice: fr-FR"] {
            #expect(shown.stdout.contains(line), "\(line) in \(shown.stdout)")
        }
        #expect(!shown.stdout.contains("sk-from-file"))
        // The file's engine is the one used: its server, its model and voice, a --voice over it.
        let result = try await run(["prompts", "synthesize", "--config", config, "--out", folder + "/out", "--voice", "ff_other"])
        #expect(result.status != 0)
        #expect(result.stdout.contains("http://127.0.0.1:9/v1/audio/speech, model kokoro, voice ff_other"), "\(result.stdout)")
        #expect(result.stderr.contains("error: hello: speech server http://127.0.0.1:9/v1/audio/speech: cannot connect"), "\(result.stderr)")
    }

    @Test func badSettingsAreRefusedAndTheKeyIsMasked() async throws {
        let speed = try await run(["prompts", "synthesize"], ["MINIBOT_TTS_SPEED": "5"])
        #expect(speed.status != 0 && speed.stderr.contains("tts.speed 5 is outside 20…500"), "\(speed.stderr)")
        let noURL = try await run(["prompts", "synthesize"], ["MINIBOT_TTS_ENGINE": "http"])
        #expect(noURL.status != 0 && noURL.stderr.contains("tts.base_url"), "\(noURL.stderr)")
        let engine = try await run(["prompts", "synthesize"], ["MINIBOT_TTS_ENGINE": "espeak"])
        #expect(engine.status != 0 && engine.stderr.contains("espeak"), "\(engine.stderr)")

        let shown = try await run(["config", "show"], ["MINIBOT_TTS_API_KEY": "sk-sekrit", "MINIBOT_TTS_HTTP_VOICE": "ff_siwis"])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(!shown.stdout.contains("sk-sekrit"))
        #expect(shown.stdout.contains("api_key: '***'") || shown.stdout.contains("api_key: \"***\""), "\(shown.stdout)")
        #expect(shown.stdout.contains("http_voice: ff_siwis"), "\(shown.stdout)")
    }
}

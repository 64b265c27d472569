import Foundation
import MiniBotTestSupport
import Testing

/// `minibot prompts prepare` writes audio_texts.json with the real Whisper
/// model that scripts/test prepares (.deps/speech-test/ggml-base.bin).
@Suite("Prompt transcripts")
struct PromptTextsTests {
    static let testData = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".deps/speech-test")
    static let model = testData.appendingPathComponent("ggml-base.bin").path
    static var runnable: Bool {
        FileManager.default.fileExists(atPath: model) || ProcessInfo.processInfo.environment["CI"] != nil
    }

    @Test(.enabled(if: runnable, "no test model: run scripts/test, which prepares it"))
    func preparedPromptsGetTheirTranscripts() async throws {
        #expect(FileManager.default.fileExists(atPath: Self.model), "\(Self.model) is missing: scripts/fetch-test-model prepares it")
        let folder = temporaryFolder("minibot-prompt-texts")
        // Two of the test set's French answers (Pico voice), standing in for recorded prompts.
        for (name, clip) in [("hello", "pico-00.wav"), ("bye_success", "pico-03.wav")] {
            try FileManager.default.copyItem(atPath: Self.testData.appendingPathComponent("clips/\(clip)").path, toPath: "\(folder)/\(name).wav")
        }
        let result = try await MinibotProcess.run(["prompts", "prepare", folder, "--names", "hello", "bye_success", "--model", Self.model],
                                                  environment: ["MINIBOT_DATA_DIR": folder])
        #expect(result.status == 0, "\(result.stderr)")
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/prepared/audio_texts.json"))
        let texts = try JSONDecoder().decode([String: String].self, from: data)
        #expect(Set(texts.keys) == ["hello", "bye_success"])
        // Each entry is what Whisper hears in that prepared prompt (base is
        // weak on 2 s answers, so the words themselves are not asserted).
        for name in ["hello", "bye_success"] {
            let heard = try await MinibotProcess.run(["transcribe", "\(folder)/prepared/\(name).wav", "--model", Self.model, "--json"],
                                                     environment: ["MINIBOT_DATA_DIR": folder])
            let line = try JSONDecoder().decode([String: AnyCodableText].self, from: Data(heard.stdout.utf8))
            #expect(texts[name] == line["text"]?.text && texts[name]?.isEmpty == false, "\(texts) vs \(heard.stdout)")
        }

        let without = try await MinibotProcess.run(["prompts", "prepare", folder, "--names", "hello", "--model", "nonexistent"],
                                                   environment: ["MINIBOT_DATA_DIR": folder])
        #expect(without.status == 0 && without.stderr.contains("audio_texts.json not written"))
    }
}

/// A JSON value read as text when it is a string.
struct AnyCodableText: Decodable {
    let text: String?
    init(from decoder: any Decoder) throws {
        text = try? decoder.singleValueContainer().decode(String.self)
    }
}

import Foundation
import MiniBotAudio
import Testing
@testable import MiniBotSpeech

extension RealLibraryTests {
    /// `minibot models quantize` on the real base model, loaded and run by the real library.
    @Suite struct QuantizationOfRealModelTests {
        @Test func q8_0ModelIsSmallerLoadsAndTranscribes() async throws {
            try SpeechTestData.require(SpeechTestData.model)
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("ggml-q8-\(UUID().uuidString).bin").path
            defer { try? FileManager.default.removeItem(atPath: out) }
            let summary = try GGMLWhisperQuantizer.quantize(input: SpeechTestData.model, output: out, type: .q8_0)
            // The size whisper.cpp 1.8.5's examples/quantize writes for this model (the bytes are identical).
            #expect(summary.bytes == 81_768_585)
            #expect(summary.tensors == 245)
            #expect(summary.quantizedTensors == 97)
            #expect(!FileManager.default.fileExists(atPath: out + ".partial"))

            let model = try WhisperModel(path: out)
            #expect(model.melBands == 80 && model.isMultilingual)
            let recognizer = WhisperRecognizer(model: model)
            let clip = try #require(try SpeechTestData.clips(voice: "pico").first { $0.text == "Non merci, ça ne m'intéresse pas." })
            let transcript = try await recognizer.transcribe(try clip.audio(), language: "fr")
            #expect(WordErrorRate.words(transcript.text) == ["non", "merci", "ca", "ne", "m", "interesse", "pas"], "\(transcript.text)")

            do {
                _ = try GGMLWhisperQuantizer.quantize(input: out, output: out + ".again", type: .q5_0)
                Issue.record("quantised an already quantised model")
            } catch {
                #expect("\(error)".contains("already quantised"))
            }
        }

        @Test func refusesAFileThatIsNotAModel() throws {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("not-ggml-\(UUID().uuidString).bin").path
            defer { try? FileManager.default.removeItem(atPath: file) }
            _ = FileManager.default.createFile(atPath: file, contents: Data("RIFF....WAVEfmt ".utf8))
            #expect(throws: SpeechError.invalidGGMLModel(file: file, reason: "not a ggml Whisper model (bad magic)")) {
                try GGMLWhisperQuantizer.quantize(input: file, output: file + ".q8", type: .q8_0)
            }
            #expect(!FileManager.default.fileExists(atPath: file + ".q8"))
        }
    }
}

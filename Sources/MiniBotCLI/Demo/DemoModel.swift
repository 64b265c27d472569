import Foundation
import MiniBotCore
import MiniBotSpeech

/// The Whisper model the demo transcribes with: the configured local model
/// when it is there, else an installed `base`, else the test model that
/// `scripts/fetch-test-model` converts from PyPI weights (`./minibot demo`
/// runs it), found beside this executable's checkout or the current folder.
enum DemoModel {
    static let testModel = ".deps/speech-test/ggml-base.bin"

    static func path(_ config: MiniBotConfig) throws -> String {
        if config.speech.engine == .local, let path = try? LocalRecognizer.path(of: config.speech.model, dataDirectory: config.dataDir) {
            return path
        }
        if let path = ModelStore(dataDirectory: config.dataDir).resolve("base") { return path }
        if let path = CheckoutFile.locate(testModel) { return path }
        throw SpeechError.modelNotLoaded(
            path: config.speech.model,
            reason: "no Whisper model for the demo: run scripts/fetch-test-model (./minibot demo does), or minibot models install base")
    }
}

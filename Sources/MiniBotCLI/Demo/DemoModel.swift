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
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? Bundle.main.executablePath
        let starts = [executable.map { URL(fileURLWithPath: $0).deletingLastPathComponent() },
                      URL(fileURLWithPath: FileManager.default.currentDirectoryPath)].compactMap { $0 }
        for start in starts {
            var folder = start.standardizedFileURL
            while true {
                let candidate = folder.appendingPathComponent(testModel).path
                if FileManager.default.fileExists(atPath: candidate) { return candidate }
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path { break }
                folder = parent
            }
        }
        throw SpeechError.modelNotLoaded(
            path: config.speech.model,
            reason: "no Whisper model for the demo: run scripts/fetch-test-model (./minibot demo does), or minibot models install base")
    }
}

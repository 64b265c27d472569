import Foundation
import MiniBotSpeech

/// Opens the local Whisper engine on a ggml file or an installed model's name.
enum LocalRecognizer {
    static func open(model: String, dataDirectory: String, configuration: WhisperRecognizer.Configuration = .init()) throws -> WhisperRecognizer {
        try WhisperRecognizer(modelPath: try path(of: model, dataDirectory: dataDirectory), configuration: configuration)
    }

    /// `model` itself when it is a file, else the installed model of that name.
    static func path(of model: String, dataDirectory: String) throws -> String {
        if FileManager.default.fileExists(atPath: model) { return model }
        let store = ModelStore(dataDirectory: dataDirectory)
        guard let found = store.resolve(model) else {
            throw SpeechError.modelNotLoaded(path: model, reason: "neither a file nor a model installed in \(store.folder) (minibot models list)")
        }
        return found
    }
}

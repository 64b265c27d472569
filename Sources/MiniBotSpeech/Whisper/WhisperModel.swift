import CWhisper
import Foundation
import Logging

/// A ggml Whisper model loaded by whisper.cpp: the weights, read-only and
/// shared by every decoder state and every recogniser that uses it.
///
/// Load it with ``WhisperModel/shared(path:)``: each file is loaded once per
/// process, however many recognisers use it.
public final class WhisperModel: @unchecked Sendable {
    /// The file the model was loaded from.
    public let path: String
    /// Number of mel bands the model expects (80, or 128 for large-v3).
    public let melBands: Int
    /// True when the model knows several languages (not a `.en` model).
    public let isMultilingual: Bool
    // whisper_context: immutable after loading; whisper.cpp allows concurrent
    // use from several threads as long as each uses its own whisper_state.
    let context: OpaquePointer

    /// Loads `path` (not cached: prefer ``shared(path:)``).
    public init(path: String) throws {
        WhisperLog.install()
        guard FileManager.default.fileExists(atPath: path) else {
            throw SpeechError.modelNotLoaded(path: path, reason: "no such file")
        }
        var params = whisper_context_default_params()
        params.use_gpu = false
        // With flash attention, whisper.cpp 1.8 lets the decoder attend to the
        // encoder's output rounded up to 256 positions, unmasked: with a fitted
        // window that is not a multiple of 256, the positions past it hold
        // whatever an earlier, longer decoding left in the state, and the
        // model hears words of another clip. Without it every window is exact,
        // for about 7 % more CPU per answer (docs/BENCHMARKS.md, speech).
        params.flash_attn = false
        guard let context = whisper_init_from_file_with_params_no_state(path, params) else {
            throw SpeechError.modelNotLoaded(path: path, reason: "whisper.cpp rejected the file (not a ggml Whisper model, or truncated)")
        }
        self.path = path
        self.context = context
        self.melBands = Int(whisper_model_n_mels(context))
        self.isMultilingual = whisper_is_multilingual(context) != 0
    }

    deinit { whisper_free(context) }

    private static let cache = ModelCache()

    /// The model at `path`, loaded on first use and kept for the life of the
    /// process; later calls with the same path return the same instance.
    public static func shared(path: String) throws -> WhisperModel {
        try cache.model(at: URL(fileURLWithPath: path).standardizedFileURL.path)
    }

    /// Creates a decoder state (KV caches, work buffers) for this model.
    func makeState() throws -> WhisperState {
        guard let state = whisper_init_state(context) else {
            throw SpeechError.stateAllocationFailed(model: path)
        }
        return WhisperState(pointer: state)
    }
}

/// One whisper.cpp decoder state. Used by one transcription at a time.
struct WhisperState: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// Loaded models by path, behind a lock.
private final class ModelCache: @unchecked Sendable {
    private let lock = NSLock()
    private var models: [String: WhisperModel] = [:]

    func model(at path: String) throws -> WhisperModel {
        lock.lock()
        defer { lock.unlock() }
        if let model = models[path] { return model }
        let model = try WhisperModel(path: path)
        models[path] = model
        return model
    }
}

import CWhisper
import Dispatch
import Foundation
import MiniBotAudio

/// Speech recognition in-process with whisper.cpp.
///
/// The model is shared (see ``WhisperModel/shared(path:)``); a bounded pool of
/// decoder states lets up to ``Configuration/concurrency`` answers be
/// transcribed at once. The C inference runs on a dedicated dispatch queue,
/// never on Swift concurrency's cooperative threads.
public final class WhisperRecognizer: SpeechRecognizer {
    /// How to decode.
    public enum Decoding: Sendable, Equatable {
        /// One candidate, the most likely token at each step (fastest).
        case greedy
        /// Beam search with `beamSize` beams (slower, sometimes better).
        case beamSearch(beamSize: Int)
    }

    /// The recogniser's settings.
    public struct Configuration: Sendable, Equatable {
        /// CPU threads per transcription.
        public var threads: Int
        /// Transcriptions that may run at once (one decoder state each).
        public var concurrency: Int
        /// Encoder window per clip; ``AudioContextPolicy/fitted(minimum:margin:granularity:)`` by default.
        public var audioContext: AudioContextPolicy
        /// Greedy by default.
        public var decoding: Decoding
        /// Silence added before and after the answer (synthetic and trimmed
        /// clips start abruptly, which makes Whisper drop the first word).
        public var padding: Duration
        /// Re-decode at higher temperatures when the output looks poor
        /// (Whisper's fallback): better on hard audio, slower and not
        /// deterministic. Off by default.
        public var temperatureFallback: Bool
        /// Most tokens decoded per answer (a short answer needs few); 0: no limit.
        public var maxTokens: Int
        /// Decode timestamp tokens. They let the model mark where speech ends,
        /// which keeps it from repeating a short answer to fill a fitted window.
        public var timestamps: Bool
        /// Longest a transcription may run (waiting for a free state not
        /// counted); past it, whisper.cpp is stopped and
        /// ``SpeechError/timedOut(seconds:)`` thrown. Nil: no limit.
        public var timeout: Duration?

        public init(threads: Int = 2, concurrency: Int = 1, audioContext: AudioContextPolicy = .fitted(),
                    decoding: Decoding = .greedy, padding: Duration = .milliseconds(300),
                    temperatureFallback: Bool = false, maxTokens: Int = 96, timestamps: Bool = true,
                    timeout: Duration? = nil) {
            self.threads = threads
            self.concurrency = concurrency
            self.audioContext = audioContext
            self.decoding = decoding
            self.padding = padding
            self.temperatureFallback = temperatureFallback
            self.maxTokens = maxTokens
            self.timestamps = timestamps
            self.timeout = timeout
        }
    }

    /// The shared model.
    public let model: WhisperModel
    /// The settings this recogniser was made with.
    public let configuration: Configuration
    private let pool: WhisperStatePool
    private let queue = DispatchQueue(label: "minibot.whisper", qos: .userInitiated, attributes: .concurrent)

    /// A recogniser over `model`.
    public init(model: WhisperModel, configuration: Configuration = .init()) {
        self.model = model
        self.configuration = configuration
        self.pool = WhisperStatePool(model: model, capacity: max(1, configuration.concurrency))
    }

    /// A recogniser over the model file at `modelPath`, loaded once per process.
    public convenience init(modelPath: String, configuration: Configuration = .init()) throws {
        self.init(model: try WhisperModel.shared(path: modelPath), configuration: configuration)
    }

    /// Decoder states created so far (at most ``Configuration/concurrency``).
    var statesCreated: Int {
        get async { await pool.statesCreated }
    }

    public func transcribe(_ audio: PCMBuffer, language: String, prompt: String?) async throws -> Transcript {
        guard !audio.isEmpty else { throw SpeechError.emptyAudio }
        let code = language.lowercased()
        guard code == "auto" || whisper_lang_id(code) >= 0 else { throw SpeechError.unknownLanguage(language) }
        let samples = try WhisperInput.prepare(audio, padding: configuration.padding, minimum: .milliseconds(1100))
        let state = try await pool.acquire(priority: Task.currentPriority)
        let start = ContinuousClock.now
        let abort = WhisperAbort(timeout: configuration.timeout)
        let job = Job(context: model.context, state: state, samples: samples, language: code, prompt: prompt,
                      configuration: configuration, abort: abort)
        var result = await run(job, abort: abort)
        // A decoding that loops is decoded again over the full window (the fitted one makes loops likelier).
        if case .success(let (text, _)) = result, RepetitionLoop.loops(text), configuration.audioContext != .full, !abort.wasCancelled {
            var again = job
            again.configuration.audioContext = .full
            if case .success(let retried) = await run(again, abort: abort) { result = .success(retried) }
        }
        await pool.release(state)
        let elapsed = ContinuousClock.now - start
        if abort.wasCancelled { throw CancellationError() }
        if case .failure = result, abort.timedOut, let limit = configuration.timeout {
            throw SpeechError.timedOut(seconds: limit.milliseconds / 1000)
        }
        let (text, detected) = try result.get()
        return Transcript(text: RepetitionLoop.cut(text), language: detected, audioDuration: audio.duration, inferenceDuration: elapsed)
    }

    /// One decoding on the recogniser's queue; cancelling the task stops whisper.cpp.
    private func run(_ job: Job, abort: WhisperAbort) async -> Result<(String, String), SpeechError> {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                queue.async { continuation.resume(returning: job.run(modelPath: self.model.path)) }
            }
        } onCancel: {
            abort.cancel()
        }
    }
}

/// One `whisper_full` call, run on the recogniser's queue.
private struct Job: @unchecked Sendable {
    let context: OpaquePointer
    let state: WhisperState
    let samples: [Float]
    let language: String
    let prompt: String?
    var configuration: WhisperRecognizer.Configuration
    let abort: WhisperAbort

    func run(modelPath: String) -> Result<(String, String), SpeechError> {
        var params: whisper_full_params
        switch configuration.decoding {
        case .greedy:
            params = whisper_full_default_params(WHISPER_SAMPLING_GREEDY)
            params.greedy.best_of = 1
        case let .beamSearch(beamSize):
            params = whisper_full_default_params(WHISPER_SAMPLING_BEAM_SEARCH)
            params.beam_search.beam_size = Int32(max(1, beamSize))
        }
        params.n_threads = Int32(max(1, configuration.threads))
        params.translate = false
        params.no_context = true
        params.no_timestamps = !configuration.timestamps
        params.single_segment = true
        params.print_special = false
        params.print_progress = false
        params.print_realtime = false
        params.print_timestamps = false
        params.temperature = 0
        if !configuration.temperatureFallback { params.temperature_inc = 0 }
        params.max_tokens = Int32(max(0, configuration.maxTokens))
        params.audio_ctx = Int32(configuration.audioContext.audioContext(forSampleCount: samples.count))
        params.abort_callback = WhisperAbort.callback
        params.abort_callback_user_data = Unmanaged.passUnretained(abort).toOpaque()

        let code = language.withCString { lang in
            withOptionalCString(prompt) { promptPointer in
                params.language = lang
                params.detect_language = false
                params.initial_prompt = promptPointer
                return samples.withUnsafeBufferPointer { buffer in
                    whisper_full_with_state(context, state.pointer, params, buffer.baseAddress, Int32(buffer.count))
                }
            }
        }
        guard code == 0 else { return .failure(.inferenceFailed(model: modelPath, code: code)) }
        var text = ""
        for i in 0..<whisper_full_n_segments_from_state(state.pointer) {
            if let segment = whisper_full_get_segment_text_from_state(state.pointer, i) {
                text += String(cString: segment)
            }
        }
        var detected = language
        if language == "auto", let name = whisper_lang_str(whisper_full_lang_id_from_state(state.pointer)) {
            detected = String(cString: name)
        }
        return .success((text.trimmingCharacters(in: .whitespacesAndNewlines), detected))
    }
}

private func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let string, !string.isEmpty else { return body(nil) }
    return string.withCString { body($0) }
}

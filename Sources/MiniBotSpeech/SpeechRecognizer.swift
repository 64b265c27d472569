import MiniBotAudio

/// Turns a callee's answer into text. Implementations: ``WhisperRecognizer``
/// (whisper.cpp in-process) and ``HTTPTranscriptionRecognizer`` (any
/// OpenAI-compatible `/v1/audio/transcriptions` server).
///
/// Implementations are safe to call concurrently; each bounds its own
/// parallelism, and one that queues serves the caller's task priority first:
/// the dialer transcribes an answering machine's greeting at
/// `TaskPriority.backgroundTranscription`, so that the answers people wait for go before it.
/// Cancelling the caller's task stops a transcription, queued or running. A
/// failure throws a ``SpeechError``; the caller decides what an unrecognised
/// answer means (the dialer records intent `unknown`).
public protocol SpeechRecognizer: Sendable {
    /// Transcribes `audio` (any rate, mono or stereo).
    /// - Parameters:
    ///   - language: ISO 639-1 code of the expected language (`"fr"`).
    ///   - prompt: expected vocabulary for this step (e.g. `"Bloctel"`), or nil.
    func transcribe(_ audio: PCMBuffer, language: String, prompt: String?) async throws -> Transcript
}

extension SpeechRecognizer {
    /// Transcribes `audio` with no prompt.
    public func transcribe(_ audio: PCMBuffer, language: String = "fr") async throws -> Transcript {
        try await transcribe(audio, language: language, prompt: nil)
    }
}

extension TaskPriority {
    /// The priority of a transcription that nobody waits for (an answering
    /// machine's greeting): it waits behind every other one, and its latency
    /// says nothing of what callees wait. Start it in its own task, and await
    /// that task's `value` only once it is cancelled: awaiting raises a task to
    /// the waiter's priority.
    public static var backgroundTranscription: TaskPriority { .low }
}

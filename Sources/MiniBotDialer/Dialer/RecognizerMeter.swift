import Metrics
import MiniBotAudio
import MiniBotSpeech
import Synchronization

/// A recogniser that times every answer's transcription from request to answer —
/// waiting for a free decoder included, which is what grows when too many
/// calls share one recogniser — for ``RecognizerAdmission`` and for
/// `/metrics` (`minibot_recognizer_latency_seconds`, a histogram).
public final class RecognizerMeter: SpeechRecognizer {
    let base: any SpeechRecognizer
    private let samples = Mutex<[Duration]>([])
    private let clock = ContinuousClock()

    public init(_ base: any SpeechRecognizer) {
        self.base = base
    }

    /// A transcription cancelled on the way (the callee went on after a pause)
    /// is not timed, nor one nobody waits for (`TaskPriority.backgroundTranscription`),
    /// which the recogniser serves last.
    public func transcribe(_ audio: PCMBuffer, language: String, prompt: String?) async throws -> Transcript {
        let start = clock.now
        let timed = Task.currentPriority > .backgroundTranscription
        do {
            let transcript = try await base.transcribe(audio, language: language, prompt: prompt)
            if timed { record(clock.now - start) }
            return transcript
        } catch {
            if timed && !Task.isCancelled { record(clock.now - start) }
            throw error
        }
    }

    private func record(_ elapsed: Duration) {
        samples.withLock { if $0.count < 1_000 { $0.append(elapsed) } }
        // Made per use, not kept: a kept one would stay bound to whatever metrics backend existed first.
        Metrics.Timer(label: "minibot_recognizer_latency_seconds", preferredDisplayUnit: .seconds).record(duration: elapsed)
    }

    /// The latencies measured since the last call, oldest first.
    public func drain() -> [Duration] {
        samples.withLock { taken in
            defer { taken.removeAll(keepingCapacity: true) }
            return taken
        }
    }
}

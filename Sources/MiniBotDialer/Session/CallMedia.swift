import Foundation
import MiniBotAudio
import Synchronization

/// What the call session waits for while it plays and listens.
enum MediaEvent: Sendable {
    /// An inbound frame and its index from the answer (time = index × 20 ms).
    case frame(AudioFrame, index: Int)
    /// The prompt being played finished (true) or was cut short (false).
    case played(Bool)
    /// The call is over (the callee hung up, or the line died).
    case ended(CallEnding)
    /// No audio has come in for a while: the RTP stream is lost.
    case stalled
    /// The call ran past its longest allowed duration.
    case timedOut
    /// The transcript of the greeting, for answering-machine detection.
    case greeting(String)
}

/// The call's audio as it happens: every inbound frame is recorded on the
/// call's timeline; the session subscribes to events only while it plays or
/// listens, so audio that arrives while it transcribes is recorded, not queued.
final class CallMedia: Sendable {
    private struct State {
        var recording = CallRecording()
        var frames = 0
        var listener: AsyncStream<MediaEvent>.Continuation?
        var ending: CallEnding?
        var terminal: MediaEvent?
    }

    private let state = Mutex(State())

    /// Time from the answer, by the inbound frames recorded.
    var now: Duration { .milliseconds(20 * state.withLock { $0.frames }) }
    var frameCount: Int { state.withLock { $0.frames } }
    var ending: CallEnding? { state.withLock { $0.ending } }

    func receive(_ frame: AudioFrame) {
        state.withLock { state in
            state.recording.appendClient(frame)
            state.frames += 1
            state.listener?.yield(.frame(frame, index: state.frames - 1))
        }
    }

    /// Events from now on, until the next call to `events()`. Once the call has
    /// ended (or stalled, or timed out), the stream starts with that event.
    func events() -> AsyncStream<MediaEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: MediaEvent.self, bufferingPolicy: .unbounded)
        state.withLock { state in
            state.listener?.finish()
            state.listener = continuation
            if let terminal = state.terminal { continuation.yield(terminal) }
        }
        return stream
    }

    func post(_ event: MediaEvent) {
        state.withLock { state in
            switch event {
            case .ended(let ending):
                if state.ending == nil { state.ending = ending }
                if state.terminal == nil { state.terminal = event }
            case .stalled, .timedOut:
                if state.terminal == nil { state.terminal = event }
            case .frame, .played, .greeting:
                break
            }
            state.listener?.yield(event)
        }
    }

    func finish() {
        state.withLock { $0.listener?.finish(); $0.listener = nil }
    }

    func addBot(_ prompt: PCMBuffer, at time: Duration, playedFor: Duration?) {
        state.withLock { $0.recording.addBot(prompt, at: time, playedFor: playedFor) }
    }

    func clip(from start: Duration, to end: Duration) -> PCMBuffer {
        state.withLock { $0.recording.clientClip(from: max(.zero, start), to: end) }
    }

    func assemble() -> PCMBuffer {
        state.withLock { $0.recording.assemble(.stereo) }
    }
}

/// Decides, frame by frame, when the callee started speaking and when their
/// turn is over: the listening half of every scenario step.
///
/// A value-type state machine in the style of postgres-nio's: feed it each
/// inbound 20 ms frame with ``process(_:)`` and act on the ``Event`` it
/// returns. Time is the count of frames fed since ``init(configuration:detector:)``
/// (0 = when listening began); there is no clock inside.
///
/// - Speech starts once `minimumSpeech` worth of speech-like frames fall
///   within a window 60 ms longer (a dip in a noisy syllable does not reset
///   it), so clicks and short noise bursts are ignored; the reported start is
///   backdated to the quiet leading edge of the first speech-like frame.
/// - The turn ends after `endOfTurnSilence` (the scenario's
///   `wait_before_stop`) without speech; the reported end is the last frame
///   that was still speech or its trailing edge.
/// - Nothing said within `noSpeechTimeout` (the scenario's
///   `max_silence_seconds`) ends listening with ``Event/noSpeech(at:)``.
/// - `maximumListen` caps a turn that never ends (a radio, a monologue).
/// - With a `provisionalSilence` shorter than `endOfTurnSilence`, a pause that
///   long is reported (``Event/pause(speechStart:speechEnd:)``) so that the
///   answer can be transcribed while the turn may still go on; speech after it
///   is reported too (``Event/resumed(at:)``). A turn that then ends without
///   more speech ends with the very same start and end as its pause.
public struct Endpointer: Sendable {
    /// Timing of one listening window.
    public struct Configuration: Sendable, Equatable {
        /// Silence before the callee counts as not answering (`max_silence_seconds`).
        public var noSpeechTimeout: Duration
        /// Silence after speech that ends the answer (`wait_before_stop`).
        public var endOfTurnSilence: Duration
        /// Longest listening window, whatever is heard.
        public var maximumListen: Duration
        /// Shortest run of speech-like frames that counts as speech.
        public var minimumSpeech: Duration
        /// Silence after speech that is reported as a pause, the turn perhaps
        /// over (nil, or not shorter than `endOfTurnSilence`: no pauses reported).
        public var provisionalSilence: Duration?

        /// Timings; the defaults are the seed's usual step (5 s to answer, 1.2 s to end).
        public init(noSpeechTimeout: Duration = .seconds(5), endOfTurnSilence: Duration = .milliseconds(1_200),
                    maximumListen: Duration = .seconds(30), minimumSpeech: Duration = .milliseconds(100),
                    provisionalSilence: Duration? = nil) {
            self.noSpeechTimeout = noSpeechTimeout
            self.endOfTurnSilence = endOfTurnSilence
            self.maximumListen = maximumListen
            self.minimumSpeech = minimumSpeech
            self.provisionalSilence = provisionalSilence
        }

        /// The timing of a scenario step, in the scenario file's own terms
        /// (`max_silence_seconds`, `wait_before_stop`).
        public init(maxSilenceSeconds: Double, waitBeforeStop: Double, maximumListen: Duration = .seconds(30)) {
            self.init(noSpeechTimeout: .milliseconds(Int((maxSilenceSeconds * 1_000).rounded())),
                      endOfTurnSilence: .milliseconds(Int((waitBeforeStop * 1_000).rounded())),
                      maximumListen: maximumListen)
        }
    }

    /// What the caller must do after a frame. All times are from the start of listening.
    public enum Event: Sendable, Equatable {
        /// The callee started speaking at `at` (stop a barge-in-able prompt, say).
        case speechStarted(at: Duration)
        /// The callee has been silent for `provisionalSilence`: if they say
        /// nothing more, the answer is speech from `speechStart` to `speechEnd`.
        case pause(speechStart: Duration, speechEnd: Duration)
        /// Speech came back at `at` after a reported pause: that answer is not the whole turn.
        case resumed(at: Duration)
        /// The answer is complete: speech ran from `speechStart` to `speechEnd`.
        case endOfTurn(speechStart: Duration, speechEnd: Duration)
        /// Nothing was said before the no-speech timeout, reached at `at`.
        case noSpeech(at: Duration)
        /// Listening hit its cap at `at`; `speechStart` is set if speech had begun.
        case listenLimitReached(speechStart: Duration?, at: Duration)
    }

    private enum State: Sendable {
        case waiting
        case speaking(start: Int, lastSpeechFrame: Int)
        case finished
    }

    /// The timings this window runs with.
    public let configuration: Configuration
    /// The level detector; pass in one that has already heard the line to keep its noise floor.
    public private(set) var detector: VoiceActivityDetector
    private var state: State = .waiting
    private var frameIndex = 0
    private var edgeRunStart: Int?          // first frame of the current run of edge-or-louder frames
    private var speechRunStart: Int?        // first frame of the current run of speech-like frames
    private var recentSpeech: UInt64 = 0    // bit k set: frame (index − k) was speech-like
    private var candidateStart: Int?        // where speech would start, backdated to its edge
    private let minimumSpeechFrames: Int
    private let endOfTurnFrames: Int
    private let provisionalFrames: Int?     // nil: pauses are not reported
    private let noSpeechFrames: Int
    private let maximumFrames: Int

    /// Begins a listening window.
    public init(configuration: Configuration = .init(), detector: VoiceActivityDetector = .init()) {
        self.configuration = configuration
        self.detector = detector
        func frames(_ d: Duration) -> Int { max(1, Int((AudioTime.seconds(d) * 50).rounded())) }
        minimumSpeechFrames = frames(configuration.minimumSpeech)
        let endOfTurn = frames(configuration.endOfTurnSilence)
        endOfTurnFrames = endOfTurn
        provisionalFrames = configuration.provisionalSilence.map { frames($0) }.flatMap { $0 < endOfTurn ? $0 : nil }
        noSpeechFrames = frames(configuration.noSpeechTimeout)
        maximumFrames = frames(configuration.maximumListen)
    }

    /// True once an ending event has been returned; later frames are ignored.
    public var isFinished: Bool { if case .finished = state { return true } else { return false } }

    /// Feeds one 20 ms frame.
    public mutating func process(_ frame: AudioFrame) -> Event? {
        process(detector.analyse(frame))
    }

    /// Feeds the verdict on one 20 ms frame (for callers that run the detector themselves).
    public mutating func process(_ verdict: VoiceActivityDetector.Verdict) -> Event? {
        if case .finished = state { return nil }
        let i = frameIndex
        frameIndex += 1
        if verdict.isEdge { edgeRunStart = edgeRunStart ?? i } else { edgeRunStart = nil }
        if verdict.isSpeech { speechRunStart = speechRunStart ?? i } else { speechRunStart = nil }
        recentSpeech = (recentSpeech << 1) | (verdict.isSpeech ? 1 : 0)
        let windowMask: UInt64 = minimumSpeechFrames + 3 >= 64 ? .max : (1 << UInt64(minimumSpeechFrames + 3)) - 1
        let speechInWindow = (recentSpeech & windowMask).nonzeroBitCount
        if speechInWindow == 0 { candidateStart = nil } else if verdict.isSpeech && candidateStart == nil { candidateStart = edgeRunStart ?? i }

        var event: Event?
        switch state {
        case .finished:
            return nil
        case .waiting:
            if speechInWindow >= minimumSpeechFrames, let start = candidateStart {
                state = .speaking(start: start, lastSpeechFrame: i)
                event = .speechStarted(at: time(start))
            } else if frameIndex >= noSpeechFrames {
                state = .finished
                return .noSpeech(at: time(frameIndex))
            }
        case .speaking(let start, var last):
            // Speech continues on speech-like frames, and on edge frames that
            // touch speech; a lone click far into the silence does not count.
            let speechRun = speechRunStart.map { i - $0 + 1 } ?? 0
            let previous = last
            if verdict.isSpeech && (i - last <= 10 || speechRun >= 3) {
                last = i
            } else if verdict.isEdge && (edgeRunStart ?? i) <= last + 1 {
                last = i
            }
            state = .speaking(start: start, lastSpeechFrame: last)
            if i - last >= endOfTurnFrames {
                state = .finished
                return .endOfTurn(speechStart: time(start), speechEnd: time(last + 1))
            }
            if let provisionalFrames {
                if i - last == provisionalFrames {
                    event = .pause(speechStart: time(start), speechEnd: time(last + 1))
                } else if last == i, i - previous > provisionalFrames {
                    event = .resumed(at: time(i))
                }
            }
        }
        if frameIndex >= maximumFrames {
            var started: Duration?
            if case .speaking(let start, _) = state { started = time(start) }
            state = .finished
            return .listenLimitReached(speechStart: started, at: time(frameIndex))
        }
        return event
    }

    private func time(_ frame: Int) -> Duration { .milliseconds(20 * frame) }
}

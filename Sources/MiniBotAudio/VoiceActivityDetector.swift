/// Frame-by-frame voice activity from energy against an adaptive noise floor.
///
/// The noise floor is a low percentile (10 % by default) of the frame levels
/// over a sliding window (1.5 s), kept in a 1 dB histogram, so it follows the
/// line's hiss and hum up and down without being pulled up by speech, which
/// always has pauses. A frame is *speech-like* when it is `triggerDB` above
/// the floor, and *voiced-edge* when it is `edgeDB` above it: the
/// ``Endpointer`` starts speech on a run of speech-like frames and extends it
/// over the quieter edges (soft onsets, trailing consonants).
///
/// A value type with no clock and no I/O: feed it frames, read its verdicts.
/// Feed it every inbound frame from the moment the call is answered so that
/// the floor is known before the first answer.
public struct VoiceActivityDetector: Sendable {
    /// Tuning. The defaults suit 8 kHz telephone lines.
    public struct Configuration: Sendable, Equatable {
        /// dB above the noise floor for a frame to count as speech.
        public var triggerDB: Double = 9
        /// dB above the noise floor for a frame to extend speech already found.
        public var edgeDB: Double = 5
        /// Frames quieter than this never count as speech, whatever the floor.
        public var minimumSpeechDBFS: Double = -55
        /// Length of the window the noise floor is taken over.
        public var noiseWindow: Duration = .milliseconds(1_500)
        /// Which percentile of the window's levels is the floor (0…1).
        public var noisePercentile: Double = 0.1

        public init() {}
    }

    /// The verdict on one frame.
    public struct Verdict: Sendable, Equatable {
        /// The frame's level, dBFS.
        public var levelDBFS: Double
        /// The noise floor the frame was judged against, dBFS.
        public var noiseFloorDBFS: Double
        /// Loud enough above the floor to start or continue speech.
        public var isSpeech: Bool
        /// Loud enough above the floor to extend speech at its edges.
        public var isEdge: Bool
    }

    /// The tuning this detector runs with.
    public let configuration: Configuration
    private var history: [UInt8]            // levels in 1 dB bins (0 = −100 dBFS), ring buffer
    private var histogram: [UInt16]         // counts per bin over `history`
    private var next = 0
    private var filled = 0

    /// A detector with an empty history.
    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
        let frames = max(1, Int(AudioTime.seconds(configuration.noiseWindow) * 50))
        history = [UInt8](repeating: 0, count: frames)
        histogram = [UInt16](repeating: 0, count: 101)
    }

    /// The current noise-floor estimate in dBFS (−100 before any frame).
    public var noiseFloorDBFS: Double {
        guard filled > 0 else { return FrameEnergy.floorDBFS }
        let rank = Int(Double(filled - 1) * configuration.noisePercentile)
        var seen = 0
        for (bin, count) in histogram.enumerated() {
            seen += Int(count)
            if seen > rank { return Double(bin) + FrameEnergy.floorDBFS }
        }
        return 0
    }

    /// Judges one 20 ms frame against the floor so far, then adds it to the history.
    public mutating func analyse(_ frame: AudioFrame) -> Verdict {
        let level = frame.samples.withUnsafeBufferPointer { FrameEnergy.dBFS($0) }
        return analyse(levelDBFS: level)
    }

    /// Judges a frame whose level was already measured.
    public mutating func analyse(levelDBFS level: Double) -> Verdict {
        let floor = filled > 0 ? noiseFloorDBFS : level
        let loudEnough = level >= configuration.minimumSpeechDBFS
        let verdict = Verdict(levelDBFS: level, noiseFloorDBFS: floor,
                              isSpeech: loudEnough && level >= floor + configuration.triggerDB,
                              isEdge: loudEnough && level >= floor + configuration.edgeDB)
        record(level)
        return verdict
    }

    private mutating func record(_ level: Double) {
        let bin = UInt8(min(100, max(0, Int((level - FrameEnergy.floorDBFS).rounded(.down)))))
        if filled == history.count {
            histogram[Int(history[next])] -= 1
        } else {
            filled += 1
        }
        history[next] = bin
        histogram[Int(bin)] += 1
        next = (next + 1) % history.count
    }
}

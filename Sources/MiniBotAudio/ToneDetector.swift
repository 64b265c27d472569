/// Finds steady single-frequency tones in a stream of 20 ms frames: the beep
/// of an answering machine (usually 440–2,000 Hz) and the three rising tones
/// of a Special Information Tone (SIT: number unallocated, circuits busy…).
///
/// Each frame louder than `minimumLevelDBFS` is run through a Goertzel filter
/// bank (every `frequencyStep` Hz across the band). The frame is *tonal* when
/// its strongest frequency holds at least `minimumPurity` of the frame's
/// energy; speech, whose energy spreads over harmonics and moves, does not.
/// A tone is a run of tonal frames whose frequency stays within
/// `frequencyTolerance`, lasting at least `minimumDuration`.
///
/// A value type with no clock: time is the count of frames fed.
public struct ToneDetector: Sendable {
    /// Tuning. The defaults suit 8 kHz telephone audio.
    public struct Configuration: Sendable, Equatable {
        /// Sample rate of the frames fed.
        public var sampleRate: Int = 8_000
        /// Lowest frequency searched, Hz.
        public var lowestFrequency: Double = 350
        /// Highest frequency searched, Hz.
        public var highestFrequency: Double = 2_100
        /// Spacing of the filter bank, Hz (at most a quarter of a frame's 50 Hz resolution is lost).
        public var frequencyStep: Double = 25
        /// Share of the frame's energy the strongest frequency must hold (0…1).
        public var minimumPurity: Double = 0.6
        /// Frames quieter than this are never tonal.
        public var minimumLevelDBFS: Double = -45
        /// How far the frequency may wander within one tone, Hz.
        public var frequencyTolerance: Double = 50
        /// Shortest tone reported.
        public var minimumDuration: Duration = .milliseconds(120)

        public init() {}
    }

    /// A tone heard: its mean frequency and when it sounded (from the first frame fed).
    public struct Tone: Sendable, Equatable {
        /// Mean frequency, Hz (within half the filter bank's step).
        public var frequency: Double
        /// When the tone began, from the first frame fed (20 ms resolution).
        public var start: Duration
        /// How long it lasted.
        public var duration: Duration
    }

    /// What the detector reports after a frame.
    public enum Event: Sendable, Equatable {
        /// A tone has lasted `minimumDuration`; it is still sounding.
        case toneStarted(frequency: Double, at: Duration)
        /// A tone stopped (the moment to speak after a voicemail beep).
        case toneEnded(Tone)
        /// The last three tones form a SIT (913.8/985.2, 1370.6/1428.5, 1776.7 Hz,
        /// each 200–450 ms); replaces the third tone's `toneEnded`.
        case specialInformationTone([Tone])
    }

    /// The tuning this detector runs with.
    public let configuration: Configuration
    private let bank: GoertzelBank
    private let minimumFrames: Int
    private var frameIndex = 0
    private var run: (start: Int, frames: Int, frequencySum: Double, reported: Bool)?
    private var recent: [Tone] = []          // the last tones ended, for SIT

    /// A detector that has heard nothing yet.
    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
        let frequencies = Array(stride(from: configuration.lowestFrequency, through: configuration.highestFrequency, by: configuration.frequencyStep))
        bank = GoertzelBank(frequencies: frequencies, sampleRate: configuration.sampleRate)
        minimumFrames = max(1, Int((AudioTime.seconds(configuration.minimumDuration) * 50).rounded()))
    }

    /// Feeds one 20 ms frame.
    public mutating func process(_ frame: AudioFrame) -> Event? {
        let frequency = frame.samples.withUnsafeBufferPointer { tonalFrequency(in: $0) }
        let i = frameIndex
        frameIndex += 1
        if let frequency {
            if var current = run, abs(current.frequencySum / Double(current.frames) - frequency) <= configuration.frequencyTolerance {
                current.frames += 1
                current.frequencySum += frequency
                run = current
                if !current.reported && current.frames >= minimumFrames {
                    run?.reported = true
                    return .toneStarted(frequency: current.frequencySum / Double(current.frames), at: time(current.start))
                }
                return nil
            }
            let ended = closeRun(at: i)
            run = (i, 1, frequency, false)
            if minimumFrames == 1 {
                run?.reported = true
                return ended ?? .toneStarted(frequency: frequency, at: time(i))
            }
            return ended
        }
        return closeRun(at: i)
    }

    /// The frequency of a tonal frame, or nil.
    private func tonalFrequency(in samples: UnsafeBufferPointer<Int16>) -> Double? {
        let level = FrameEnergy.dBFS(samples)
        guard level >= configuration.minimumLevelDBFS else { return nil }
        var energy: Float = 0
        for s in samples { let v = Float(s); energy += v * v }
        let (index, power) = bank.strongest(in: samples)
        let purity = 2 * Double(power) / (Double(samples.count) * Double(energy))
        return purity >= configuration.minimumPurity ? bank.frequencies[index] : nil
    }

    private mutating func closeRun(at index: Int) -> Event? {
        guard let current = run else { return nil }
        run = nil
        guard current.reported else { return nil }
        let tone = Tone(frequency: current.frequencySum / Double(current.frames),
                        start: time(current.start), duration: time(current.frames))
        if let last = recent.last, AudioTime.seconds(tone.start - (last.start + last.duration)) > 0.1 { recent.removeAll() }
        recent.append(tone)
        if recent.count > 3 { recent.removeFirst() }
        if recent.count == 3 && Self.isSIT(recent) {
            let sit = recent
            recent.removeAll()
            return .specialInformationTone(sit)
        }
        return .toneEnded(tone)
    }

    private static func isSIT(_ tones: [Tone]) -> Bool {
        let bands: [ClosedRange<Double>] = [880...1_020, 1_340...1_460, 1_740...1_810]
        return zip(tones, bands).allSatisfy { tone, band in
            band.contains(tone.frequency) && (0.2...0.45).contains(AudioTime.seconds(tone.duration))
        }
    }

    private func time(_ frames: Int) -> Duration { .milliseconds(20 * frames) }
}

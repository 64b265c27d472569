import Foundation

/// Turns a studio or TTS recording into a telephony prompt: mono, 8 kHz,
/// leading and trailing silence trimmed, loudness-normalised to a target
/// (EBU R 128 integrated loudness, not a blind gain), and never clipped:
/// peaks that the gain would push past the ceiling are limited (a smooth
/// look-ahead limiter), up to `maximumLimitingDB`; beyond that the gain is
/// held back, and the report says by how much.
///
/// Pure: takes a buffer, returns a buffer and a report. Files are the
/// caller's business (``WAVFile``).
public enum PromptPreparation {
    /// What to aim for.
    public struct Settings: Sendable, Equatable {
        /// Integrated loudness to reach, LUFS.
        public var targetLUFS: Double = -16
        /// Extra gain after normalisation, dB (positive is louder).
        public var extraGainDB: Double = 0
        /// Output sample rate.
        public var sampleRate: Int = 8_000
        /// Highest true peak allowed, dBTP.
        public var ceilingDBTP: Double = -1
        /// Most peak reduction the limiter may apply, dB; 0 never limits (the gain is held back instead).
        public var maximumLimitingDB: Double = 6
        /// Leading/trailing audio quieter than this, relative to the prompt's
        /// loudest 10 ms, counts as silence and is trimmed.
        public var silenceBelowPeakDB: Double = 40
        /// Silence kept at each end after trimming.
        public var keptSilence: Duration = .milliseconds(50)

        /// Settings for a target loudness, extra gain and limiter depth; the rest keep their defaults.
        public init(targetLUFS: Double = -16, extraGainDB: Double = 0, maximumLimitingDB: Double = 6) {
            self.targetLUFS = targetLUFS
            self.extraGainDB = extraGainDB
            self.maximumLimitingDB = maximumLimitingDB
        }
    }

    /// Duration, peak and loudness of one version of a prompt.
    public struct Measurement: Sendable, Equatable {
        /// Sample rate, Hz.
        public var sampleRate: Int
        /// 1 or 2.
        public var channels: Int
        /// Length.
        public var duration: Duration
        /// Highest sample, dBFS.
        public var samplePeakDBFS: Double
        /// Highest true (inter-sample) peak, dBTP.
        public var truePeakDBTP: Double
        /// nil when the prompt is shorter than 400 ms or silent.
        public var loudnessLUFS: Double?
    }

    /// What was done to one prompt.
    public struct Report: Sendable, Equatable {
        /// The recording as read.
        public var before: Measurement
        /// The prepared prompt.
        public var after: Measurement
        /// Gain applied, dB.
        public var gainDB: Double
        /// How much the gain was held back to respect the ceiling (0 when not).
        public var heldBackDB: Double
        /// Deepest gain reduction the limiter applied to peaks, dB (0 when not).
        public var limitedDB: Double
        /// Silence removed at the start and the end.
        /// Silence removed at the start.
        public var trimmedLeading: Duration
        /// Silence removed at the end.
        public var trimmedTrailing: Duration
    }

    /// Why a prompt cannot be prepared.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The recording holds nothing above the silence threshold.
        case silent
        public var description: String { "the recording is silent: nothing to normalise" }
    }

    /// Prepares one prompt.
    public static func prepare(_ input: PCMBuffer, settings: Settings = .init()) throws -> (PCMBuffer, Report) {
        let before = try measure(input)
        let mono = input.mono()
        var samples = try Resampler.resample(mono.floatSamples(), channels: 1, from: mono.sampleRate, to: settings.sampleRate)

        let (lead, tail) = try silentEnds(samples, rate: settings.sampleRate, belowPeakDB: settings.silenceBelowPeakDB)
        let keep = AudioTime.sampleCount(for: settings.keptSilence, sampleRate: settings.sampleRate)
        let start = max(0, lead - keep), end = min(samples.count, samples.count - tail + keep)
        let trimmedLeading = start, trimmedTrailing = samples.count - end
        samples = Array(samples[start..<end])

        let measured = try Loudness.measure(samples, channels: 1, sampleRate: settings.sampleRate)
        let goal = measured.integratedLUFS.map { _ in settings.targetLUFS + settings.extraGainDB }
        var gain = (measured.integratedLUFS.map { settings.targetLUFS - $0 } ?? 0) + settings.extraGainDB
        // The limiter and the true-peak trim lower the loudness a little: re-aim up to three times.
        var output = PCMBuffer(sampleRate: settings.sampleRate), heldBack = 0.0, limited = 0.0
        for _ in 0..<3 {
            (output, heldBack, limited) = try applyGain(gain, to: samples, measured: measured, settings: settings)
            guard let goal, heldBack < 0.5, let reached = try Loudness.measure(output).integratedLUFS,
                  abs(reached - goal) > 0.1 else { break }
            gain += goal - reached
        }
        gain -= heldBack
        let report = Report(before: before, after: try measure(output), gainDB: gain, heldBackDB: heldBack, limitedDB: limited,
                            trimmedLeading: AudioTime.duration(ofSamples: trimmedLeading, sampleRate: settings.sampleRate),
                            trimmedTrailing: AudioTime.duration(ofSamples: trimmedTrailing, sampleRate: settings.sampleRate))
        return (output, report)
    }

    /// Applies `gain`, limiting peaks up to the allowed depth and holding the
    /// gain back beyond it; returns the result, the gain held back and the limiting depth.
    private static func applyGain(_ gain: Double, to samples: [Float], measured: LoudnessMeasurement,
                                  settings: Settings) throws -> (PCMBuffer, heldBack: Double, limited: Double) {
        let margin = 0.5                                    // true peak over sample peak after limiting, at 8 kHz
        let limitCeiling = settings.maximumLimitingDB > 0 ? settings.ceilingDBTP - margin : settings.ceilingDBTP
        // Peaks past the ceiling by more than the limiter may take: hold the gain back by the excess.
        var heldBack = max(0, measured.truePeakDBTP + gain - limitCeiling - settings.maximumLimitingDB)
        let factor = Float(pow(10, (gain - heldBack) / 20))
        var gained = samples.map { $0 * factor }
        let limited = settings.maximumLimitingDB > 0
            ? PeakLimiter(ceilingDBFS: limitCeiling, sampleRate: settings.sampleRate).apply(&gained) : 0
        // Whatever true peak is still over the ceiling (inter-sample peaks) is taken off the gain.
        let peak = try Loudness.measure(gained, channels: 1, sampleRate: settings.sampleRate).truePeakDBTP
        if peak > settings.ceilingDBTP {
            let excess = peak - settings.ceilingDBTP
            heldBack += excess
            let trim = Float(pow(10, -excess / 20))
            for i in gained.indices { gained[i] *= trim }
        }
        var clipped = 0
        return (PCMBuffer(sampleRate: settings.sampleRate, floatSamples: gained, clippedSamples: &clipped), heldBack, limited)
    }

    /// Measures a buffer for the report.
    public static func measure(_ buffer: PCMBuffer) throws -> Measurement {
        let m = try Loudness.measure(buffer)
        return Measurement(sampleRate: buffer.sampleRate, channels: buffer.channels, duration: buffer.duration,
                           samplePeakDBFS: m.samplePeakDBFS, truePeakDBTP: m.truePeakDBTP, loudnessLUFS: m.integratedLUFS)
    }

    /// Samples of silence at the start and at the end, judged on 10 ms windows.
    private static func silentEnds(_ x: [Float], rate: Int, belowPeakDB: Double) throws -> (Int, Int) {
        let w = max(1, rate / 100)
        let levels = stride(from: 0, to: x.count, by: w).map { start -> Float in
            let window = x[start..<min(x.count, start + w)]
            return (window.reduce(0) { $0 + $1 * $1 } / Float(window.count)).squareRoot()
        }
        guard let loudest = levels.max(), loudest > 0 else { throw Failure.silent }
        let threshold = loudest * Float(pow(10, -belowPeakDB / 20))
        guard let first = levels.firstIndex(where: { $0 >= threshold }),
              let last = levels.lastIndex(where: { $0 >= threshold }) else { throw Failure.silent }
        return (first * w, max(0, x.count - min(x.count, (last + 1) * w)))
    }
}

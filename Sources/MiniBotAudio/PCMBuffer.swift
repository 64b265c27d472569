/// Interleaved 16-bit linear PCM audio: the one in-memory audio type of the
/// robot. Prompts, recorded answers and whole calls are `PCMBuffer`s; the
/// live path cuts them into ``AudioFrame``s of 20 ms.
///
/// Samples are interleaved (`L R L R …` for stereo). A buffer always holds a
/// whole number of sample frames (one sample per channel).
public struct PCMBuffer: Sendable, Equatable {
    /// Samples per second per channel (8,000 for G.711 telephony).
    public let sampleRate: Int
    /// Number of interleaved channels: 1 (mono) or 2 (stereo).
    public let channels: Int
    /// Interleaved samples; `samples.count` is a multiple of `channels`.
    public var samples: [Int16]

    /// Creates a buffer. `sampleRate` must be positive, `channels` 1 or 2 and
    /// `samples.count` a multiple of `channels`; anything else is a programming
    /// error and traps.
    public init(sampleRate: Int, channels: Int = 1, samples: [Int16] = []) {
        precondition(sampleRate > 0, "PCMBuffer: sample rate must be positive, got \(sampleRate)")
        precondition(channels == 1 || channels == 2, "PCMBuffer: 1 or 2 channels, got \(channels)")
        precondition(samples.count % channels == 0, "PCMBuffer: \(samples.count) samples is not a whole number of \(channels)-channel frames")
        self.sampleRate = sampleRate
        self.channels = channels
        self.samples = samples
    }

    /// A buffer of `duration` of digital silence.
    public static func silence(sampleRate: Int, channels: Int = 1, duration: Duration) -> PCMBuffer {
        let frames = AudioTime.sampleCount(for: duration, sampleRate: sampleRate)
        return PCMBuffer(sampleRate: sampleRate, channels: channels, samples: [Int16](repeating: 0, count: frames * channels))
    }

    /// Number of sample frames (samples per channel).
    public var frameCount: Int { samples.count / channels }

    /// Length in time, exact to the sample.
    public var duration: Duration { AudioTime.duration(ofSamples: frameCount, sampleRate: sampleRate) }

    /// True when the buffer holds no samples.
    public var isEmpty: Bool { samples.isEmpty }

    /// The mono version: the channels averaged (rounded half away from zero).
    /// A mono buffer is returned unchanged.
    public func mono() -> PCMBuffer {
        guard channels == 2 else { return self }
        var out = [Int16](repeating: 0, count: frameCount)
        samples.withUnsafeBufferPointer { src in
            for i in 0..<out.count {
                let sum = Int32(src[2 * i]) + Int32(src[2 * i + 1])
                // Halving a sum of two Int16 always fits Int16.
                out[i] = Int16(sum >= 0 ? (sum + 1) / 2 : (sum - 1) / 2)
            }
        }
        return PCMBuffer(sampleRate: sampleRate, channels: 1, samples: out)
    }

    /// The samples from sample frame `start` for `count` frames, clamped to the
    /// buffer (a range past the end gives a shorter or empty buffer).
    public func slice(fromFrame start: Int, count: Int) -> PCMBuffer {
        let lo = min(max(0, start), frameCount)
        let hi = min(frameCount, lo + max(0, count))
        return PCMBuffer(sampleRate: sampleRate, channels: channels, samples: Array(samples[(lo * channels)..<(hi * channels)]))
    }

    /// The part between two times from the start of the buffer, clamped.
    public func slice(from start: Duration, to end: Duration) -> PCMBuffer {
        let a = AudioTime.sampleCount(for: start, sampleRate: sampleRate)
        let b = AudioTime.sampleCount(for: end, sampleRate: sampleRate)
        return slice(fromFrame: a, count: b - a)
    }

    /// Appends another buffer of the same rate and channel count.
    public mutating func append(_ other: PCMBuffer) {
        precondition(other.sampleRate == sampleRate && other.channels == channels,
                     "PCMBuffer.append: \(other.sampleRate) Hz × \(other.channels) onto \(sampleRate) Hz × \(channels)")
        samples.append(contentsOf: other.samples)
    }

    /// Cuts a mono buffer into consecutive 20 ms frames; a last partial frame
    /// is padded with silence.
    public func frames() -> [AudioFrame] {
        precondition(channels == 1, "PCMBuffer.frames: frames are mono; call mono() first")
        let n = AudioFrame.sampleCount(sampleRate: sampleRate)
        var result: [AudioFrame] = []
        result.reserveCapacity((samples.count + n - 1) / n)
        var i = 0
        while i < samples.count {
            var chunk = Array(samples[i..<min(i + n, samples.count)])
            if chunk.count < n { chunk.append(contentsOf: repeatElement(0, count: n - chunk.count)) }
            result.append(AudioFrame(sampleRate: sampleRate, samples: chunk))
            i += n
        }
        return result
    }
}

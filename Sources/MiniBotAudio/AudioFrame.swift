/// One 20 ms frame of mono 16-bit PCM: the unit of the live audio path
/// (RTP packetisation, voice activity, tone detection, recording).
///
/// At 8 kHz a frame holds 160 samples; at 16 kHz, 320.
public struct AudioFrame: Sendable, Equatable {
    /// The frame length every backend uses.
    public static let duration: Duration = .milliseconds(20)

    /// Samples in one 20 ms frame at `sampleRate` (which must be a multiple of 50 Hz).
    public static func sampleCount(sampleRate: Int) -> Int {
        precondition(sampleRate > 0 && sampleRate % 50 == 0, "AudioFrame: \(sampleRate) Hz does not divide into 20 ms frames")
        return sampleRate / 50
    }

    /// Samples per second.
    public let sampleRate: Int
    /// Exactly `sampleCount(sampleRate:)` samples.
    public var samples: [Int16]

    /// Creates a frame; `samples.count` must be one 20 ms frame at `sampleRate`.
    public init(sampleRate: Int = 8_000, samples: [Int16]) {
        precondition(samples.count == AudioFrame.sampleCount(sampleRate: sampleRate),
                     "AudioFrame: \(samples.count) samples is not 20 ms at \(sampleRate) Hz")
        self.sampleRate = sampleRate
        self.samples = samples
    }

    /// A frame of digital silence.
    public static func silence(sampleRate: Int = 8_000) -> AudioFrame {
        AudioFrame(sampleRate: sampleRate, samples: [Int16](repeating: 0, count: sampleCount(sampleRate: sampleRate)))
    }
}

/// The audio of one call on its real timeline, for the full-call WAV (the
/// seed's "audio complet assemblé") and the per-answer client clips.
///
/// The client track is what came in from the line, frame by frame; bot
/// segments are the prompts played and when. Both are placed by time from
/// the moment the call was answered, so a gap in the inbound stream stays a
/// gap (silence) and a prompt cut short by barge-in keeps only what was played.
///
/// A value type: no I/O; write the result with ``WAVFile/writePCM16(_:to:)``.
public struct CallRecording: Sendable {
    /// How ``assemble(_:)`` lays out the two parties.
    public enum Layout: Sendable {
        /// Two channels: bot left, client right (the default; each party stays separable).
        case stereo
        /// One channel: both parties summed, clipped at full scale.
        case mono
    }

    /// Sample rate of every track.
    public let sampleRate: Int
    /// The client's audio from the call's start; index = sample time.
    public private(set) var client: [Int16] = []
    private var botSegments: [(start: Int, samples: [Int16])] = []

    /// An empty recording for a call at `sampleRate` (8,000 Hz for G.711).
    public init(sampleRate: Int = 8_000) {
        self.sampleRate = sampleRate
    }

    /// Length of the call so far: up to the end of the later track.
    public var duration: Duration {
        AudioTime.duration(ofSamples: totalSamples, sampleRate: sampleRate)
    }

    /// Appends an inbound frame right after the previous one.
    public mutating func appendClient(_ frame: AudioFrame) {
        precondition(frame.sampleRate == sampleRate, "CallRecording: \(frame.sampleRate) Hz frame in a \(sampleRate) Hz call")
        client.append(contentsOf: frame.samples)
    }

    /// Places inbound audio at `time` from the call's start: a gap before it
    /// is filled with silence, an overlap overwrites.
    public mutating func placeClient(_ samples: [Int16], at time: Duration) {
        let start = max(0, AudioTime.sampleCount(for: time, sampleRate: sampleRate))
        if client.count < start { client.append(contentsOf: repeatElement(0, count: start - client.count)) }
        let overlap = min(samples.count, client.count - start)
        if overlap > 0 { client.replaceSubrange(start..<(start + overlap), with: samples[0..<overlap]) }
        client.append(contentsOf: samples[overlap...])
    }

    /// Records that `prompt` (mono, this call's rate) started playing at
    /// `time`; `playedFor`, when set, cuts it where playback stopped (barge-in).
    public mutating func addBot(_ prompt: PCMBuffer, at time: Duration, playedFor: Duration? = nil) {
        precondition(prompt.sampleRate == sampleRate && prompt.channels == 1,
                     "CallRecording: bot audio must be mono at \(sampleRate) Hz, got \(prompt.channels) ch at \(prompt.sampleRate) Hz")
        var samples = prompt.samples
        if let playedFor {
            samples = Array(samples.prefix(max(0, AudioTime.sampleCount(for: playedFor, sampleRate: sampleRate))))
        }
        botSegments.append((max(0, AudioTime.sampleCount(for: time, sampleRate: sampleRate)), samples))
    }

    /// The client's audio between two call times (an answer clip).
    public func clientClip(from start: Duration, to end: Duration) -> PCMBuffer {
        PCMBuffer(sampleRate: sampleRate, samples: client).slice(from: start, to: end)
    }

    /// The whole call as one buffer, aligned to call time.
    public func assemble(_ layout: Layout = .stereo) -> PCMBuffer {
        let n = totalSamples
        switch layout {
        case .stereo:
            var out = [Int16](repeating: 0, count: 2 * n)
            out.withUnsafeMutableBufferPointer { dst in
                for segment in botSegments {
                    segment.samples.withUnsafeBufferPointer { src in
                        for (k, s) in src.enumerated() {
                            let j = 2 * (segment.start + k)
                            dst[j] = Int16(clamping: Int32(dst[j]) + Int32(s))   // overlapping prompts mix
                        }
                    }
                }
                client.withUnsafeBufferPointer { src in
                    for (k, s) in src.enumerated() { dst[2 * k + 1] = s }
                }
            }
            return PCMBuffer(sampleRate: sampleRate, channels: 2, samples: out)
        case .mono:
            var mix = [Int32](repeating: 0, count: n)
            mix.withUnsafeMutableBufferPointer { dst in
                for segment in botSegments {
                    segment.samples.withUnsafeBufferPointer { src in
                        for (k, s) in src.enumerated() { dst[segment.start + k] += Int32(s) }
                    }
                }
                client.withUnsafeBufferPointer { src in
                    for (k, s) in src.enumerated() { dst[k] += Int32(s) }
                }
            }
            return PCMBuffer(sampleRate: sampleRate, samples: mix.map { Int16(clamping: $0) })
        }
    }

    private var totalSamples: Int {
        botSegments.reduce(client.count) { max($0, $1.start + $1.samples.count) }
    }
}

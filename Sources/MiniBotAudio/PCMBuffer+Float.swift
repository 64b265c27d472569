/// Conversions between 16-bit samples and floating point in [-1, 1), the
/// working format of resampling, loudness and gain.
extension PCMBuffer {
    /// The samples as `Float`, scaled so that full scale is ±1 (interleaved).
    public func floatSamples() -> [Float] {
        samples.map { Float($0) * (1.0 / 32768.0) }
    }

    /// A buffer from float samples (full scale ±1), rounded to the nearest
    /// 16-bit value. Samples beyond full scale are clipped; `clippedSamples`
    /// tells how many were.
    public init(sampleRate: Int, channels: Int = 1, floatSamples: [Float], clippedSamples: inout Int) {
        var clipped = 0
        let converted = floatSamples.map { x -> Int16 in
            let scaled = (x * 32768).rounded()
            if scaled > 32767 { clipped += 1; return .max }
            if scaled < -32768 { clipped += 1; return .min }
            return scaled.isNaN ? 0 : Int16(scaled)
        }
        clippedSamples = clipped
        self.init(sampleRate: sampleRate, channels: channels, samples: converted)
    }
}

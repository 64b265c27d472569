import CSoxr

/// Sample-rate conversion with libsoxr (the SoX resampler), in its
/// high-quality (20-bit) or very-high-quality (28-bit) recipe, linear phase.
public enum Resampler {
    /// libsoxr quality recipe.
    public enum Quality: Sendable {
        /// 20-bit precision, passband to 91 % of Nyquist: ample for 16-bit telephony.
        case high
        /// 28-bit precision: for masters kept at high resolution.
        case veryHigh

        var recipe: UInt { self == .high ? UInt(SOXR_HQ) : UInt(SOXR_VHQ) }
    }

    /// Converts interleaved float samples (full scale ±1) from `fromRate` to
    /// `toRate`. The output length is the input length scaled by the ratio,
    /// rounded; filter delay is compensated, so time alignment is kept.
    public static func resample(_ samples: [Float], channels: Int, from fromRate: Int, to toRate: Int,
                                quality: Quality = .high) throws -> [Float] {
        precondition(channels > 0 && samples.count % channels == 0, "Resampler: samples not a whole number of \(channels)-channel frames")
        guard fromRate > 0, toRate > 0 else {
            throw AudioProcessingError.resampling(fromRate: fromRate, toRate: toRate, message: "rates must be positive")
        }
        if fromRate == toRate || samples.isEmpty { return samples }
        let inFrames = samples.count / channels
        let outFrames = Int((Double(inFrames) * Double(toRate) / Double(fromRate)).rounded())
        var output = [Float](repeating: 0, count: outFrames * channels)
        var io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I)
        var q = soxr_quality_spec(quality.recipe, 0)
        var inDone = 0
        var outDone = 0
        let error: soxr_error_t? = samples.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                soxr_oneshot(Double(fromRate), Double(toRate), UInt32(channels),
                             src.baseAddress, inFrames, &inDone,
                             dst.baseAddress, outFrames, &outDone,
                             &io, &q, nil)
            }
        }
        if let error {
            throw AudioProcessingError.resampling(fromRate: fromRate, toRate: toRate, message: String(cString: error))
        }
        // soxr_oneshot fills the requested length; a shortfall (never seen) is zero-padded.
        return output
    }

    /// Converts a 16-bit buffer to `rate`, rounding back to 16 bits (values the
    /// filter pushes past full scale are clipped).
    public static func resample(_ buffer: PCMBuffer, to rate: Int, quality: Quality = .high) throws -> PCMBuffer {
        if buffer.sampleRate == rate { return buffer }
        let out = try resample(buffer.floatSamples(), channels: buffer.channels, from: buffer.sampleRate, to: rate, quality: quality)
        var clipped = 0
        return PCMBuffer(sampleRate: rate, channels: buffer.channels, floatSamples: out, clippedSamples: &clipped)
    }
}

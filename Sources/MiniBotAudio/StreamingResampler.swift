import CSoxr

/// Rate conversion of a live stream (for example 16 kHz frames from a
/// wideband backend to the 8 kHz of the analysis path), with libsoxr keeping
/// the filter state between calls, so frame boundaries leave no trace.
///
/// The filter delays the stream by a few milliseconds: the first calls
/// return fewer samples than the ratio suggests, and ``flush()`` returns the
/// rest at the end. Not thread-safe: one call's task owns one resampler.
public final class StreamingResampler {
    /// Input rate, Hz.
    public let fromRate: Int
    /// Output rate, Hz.
    public let toRate: Int
    /// Interleaved channels.
    public let channels: Int
    private let handle: soxr_t

    /// A resampler from `fromRate` to `toRate`, 16-bit in and out, without dither.
    public init(from fromRate: Int, to toRate: Int, channels: Int = 1, quality: Resampler.Quality = .high) throws {
        guard fromRate > 0, toRate > 0, channels > 0 else {
            throw AudioProcessingError.resampling(fromRate: fromRate, toRate: toRate, message: "rates and channels must be positive")
        }
        var io = soxr_io_spec(SOXR_INT16_I, SOXR_INT16_I)
        io.flags |= UInt(SOXR_NO_DITHER)
        var q = soxr_quality_spec(quality.recipe, 0)
        var error: soxr_error_t?
        guard let handle = soxr_create(Double(fromRate), Double(toRate), UInt32(channels), &error, &io, &q, nil), error == nil else {
            throw AudioProcessingError.resampling(fromRate: fromRate, toRate: toRate, message: error.map { String(cString: $0) } ?? "soxr_create failed")
        }
        self.fromRate = fromRate
        self.toRate = toRate
        self.channels = channels
        self.handle = handle
    }

    deinit { soxr_delete(handle) }

    /// Feeds interleaved samples; returns the converted samples ready so far
    /// (any the filter cannot release yet come out on a later call).
    public func process(_ samples: [Int16]) throws -> [Int16] {
        precondition(samples.count % channels == 0, "StreamingResampler: samples not a whole number of \(channels)-channel frames")
        let frames = samples.count / channels
        let capacity = Int(Double(frames) * Double(toRate) / Double(fromRate)) + 256
        var out = [Int16](repeating: 0, count: capacity * channels)
        var consumed = 0, produced = 0
        let error: soxr_error_t? = samples.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                soxr_process(handle, src.baseAddress, frames, &consumed, dst.baseAddress, capacity, &produced)
            }
        }
        if let error { throw AudioProcessingError.resampling(fromRate: fromRate, toRate: toRate, message: String(cString: error)) }
        out.removeLast(out.count - produced * channels)
        return out
    }

    /// Ends the stream: returns what the filter still holds. Feed nothing after it.
    public func flush() throws -> [Int16] {
        var result: [Int16] = []
        var out = [Int16](repeating: 0, count: 1_024 * channels)
        while true {
            var produced = 0
            let error: soxr_error_t? = out.withUnsafeMutableBufferPointer { dst in
                soxr_process(handle, nil, 0, nil, dst.baseAddress, 1_024, &produced)
            }
            if let error { throw AudioProcessingError.resampling(fromRate: fromRate, toRate: toRate, message: String(cString: error)) }
            if produced == 0 { return result }
            result.append(contentsOf: out[0..<(produced * channels)])
        }
    }
}

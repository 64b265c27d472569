import CEBUR128
import Foundation

/// Loudness and peak of a piece of audio, measured with libebur128
/// (EBU R 128 / ITU-R BS.1770-4).
public struct LoudnessMeasurement: Sendable, Equatable {
    /// Integrated, gated loudness in LUFS; `nil` when the audio is too short
    /// (under 400 ms) or too quiet for the gate to keep any block.
    public var integratedLUFS: Double?
    /// Highest true peak over all channels, in dBTP (−∞ for digital silence).
    public var truePeakDBTP: Double
    /// Highest sample peak over all channels, in dBFS (−∞ for digital silence).
    public var samplePeakDBFS: Double
}

/// Measuring loudness with libebur128.
public enum Loudness {
    /// Measures interleaved float samples (full scale ±1).
    public static func measure(_ samples: [Float], channels: Int, sampleRate: Int) throws -> LoudnessMeasurement {
        let mode = Int32(EBUR128_MODE_I.rawValue | EBUR128_MODE_TRUE_PEAK.rawValue | EBUR128_MODE_SAMPLE_PEAK.rawValue)
        guard let state = ebur128_init(UInt32(channels), UInt(sampleRate), mode) else {
            throw AudioProcessingError.loudness(sampleRate: sampleRate, channels: channels, message: "ebur128_init failed")
        }
        var handle: UnsafeMutablePointer<ebur128_state>? = state
        defer { ebur128_destroy(&handle) }
        let frames = samples.count / channels
        let added = samples.withUnsafeBufferPointer { ebur128_add_frames_float(state, $0.baseAddress, frames) }
        guard added == EBUR128_SUCCESS.rawValue else {
            throw AudioProcessingError.loudness(sampleRate: sampleRate, channels: channels, message: "ebur128_add_frames_float returned \(added)")
        }
        var global = 0.0
        guard ebur128_loudness_global(state, &global) == EBUR128_SUCCESS.rawValue else {
            throw AudioProcessingError.loudness(sampleRate: sampleRate, channels: channels, message: "ebur128_loudness_global failed")
        }
        var truePeak = 0.0
        var samplePeak = 0.0
        for ch in 0..<UInt32(channels) {
            var tp = 0.0, sp = 0.0
            guard ebur128_true_peak(state, ch, &tp) == EBUR128_SUCCESS.rawValue,
                  ebur128_sample_peak(state, ch, &sp) == EBUR128_SUCCESS.rawValue else {
                throw AudioProcessingError.loudness(sampleRate: sampleRate, channels: channels, message: "peak query failed on channel \(ch)")
            }
            truePeak = max(truePeak, tp)
            samplePeak = max(samplePeak, sp)
        }
        return LoudnessMeasurement(integratedLUFS: global.isFinite ? global : nil,
                                   truePeakDBTP: decibels(truePeak), samplePeakDBFS: decibels(samplePeak))
    }

    /// Measures a 16-bit buffer.
    public static func measure(_ buffer: PCMBuffer) throws -> LoudnessMeasurement {
        try measure(buffer.floatSamples(), channels: buffer.channels, sampleRate: buffer.sampleRate)
    }

    /// 20·log10 of a linear amplitude; −∞ for 0.
    static func decibels(_ amplitude: Double) -> Double {
        amplitude > 0 ? 20 * log10(amplitude) : -.infinity
    }
}

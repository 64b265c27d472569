import MiniBotAudio

/// Audio as whisper.cpp wants it: 16 kHz mono float samples, with silence
/// around the speech. Telephone audio (8 kHz) is resampled with libsoxr.
enum WhisperInput {
    /// Whisper's sample rate.
    static let sampleRate = 16_000

    /// `audio` as 16 kHz mono floats, with `padding` of silence before and
    /// after, and at least `minimum` long (whisper.cpp ignores clips under 1 s).
    static func prepare(_ audio: PCMBuffer, padding: Duration, minimum: Duration) throws -> [Float] {
        let mono = audio.mono()
        let samples = try Resampler.resample(mono.floatSamples(), channels: 1, from: mono.sampleRate, to: sampleRate)
        let pad = AudioTime.sampleCount(for: padding, sampleRate: sampleRate)
        let total = max(samples.count + 2 * pad, AudioTime.sampleCount(for: minimum, sampleRate: sampleRate))
        let lead = pad + (total - samples.count - 2 * pad) / 2
        var out = [Float](repeating: 0, count: total)
        out.replaceSubrange(lead..<(lead + samples.count), with: samples)
        return out
    }
}

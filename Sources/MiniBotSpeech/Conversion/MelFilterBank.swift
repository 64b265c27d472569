import Foundation

/// The mel filter bank Whisper's front end uses: librosa's
/// `filters.mel(sr=16000, n_fft=400, n_mels=N)` with its defaults (Slaney mel
/// scale, Slaney area normalisation), the same values as openai-whisper's
/// `assets/mel_filters.npz`. Computed in double precision and rounded to
/// `Float` in the order librosa does.
public enum MelFilterBank {
    /// `melBands` rows of `nFFT / 2 + 1` weights, row-major.
    public static func whisper(melBands: Int, sampleRate: Int = 16_000, nFFT: Int = 400) -> [Float] {
        let bins = nFFT / 2 + 1
        // numpy.fft.rfftfreq(n_fft, 1 / sr)
        let spacing = 1.0 / (Double(nFFT) * (1.0 / Double(sampleRate)))
        let fftFrequencies = (0..<bins).map { Double($0) * spacing }
        // librosa.mel_frequencies(n_mels + 2, fmin=0, fmax=sr/2): numpy.linspace in mel, back to Hz.
        let minMel = hzToMel(0)
        let maxMel = hzToMel(Double(sampleRate) / 2)
        let points = melBands + 2
        let step = (maxMel - minMel) / Double(points - 1)
        var melFrequencies = (0..<points).map { melToHz(Double($0) * step + minMel) }
        melFrequencies[points - 1] = melToHz(maxMel)
        var weights = [Float](repeating: 0, count: melBands * bins)
        for band in 0..<melBands {
            let lowerWidth = melFrequencies[band + 1] - melFrequencies[band]
            let upperWidth = melFrequencies[band + 2] - melFrequencies[band + 1]
            let norm = 2.0 / (melFrequencies[band + 2] - melFrequencies[band])
            for bin in 0..<bins {
                let lower = -(melFrequencies[band] - fftFrequencies[bin]) / lowerWidth
                let upper = (melFrequencies[band + 2] - fftFrequencies[bin]) / upperWidth
                let weight = Float(max(0, min(lower, upper)))           // stored as float32 first…
                weights[band * bins + bin] = Float(Double(weight) * norm)  // …then scaled in float64
            }
        }
        return weights
    }

    private static let linearStep = 200.0 / 3
    private static let logStart = 1000.0
    private static let logStartMel = logStart / linearStep
    private static let logStep = log(6.4) / 27

    static func hzToMel(_ hz: Double) -> Double {
        hz >= logStart ? logStartMel + log(hz / logStart) / logStep : hz / linearStep
    }

    static func melToHz(_ mel: Double) -> Double {
        mel >= logStartMel ? logStart * exp(logStep * (mel - logStartMel)) : linearStep * mel
    }
}

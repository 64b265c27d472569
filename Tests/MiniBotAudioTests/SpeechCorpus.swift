import Foundation
import MiniBotTestSupport
@testable import MiniBotAudio

/// Callee answers synthesised by espeak-ng (French, three voice settings),
/// 8 kHz, and helpers to bury them in noise. Generated once per test run.
enum SpeechCorpus {
    static let phrases = [
        "Oui, ça m'intéresse.",
        "Non merci, je ne suis pas intéressé.",
        "Rappelez-moi demain matin.",
        "C'est pour quoi exactement ?",
        "Je ne sais pas.",
        "Allô ?",
        "D'accord, envoyez-moi la documentation.",
        "Retirez-moi de votre liste, s'il vous plaît.",
        "Peut-être, ça dépend du prix.",
        "Je suis propriétaire de ma maison depuis dix ans.",
    ]
    static let voices: [(voice: String, speed: Int)] = [("fr", 150), ("fr+f3", 140), ("fr+m3", 170)]

    /// Every phrase in one voice each (rotating), normalised to −26 dBFS RMS over its active part.
    static let clips: Result<[PCMBuffer], any Error> = Result {
        try phrases.enumerated().map { i, text in
            let v = voices[i % voices.count]
            return normalise(try Support.espeak(text, voice: v.voice, speed: v.speed))
        }
    }

    /// The truth the endpointer is judged against: from the first to the last
    /// 10 ms window whose level is within 30 dB of the clip's loudest 10 ms
    /// (quieter tails are below any telephone line's noise).
    static func activeRange(_ clip: PCMBuffer) -> Range<Int> {
        let windows = stride(from: 0, to: clip.samples.count - 79, by: 80).map { Support.rms(Array(clip.samples[$0..<($0 + 80)])) }
        let threshold = (windows.max() ?? 0) * pow(10, -30.0 / 20)
        let first = windows.firstIndex { $0 >= threshold } ?? 0
        let last = windows.lastIndex { $0 >= threshold } ?? 0
        return (first * 80)..<((last + 1) * 80)
    }

    static func normalise(_ clip: PCMBuffer) -> PCMBuffer {
        let active = Array(clip.samples[activeRange(clip)])
        let gain = 32_768 * pow(10, -26.0 / 20) / Support.rms(active)
        return PCMBuffer(sampleRate: clip.sampleRate, samples: clip.samples.map { Int16(clamping: Int((Double($0) * gain).rounded())) })
    }

    enum Noise: String, CaseIterable, Sendable { case white, brown }

    /// `count` samples of noise at `dBFS` RMS.
    static func noise(_ kind: Noise, dBFS: Double, count: Int, rng: inout SeededRandom) -> [Double] {
        var x = (0..<count).map { _ in rng.gaussian() }
        if kind == .brown {                         // one-pole low-pass: a rumbling, hum-like line
            var y = 0.0
            for i in x.indices { y = 0.95 * y + x[i]; x[i] = y }
        }
        let rms = (x.reduce(0) { $0 + $1 * $1 } / Double(count)).squareRoot()
        let scale = 32_768 * pow(10, dBFS / 20) / rms
        return x.map { $0 * scale }
    }

    /// `lead` samples of noise, the clip, then `tail` samples, at `snr` dB below −26 dBFS speech.
    static func scene(_ clip: PCMBuffer, noise kind: Noise, snr: Double, lead: Int, tail: Int, seed: UInt64) -> [Int16] {
        var rng = SeededRandom(seed: seed)
        let total = lead + clip.samples.count + tail
        var mix = noise(kind, dBFS: -26 - snr, count: total, rng: &rng)
        for (i, s) in clip.samples.enumerated() { mix[lead + i] += Double(s) }
        return mix.map { Int16(clamping: Int($0.rounded())) }
    }

    static func frames(_ samples: [Int16]) -> [AudioFrame] {
        PCMBuffer(sampleRate: 8_000, samples: samples).frames()
    }
}

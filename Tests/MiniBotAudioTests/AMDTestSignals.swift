import Foundation
import MiniBotTestSupport
@testable import MiniBotAudio

/// Synthetic 20 ms frames for the AMD state machines: "voice" is white noise
/// (loud, never tonal), silence a faint hiss, a beep a pure sine.
struct AMDSignal {
    private(set) var frames: [AudioFrame] = []
    private var rng = SeededRandom(seed: 7)

    /// Time so far, ms.
    var milliseconds: Int { frames.count * 20 }

    /// This signal followed by `ms` of voice.
    func voice(_ ms: Int, dBFS: Double = -22) -> Self {
        appending(ms) { rng, _ in rng.gaussian() * 32_768 * pow(10, dBFS / 20) }
    }

    /// This signal followed by `ms` of silence (a faint hiss).
    func silence(_ ms: Int, dBFS: Double = -65) -> Self {
        appending(ms) { rng, _ in rng.gaussian() * 32_768 * pow(10, dBFS / 20) }
    }

    /// This signal followed by a beep.
    func beep(_ ms: Int, frequency: Double = 1_000, dBFS: Double = -20) -> Self {
        let amplitude = 32_768 * pow(10, dBFS / 20) * 2.0.squareRoot()
        return appending(ms) { _, n in amplitude * sin(2 * .pi * frequency * Double(n) / 8_000) }
    }

    /// This signal followed by `count` words of `word` ms separated by `gap` ms of silence.
    func words(_ count: Int, word: Int, gap: Int) -> Self {
        var s = self
        for k in 0..<count {
            s = s.voice(word)
            if k < count - 1 { s = s.silence(gap) }
        }
        return s
    }

    private func appending(_ ms: Int, _ sample: (inout SeededRandom, Int) -> Double) -> Self {
        precondition(ms % 20 == 0, "whole frames only")
        var copy = self
        var n = 0
        for _ in 0..<(ms / 20) {
            let samples = (0..<160).map { _ in
                defer { n += 1 }
                return Int16(clamping: Int(sample(&copy.rng, n).rounded()))
            }
            copy.frames.append(AudioFrame(samples: samples))
        }
        return copy
    }
}

/// Feeds frames until a decision; returns it and how many non-nil decisions came in all (must be one).
func run<D: AMDStreamingDetector>(_ detector: inout D, _ signal: AMDSignal, thenSilence ms: Int = 10_000) -> (AMDDecision?, Int) {
    let tail = AMDSignal().silence(ms)
    var first: AMDDecision?
    var decisions = 0
    for frame in signal.frames + tail.frames {
        if let d = detector.process(frame) {
            decisions += 1
            if first == nil { first = d }
        }
    }
    return (first, decisions)
}

func ms(_ d: Duration) -> Int { Int((AudioTime.seconds(d) * 1000).rounded()) }

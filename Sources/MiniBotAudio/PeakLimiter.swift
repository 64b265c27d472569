import Foundation

/// A look-ahead peak limiter for whole buffers (prompts, not live audio):
/// it lowers the gain smoothly around the few peaks that would pass the
/// ceiling, so that loudness can reach its target without clipping.
///
/// The gain curve is the sliding minimum of the gain each sample needs (over
/// ±`lookahead`), averaged over ±`lookahead`/2 — which never exceeds what any
/// sample needs — then allowed back up to unity no faster than `release`.
struct PeakLimiter {
    /// Highest absolute sample value allowed (full scale 1).
    var ceiling: Float
    /// Samples the gain starts falling before a peak.
    var lookahead: Int
    /// Per-sample recovery towards unity gain (0…1).
    var release: Float

    init(ceilingDBFS: Double, sampleRate: Int) {
        ceiling = Float(pow(10, ceilingDBFS / 20))
        lookahead = max(2, sampleRate / 500)                          // 2 ms
        release = Float(1 - exp(-1 / (0.05 * Double(sampleRate))))    // 50 ms time constant
    }

    /// Limits `samples` in place; returns the deepest gain reduction, dB (0 when untouched).
    func apply(_ samples: inout [Float]) -> Double {
        let n = samples.count
        guard n > 0, samples.contains(where: { abs($0) > ceiling }) else { return 0 }
        let need = samples.map { abs($0) > ceiling ? ceiling / abs($0) : 1 }
        var windowMin = [Float](repeating: 1, count: n)
        for i in 0..<n where need[i] < 1 {                           // spread each peak's need over ±lookahead
            for j in max(0, i - lookahead)...min(n - 1, i + lookahead) { windowMin[j] = min(windowMin[j], need[i]) }
        }
        let half = lookahead / 2
        var gain = [Float](repeating: 1, count: n)
        var sum: Float = 0
        for j in 0..<min(n, half + 1) { sum += windowMin[j] }
        for i in 0..<n {                                             // moving average over ±half
            let lo = max(0, i - half), hi = min(n - 1, i + half)
            gain[i] = sum / Float(hi - lo + 1)
            if i + half + 1 < n { sum += windowMin[i + half + 1] }
            if i - half >= 0 { sum -= windowMin[i - half] }
        }
        var previous: Float = 1
        var deepest: Float = 1
        for i in 0..<n {
            let g = min(gain[i], need[i], previous + release * (1 - previous))
            samples[i] *= g
            previous = g
            deepest = min(deepest, g)
        }
        return -20 * Double(log10(deepest))
    }
}

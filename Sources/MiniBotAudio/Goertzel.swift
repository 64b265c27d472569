import Foundation

/// A bank of Goertzel filters: the power of one frame at a fixed set of
/// frequencies, eight frequencies at a time in SIMD lanes.
struct GoertzelBank: Sendable {
    /// The frequencies analysed, Hz.
    let frequencies: [Double]
    private let coefficients: [SIMD8<Float>]   // 2·cos(2πf/rate), padded with zeros to a multiple of 8

    init(frequencies: [Double], sampleRate: Int) {
        self.frequencies = frequencies
        var lanes = frequencies.map { Float(2 * cos(2 * Double.pi * $0 / Double(sampleRate))) }
        while lanes.count % 8 != 0 { lanes.append(0) }
        coefficients = stride(from: 0, to: lanes.count, by: 8).map { SIMD8<Float>(lanes[$0..<($0 + 8)]) }
    }

    /// Finds the frequency with the most power in `samples`; returns its index
    /// and |X(f)|², in the units of the samples squared.
    func strongest(in samples: UnsafeBufferPointer<Int16>) -> (index: Int, power: Float) {
        let groups = coefficients.count
        // All filters advance together, sample by sample: independent chains keep the FPU busy.
        let state = UnsafeMutablePointer<SIMD8<Float>>.allocate(capacity: 2 * groups)
        defer { state.deallocate() }
        state.initialize(repeating: SIMD8<Float>(), count: 2 * groups)
        let s1 = state, s2 = state + groups
        coefficients.withUnsafeBufferPointer { c in
            for x in samples {
                let input = SIMD8<Float>(repeating: Float(x))
                for g in 0..<groups {
                    let s0 = c[g] * s1[g] - s2[g] + input
                    s2[g] = s1[g]
                    s1[g] = s0
                }
            }
        }
        var bestIndex = 0
        var bestPower: Float = -1
        for g in 0..<groups {
            let c = coefficients[g]
            let power = s1[g] * s1[g] + s2[g] * s2[g] - c * s1[g] * s2[g]
            for lane in 0..<8 where g * 8 + lane < frequencies.count && power[lane] > bestPower {
                bestPower = power[lane]
                bestIndex = g * 8 + lane
            }
        }
        return (bestIndex, bestPower)
    }
}

import Foundation

/// Mean power of a frame of 16-bit samples, in dB relative to full scale.
enum FrameEnergy {
    /// The lowest level reported; digital silence reads as this.
    static let floorDBFS = -100.0

    /// 10·log10(mean(x²) / 32768²), at least `floorDBFS`.
    static func dBFS(_ samples: UnsafeBufferPointer<Int16>) -> Double {
        guard !samples.isEmpty else { return floorDBFS }
        var sum: Int64 = 0
        for s in samples { let v = Int64(s); sum &+= v * v }
        guard sum > 0 else { return floorDBFS }
        let meanSquare = Double(sum) / Double(samples.count)
        return max(floorDBFS, 10 * log10(meanSquare / (32_768.0 * 32_768.0)))
    }

    static func dBFS(_ samples: [Int16]) -> Double {
        samples.withUnsafeBufferPointer { dBFS($0) }
    }
}

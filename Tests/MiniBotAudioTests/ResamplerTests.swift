import Foundation
import Testing
@testable import MiniBotAudio

@Suite struct ResamplerTests {
    /// Frequency from zero crossings over the steady middle, and level.
    static func measure(_ x: [Float], rate: Int) -> (frequency: Double, rmsDB: Double) {
        let middle = x[(x.count / 4)..<(3 * x.count / 4)]
        var upward = [Double]()
        for i in (middle.startIndex + 1)..<middle.endIndex where x[i - 1] < 0 && x[i] >= 0 {
            upward.append(Double(i - 1) + Double(-x[i - 1] / (x[i] - x[i - 1])))
        }
        let period = (upward.last! - upward.first!) / Double(upward.count - 1)
        return (Double(rate) / period, 20 * log10(Support.rms(middle)))
    }

    @Test(arguments: [(48_000, 8_000), (44_100, 8_000), (22_050, 8_000), (16_000, 8_000), (8_000, 16_000), (11_025, 8_000)])
    func aSineKeepsItsFrequencyAndLevel(from: Int, to: Int) throws {
        let input = Support.sine(frequency: 1_000, amplitude: 0.5, rate: from, seconds: 1)
        let output = try Resampler.resample(input, channels: 1, from: from, to: to)
        #expect(output.count == to)
        let before = Self.measure(input, rate: from), after = Self.measure(output, rate: to)
        #expect(abs(after.frequency - 1_000) < 0.5, "frequency \(after.frequency) Hz")
        #expect(abs(after.rmsDB - before.rmsDB) < 0.5, "level \(before.rmsDB) → \(after.rmsDB) dB")
    }

    @Test func contentAboveTheNewNyquistIsRemoved() throws {
        // A 6 kHz tone cannot exist at 8 kHz: it must not fold back to 2 kHz.
        let input = Support.sine(frequency: 6_000, amplitude: 0.5, rate: 48_000, seconds: 1)
        let output = try Resampler.resample(input, channels: 1, from: 48_000, to: 8_000)
        let level = 20 * log10(Support.rms(output[2_000..<6_000]))
        #expect(level < -80, "alias at \(level) dBFS")
    }

    @Test func stereoChannelsStayApartAndAligned() throws {
        let left = Support.sine(frequency: 500, amplitude: 0.5, rate: 16_000, seconds: 0.5)
        let interleaved: [Float] = left.flatMap { [$0, Float(0)] }
        let buffer = PCMBuffer(sampleRate: 16_000, channels: 2, samples: Support.int16(interleaved))
        let out = try Resampler.resample(buffer, to: 8_000)
        #expect(out.channels == 2 && out.frameCount == 4_000)
        let right = stride(from: 1, to: out.samples.count, by: 2).map { out.samples[$0] }
        let leftOut = stride(from: 0, to: out.samples.count, by: 2).map { out.samples[$0] }
        #expect(right.map { abs(Int($0)) }.max()! <= 1)
        // No delay: the resampled sine is in phase with the ideal 8 kHz sine (checked mid-buffer).
        let ideal = Support.int16(Support.sine(frequency: 500, amplitude: 0.5, rate: 8_000, seconds: 0.5))
        let error = zip(leftOut[1_000..<3_000], ideal[1_000..<3_000]).map { abs(Int($0) - Int($1)) }.max()!
        #expect(error < 200, "max error \(error)")
    }

    @Test func anInvalidRateIsReported() {
        #expect(throws: AudioProcessingError.self) {
            try Resampler.resample([0, 0], channels: 1, from: 0, to: 8_000)
        }
    }
}

@Suite struct LoudnessTests {
    /// EBU Tech 3341 case 1: a stereo 1 kHz sine at −23 dBFS reads −23.0 LUFS; mono reads 3 dB less.
    @Test(arguments: [48_000, 8_000])
    func referenceSineMeasuresAsSpecified(rate: Int) throws {
        let amplitude = pow(10, -23.0 / 20)
        let mono = Support.sine(frequency: 1_000, amplitude: amplitude, rate: rate, seconds: 5)
        let stereo = try Loudness.measure(mono.flatMap { [$0, $0] }, channels: 2, sampleRate: rate)
        let single = try Loudness.measure(mono, channels: 1, sampleRate: rate)
        let tolerance = rate == 48_000 ? 0.1 : 0.3         // K-weighting is defined at 48 kHz
        #expect(abs(stereo.integratedLUFS! + 23) < tolerance, "\(stereo)")
        #expect(abs(single.integratedLUFS! + 26.01) < tolerance, "\(single)")
        #expect(abs(single.samplePeakDBFS + 23) < 0.05)
        #expect(single.truePeakDBTP >= single.samplePeakDBFS - 0.01)
    }

    @Test func tooShortOrSilentAudioHasNoIntegratedLoudness() throws {
        let silence = try Loudness.measure([Float](repeating: 0, count: 8_000), channels: 1, sampleRate: 8_000)
        #expect(silence.integratedLUFS == nil)
        #expect(silence.samplePeakDBFS == -.infinity)
        let blip = try Loudness.measure(Support.sine(frequency: 1_000, amplitude: 0.5, rate: 8_000, seconds: 0.2), channels: 1, sampleRate: 8_000)
        #expect(blip.integratedLUFS == nil)
    }
}

@Suite struct StreamingResamplerTests {
    /// 16 kHz frames of 20 ms in, 8 kHz out: the stream, flushed, has the right length and
    /// matches the whole-buffer conversion, so frame boundaries leave no trace.
    @Test(arguments: [(16_000, 8_000), (8_000, 16_000), (48_000, 8_000)])
    func framesInMatchTheWholeBufferConversion(from: Int, to: Int) throws {
        let input = Support.int16(Support.sine(frequency: 1_000, amplitude: 0.5, rate: from, seconds: 1))
        let resampler = try StreamingResampler(from: from, to: to)
        var output: [Int16] = []
        for start in stride(from: 0, to: input.count, by: from / 50) {
            output += try resampler.process(Array(input[start..<min(input.count, start + from / 50)]))
        }
        output += try resampler.flush()
        #expect(abs(output.count - to) <= 1)
        let whole = try Resampler.resample(PCMBuffer(sampleRate: from, samples: input), to: to).samples
        let middle = (to / 4)..<(3 * to / 4)
        let worst = zip(output[middle], whole[middle]).map { abs(Int($0) - Int($1)) }.max() ?? .max
        #expect(worst <= 2, "largest difference \(worst)")
    }

    @Test func anInvalidRateIsReported() {
        #expect(throws: AudioProcessingError.self) { try StreamingResampler(from: 0, to: 8_000) }
    }
}

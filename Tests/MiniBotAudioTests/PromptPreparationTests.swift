import Foundation
import Testing
@testable import MiniBotAudio

@Suite struct PromptPreparationTests {
    /// A 44.1 kHz stereo "recording": 0.6 s silence, 2 s of a two-tone signal, 0.9 s silence.
    static func recording(amplitude: Double) -> PCMBuffer {
        let rate = 44_100
        var mono = [Float](repeating: 0, count: Int(0.6 * Double(rate)))
        mono += (0..<(2 * rate)).map { i in
            let t = Double(i) / Double(rate)
            return Float(amplitude * (0.6 * sin(2 * .pi * 440 * t) + 0.4 * sin(2 * .pi * 1_250 * t)))
        }
        mono += [Float](repeating: 0, count: Int(0.9 * Double(rate)))
        return PCMBuffer(sampleRate: rate, channels: 2, samples: Support.int16(mono.flatMap { [$0, $0] }))
    }

    @Test(arguments: [-16.0, -20, -23])
    func reachesTheTargetLoudnessAt8kHzMonoTrimmed(target: Double) throws {
        let (out, report) = try PromptPreparation.prepare(Self.recording(amplitude: 0.05), settings: .init(targetLUFS: target))
        #expect(out.sampleRate == 8_000 && out.channels == 1)
        #expect(abs(try #require(report.after.loudnessLUFS) - target) < 0.2)
        #expect(report.heldBackDB == 0)
        // 2 s of signal plus 50 ms kept at each end (±10 ms for the 10 ms trimming windows).
        #expect(abs(AudioTime.seconds(out.duration) - 2.1) <= 0.02)
        #expect(abs(AudioTime.seconds(report.trimmedLeading) - 0.55) <= 0.02)
        #expect(abs(AudioTime.seconds(report.before.duration) - 3.5) < 0.001)
    }

    @Test func aGainThatWouldNeedTooMuchLimitingIsHeldBack() throws {
        let (out, report) = try PromptPreparation.prepare(Self.recording(amplitude: 0.9), settings: .init(targetLUFS: -16, extraGainDB: 20))
        #expect(report.heldBackDB > 1)
        #expect(report.limitedDB <= 6.01)
        #expect(report.after.truePeakDBTP <= -0.99)
        #expect(out.samples.allSatisfy { $0 != .max && $0 != .min })
    }

    /// Synthetic speech has peaks 17–20 dB over its loudness: −16 LUFS needs a few dB of limiting, not clipping.
    @Test func speechReachesMinus16LUFSThroughTheLimiterWithoutClipping() throws {
        let speech = try SpeechCorpus.clips.get()[9]
        let (out, report) = try PromptPreparation.prepare(speech, settings: .init(targetLUFS: -16))
        #expect(report.limitedDB > 0 && report.limitedDB <= 6.01)
        #expect(abs(try #require(report.after.loudnessLUFS) - -16) < 0.6, "\(report)")
        #expect(report.after.truePeakDBTP <= -0.99)
        #expect(out.samples.allSatisfy { $0 != .max && $0 != .min })
    }

    @Test func withoutLimitingTheGainIsHeldBackInstead() throws {
        let speech = try SpeechCorpus.clips.get()[9]
        let (_, report) = try PromptPreparation.prepare(speech, settings: .init(targetLUFS: -16, maximumLimitingDB: 0))
        #expect(report.limitedDB == 0)
        #expect(report.heldBackDB > 0.5)
        #expect(report.after.truePeakDBTP <= -0.99)
    }

    @Test func extraGainIsAddedAfterNormalisation() throws {
        let (_, plain) = try PromptPreparation.prepare(Self.recording(amplitude: 0.05), settings: .init(targetLUFS: -23))
        let (_, louder) = try PromptPreparation.prepare(Self.recording(amplitude: 0.05), settings: .init(targetLUFS: -23, extraGainDB: 3))
        #expect(abs(louder.gainDB - plain.gainDB - 3) < 0.001)
        #expect(abs(try #require(louder.after.loudnessLUFS) - -20) < 0.2)
    }

    @Test func aSilentRecordingIsRefused() {
        #expect(throws: PromptPreparation.Failure.silent) {
            try PromptPreparation.prepare(PCMBuffer.silence(sampleRate: 16_000, duration: .seconds(1)))
        }
    }
}

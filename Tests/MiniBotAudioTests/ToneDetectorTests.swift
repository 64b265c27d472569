import Foundation
import MiniBotTestSupport
import Testing
@testable import MiniBotAudio

@Suite struct ToneDetectorTests {
    static func tone(_ frequency: Double, dBFS: Double, seconds: Double) -> [Double] {
        let a = 32_768 * pow(10, dBFS / 20)
        return (0..<Int(seconds * 8_000)).map { a * sin(2 * .pi * frequency * Double($0) / 8_000) }
    }

    static func detect(_ signal: [Double]) -> [ToneDetector.Event] {
        var detector = ToneDetector()
        let frames = PCMBuffer(sampleRate: 8_000, samples: signal.map { Int16(clamping: Int($0.rounded())) }).frames()
        return frames.compactMap { detector.process($0) }
    }

    /// Noise, a beep at `frequency`, noise: the beep's frequency, start and length are found.
    @Test(arguments: [440.0, 500, 620, 850, 1_000, 1_400, 1_777, 2_000], [20.0, 10])
    func aVoicemailBeepIsFound(frequency: Double, snr: Double) throws {
        var rng = SeededRandom(seed: UInt64(frequency))
        let lead = 0.73, length = 0.4
        var signal = SpeechCorpus.noise(.white, dBFS: -20 - snr, count: 16_000, rng: &rng)
        for (i, v) in Self.tone(frequency, dBFS: -20, seconds: length).enumerated() { signal[Int(lead * 8_000) + i] += v }
        let events = Self.detect(signal)
        let ended = events.compactMap { if case let .toneEnded(t) = $0 { t } else { nil } }
        try #require(ended.count == 1, "\(events)")
        #expect(abs(ended[0].frequency - frequency) <= 13, "\(ended[0])")
        #expect(abs(AudioTime.seconds(ended[0].start) - lead) <= 0.04)
        #expect(abs(AudioTime.seconds(ended[0].duration) - length) <= 0.06)
        guard case let .toneStarted(_, at)? = events.first else {
            Issue.record("the first event is not toneStarted: \(events)"); return
        }
        #expect(at == ended[0].start)
    }

    @Test func aBeepTooShortIsIgnored() {
        #expect(Self.detect(Self.tone(1_000, dBFS: -20, seconds: 0.08) + [Double](repeating: 0, count: 4_000)).isEmpty)
    }

    @Test func aQuietBeepUnderTheLevelGateIsIgnored() {
        #expect(Self.detect(Self.tone(1_000, dBFS: -60, seconds: 0.5)).isEmpty)
    }

    /// The low and high variants of each SIT segment, short (274 ms) or long (380 ms).
    @Test(arguments: [([913.8, 1_370.6, 1_776.7], 0.274), ([985.2, 1_428.5, 1_776.7], 0.380), ([913.8, 1_428.5, 1_776.7], 0.274)])
    func specialInformationToneIsRecognised(frequencies: [Double], seconds: Double) {
        var signal: [Double] = [Double](repeating: 0, count: 2_000)
        for f in frequencies { signal += Self.tone(f, dBFS: -18, seconds: seconds) }
        signal += [Double](repeating: 0, count: 4_000)
        let events = Self.detect(signal)
        guard case let .specialInformationTone(tones)? = events.last else {
            Issue.record("no SIT in \(events)"); return
        }
        #expect(zip(tones, frequencies).allSatisfy { abs($0.frequency - $1) <= 13 }, "\(tones)")
    }

    @Test func threeBeepsOfTheWrongPitchesAreNotSIT() {
        var signal: [Double] = []
        for f in [600.0, 1_000, 1_400] { signal += Self.tone(f, dBFS: -18, seconds: 0.3) }
        signal += [Double](repeating: 0, count: 4_000)
        let events = Self.detect(signal)
        #expect(events.filter { if case .toneEnded = $0 { true } else { false } }.count == 3)
        #expect(!events.contains { if case .specialInformationTone = $0 { true } else { false } })
    }

    /// Speech, even loud and clean, is never taken for a beep.
    @Test(arguments: [40.0, 20])
    func speechIsNotABeep(snr: Double) throws {
        for (p, clip) in try SpeechCorpus.clips.get().enumerated() {
            let scene = SpeechCorpus.scene(clip, noise: .white, snr: snr, lead: 2_000, tail: 2_000, seed: UInt64(p))
            let events = Self.detect(scene.map(Double.init))
            #expect(events.isEmpty, "phrase \(p) (\(SpeechCorpus.phrases[p])): \(events)")
        }
    }

    /// A greeting followed by the beep: the beep, and only the beep, is found.
    @Test func greetingThenBeepFindsOnlyTheBeep() throws {
        let greeting = try SpeechCorpus.clips.get()[9]
        let signal = greeting.samples.map(Double.init) + [Double](repeating: 0, count: 1_600) + Self.tone(1_000, dBFS: -12, seconds: 0.5)
            + [Double](repeating: 0, count: 1_600)
        let ended = Self.detect(signal).compactMap { if case let .toneEnded(t) = $0 { t } else { nil } }
        #expect(ended.count == 1)
        #expect(abs((ended.first?.frequency ?? 0) - 1_000) <= 13)
    }

    @Test func wideband16kHzFramesWork() {
        var configuration = ToneDetector.Configuration()
        configuration.sampleRate = 16_000
        var detector = ToneDetector(configuration: configuration)
        let a = 32_768 * pow(10, -20.0 / 20)
        let samples = (0..<8_000).map { Int16((a * sin(2 * .pi * 1_400 * Double($0) / 16_000)).rounded()) } + [Int16](repeating: 0, count: 3_200)
        let events = PCMBuffer(sampleRate: 16_000, samples: samples).frames().compactMap { detector.process($0) }
        guard case let .toneEnded(tone)? = events.last else { Issue.record("\(events)"); return }
        #expect(abs(tone.frequency - 1_400) <= 13)
        #expect(abs(AudioTime.seconds(tone.duration) - 0.5) <= 0.04)
    }
}

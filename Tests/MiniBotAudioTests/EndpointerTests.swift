import Foundation
import MiniBotTestSupport
import Testing
@testable import MiniBotAudio

/// The endpointer as a state machine, on synthetic frames of known level.
@Suite struct EndpointerStateMachineTests {
    /// Frames of white noise at `dBFS` for `ms` milliseconds (a multiple of 20).
    static func noise(_ dBFS: Double, ms: Int, rng: inout SeededRandom) -> [AudioFrame] {
        let sigma = pow(10, dBFS / 20) * 32_768
        return (0..<(ms / 20)).map { _ in
            AudioFrame(samples: (0..<160).map { _ in Int16(clamping: Int((rng.gaussian() * sigma).rounded())) })
        }
    }

    static func run(_ frames: [AudioFrame], _ configuration: Endpointer.Configuration = .init()) -> [Endpointer.Event] {
        var endpointer = Endpointer(configuration: configuration)
        return frames.compactMap { endpointer.process($0) }
    }

    @Test func speechAfterNoiseStartsAndEndsOnTheRightFrames() {
        var rng = SeededRandom(seed: 1)
        let frames = Self.noise(-60, ms: 1_000, rng: &rng) + Self.noise(-25, ms: 800, rng: &rng) + Self.noise(-60, ms: 2_000, rng: &rng)
        let events = Self.run(frames)
        #expect(events == [.speechStarted(at: .milliseconds(1_000)),
                           .endOfTurn(speechStart: .milliseconds(1_000), speechEnd: .milliseconds(1_800))])
    }

    @Test func theTurnEndsExactlyAfterTheConfiguredSilence() {
        var rng = SeededRandom(seed: 2)
        let frames = Self.noise(-60, ms: 500, rng: &rng) + Self.noise(-25, ms: 500, rng: &rng) + Self.noise(-60, ms: 3_000, rng: &rng)
        var endpointer = Endpointer(configuration: .init(endOfTurnSilence: .milliseconds(1_500)))
        var endedAtFrame: Int?
        for (i, frame) in frames.enumerated() {
            if case .endOfTurn = endpointer.process(frame) { endedAtFrame = i; break }
        }
        // Speech is frames 25…49; the 75th silent frame (1.5 s) is frame 124.
        #expect(endedAtFrame == 49 + 75)
        #expect(endpointer.isFinished)
    }

    @Test func nothingSaidGivesNoSpeechAtTheTimeout() {
        var rng = SeededRandom(seed: 3)
        let events = Self.run(Self.noise(-50, ms: 8_000, rng: &rng), .init(noSpeechTimeout: .seconds(4)))
        #expect(events == [.noSpeech(at: .seconds(4))])
    }

    @Test(arguments: [20, 40, 60, 80])
    func clicksAndShortBurstsAreNotSpeech(burstMS: Int) {
        var rng = SeededRandom(seed: 4)
        var frames = Self.noise(-55, ms: 1_000, rng: &rng)
        for _ in 0..<3 { frames += Self.noise(-10, ms: burstMS, rng: &rng) + Self.noise(-55, ms: 600, rng: &rng) }
        frames += Self.noise(-55, ms: 3_000, rng: &rng)
        #expect(Self.run(frames, .init(noSpeechTimeout: .seconds(5))) == [.noSpeech(at: .seconds(5))])
    }

    @Test func aSteadilyNoisyLineIsNotSpeech() {
        // Hiss at −35 dBFS (a bad line) is the floor, not speech.
        var rng = SeededRandom(seed: 5)
        let frames = Self.noise(-35, ms: 6_000, rng: &rng)
        #expect(Self.run(frames, .init(noSpeechTimeout: .seconds(5))) == [.noSpeech(at: .seconds(5))])
    }

    @Test func aPauseShorterThanTheEndSilenceKeepsTheTurnOpen() {
        var rng = SeededRandom(seed: 6)
        let frames = Self.noise(-60, ms: 600, rng: &rng) + Self.noise(-25, ms: 400, rng: &rng)
            + Self.noise(-60, ms: 700, rng: &rng) + Self.noise(-25, ms: 400, rng: &rng) + Self.noise(-60, ms: 2_000, rng: &rng)
        let events = Self.run(frames, .init(endOfTurnSilence: .milliseconds(1_000)))
        #expect(events == [.speechStarted(at: .milliseconds(600)),
                           .endOfTurn(speechStart: .milliseconds(600), speechEnd: .milliseconds(2_100))])
    }

    @Test func aPauseIsReportedThenTheTurnEndsWithTheSameSpeech() {
        var rng = SeededRandom(seed: 6)
        let frames = Self.noise(-60, ms: 600, rng: &rng) + Self.noise(-25, ms: 400, rng: &rng) + Self.noise(-60, ms: 2_000, rng: &rng)
        var endpointer = Endpointer(configuration: .init(endOfTurnSilence: .milliseconds(1_000), provisionalSilence: .milliseconds(300)))
        var events: [(Int, Endpointer.Event)] = []
        for (i, frame) in frames.enumerated() { if let event = endpointer.process(frame) { events.append((i, event)) } }
        // Speech is frames 30…49, confirmed on its 5th frame (100 ms, backdated to 600 ms); the 15th
        // silent frame (300 ms) is frame 64, the 50th (1 s) frame 99.
        #expect(events.map(\.0) == [34, 64, 99])
        #expect(events.map(\.1) == [.speechStarted(at: .milliseconds(600)),
                                    .pause(speechStart: .milliseconds(600), speechEnd: .milliseconds(1_000)),
                                    .endOfTurn(speechStart: .milliseconds(600), speechEnd: .milliseconds(1_000))])
    }

    @Test func speechAfterAReportedPauseIsReportedAndEndsALaterTurn() {
        var rng = SeededRandom(seed: 6)
        let frames = Self.noise(-60, ms: 600, rng: &rng) + Self.noise(-25, ms: 400, rng: &rng)
            + Self.noise(-60, ms: 700, rng: &rng) + Self.noise(-25, ms: 400, rng: &rng) + Self.noise(-60, ms: 2_000, rng: &rng)
        let events = Self.run(frames, .init(endOfTurnSilence: .milliseconds(1_000), provisionalSilence: .milliseconds(300)))
        #expect(events == [.speechStarted(at: .milliseconds(600)),
                           .pause(speechStart: .milliseconds(600), speechEnd: .milliseconds(1_000)),
                           // Speech after a long gap counts on its 3rd frame (a click does not resume a turn).
                           .resumed(at: .milliseconds(1_740)),
                           .pause(speechStart: .milliseconds(600), speechEnd: .milliseconds(2_100)),
                           .endOfTurn(speechStart: .milliseconds(600), speechEnd: .milliseconds(2_100))])
    }

    @Test(arguments: [nil, 1_000, 1_500] as [Int?])
    func noPauseIsReportedUnlessShorterThanTheEndSilence(provisionalMS: Int?) {
        var rng = SeededRandom(seed: 6)
        let frames = Self.noise(-60, ms: 600, rng: &rng) + Self.noise(-25, ms: 400, rng: &rng) + Self.noise(-60, ms: 2_000, rng: &rng)
        let events = Self.run(frames, .init(endOfTurnSilence: .milliseconds(1_000), provisionalSilence: provisionalMS.map { .milliseconds($0) }))
        #expect(events == [.speechStarted(at: .milliseconds(600)),
                           .endOfTurn(speechStart: .milliseconds(600), speechEnd: .milliseconds(1_000))])
    }

    @Test func endlessSpeechHitsTheListenLimit() {
        var rng = SeededRandom(seed: 7)
        // Syllables (240 ms) with short gaps (80 ms), for 5 s: speech never pauses long enough.
        var frames = Self.noise(-60, ms: 400, rng: &rng)
        for _ in 0..<16 { frames += Self.noise(-25, ms: 240, rng: &rng) + Self.noise(-60, ms: 80, rng: &rng) }
        let events = Self.run(frames, .init(maximumListen: .seconds(3)))
        #expect(events == [.speechStarted(at: .milliseconds(400)),
                           .listenLimitReached(speechStart: .milliseconds(400), at: .seconds(3))])
    }

    @Test func framesAfterTheEndAreIgnored() {
        var rng = SeededRandom(seed: 8)
        var endpointer = Endpointer(configuration: .init(noSpeechTimeout: .seconds(1)))
        let events = (Self.noise(-60, ms: 1_000, rng: &rng) + Self.noise(-20, ms: 1_000, rng: &rng)).compactMap { endpointer.process($0) }
        #expect(events == [.noSpeech(at: .seconds(1))])
    }

    @Test func theScenarioTimingsMapOntoTheConfiguration() {
        let c = Endpointer.Configuration(maxSilenceSeconds: 4, waitBeforeStop: 1.2)
        #expect(c.noSpeechTimeout == .seconds(4))
        #expect(c.endOfTurnSilence == .milliseconds(1_200))
    }

    @Test func aWarmDetectorKeepsItsNoiseFloorAcrossTurns() {
        var rng = SeededRandom(seed: 9)
        var detector = VoiceActivityDetector()
        for frame in Self.noise(-42, ms: 1_000, rng: &rng) { _ = detector.analyse(frame) }
        #expect(abs(detector.noiseFloorDBFS - -42) <= 1.5)
        // Speech right at the start of listening is found at once, thanks to the warm floor.
        var endpointer = Endpointer(detector: detector)
        let events = (Self.noise(-20, ms: 600, rng: &rng) + Self.noise(-42, ms: 2_000, rng: &rng)).compactMap { endpointer.process($0) }
        #expect(events.first == .speechStarted(at: .zero))
    }
}

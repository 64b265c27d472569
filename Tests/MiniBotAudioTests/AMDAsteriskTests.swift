import Testing
@testable import MiniBotAudio

/// The Asterisk app_amd baseline on synthetic frames: each AMDCAUSE and each amd.conf setting.
@Suite struct AMDAsteriskTests {
    typealias Config = AsteriskAMD.Configuration

    func decide(_ signal: AMDSignal, _ configure: (inout Config) -> Void = { _ in }) -> AMDDecision {
        var config = Config()
        configure(&config)
        var detector = AsteriskAMD(configuration: config)
        let (decision, count) = run(&detector, signal)
        #expect(count == 1, "a detector decides exactly once, got \(count)")
        return decision!
    }

    @Test func theDefaultsAreThoseOfAmdConfSample() {
        let c = Config()
        #expect([c.initialSilence, c.greeting, c.afterGreetingSilence, c.totalAnalysisTime, c.minWordLength,
                 c.betweenWordsSilence, c.maximumNumberOfWords, c.silenceThreshold, c.maximumWordLength]
                == [Int]([2500, 1500, 800, 5000, 100, 50, 2, 256, 5000]))
    }

    @Test func initialSilenceIsAMachine() {
        let d = decide(AMDSignal())
        #expect(d == AMDDecision(result: .machine, decidedAt: .milliseconds(2_500), reason: "INITIALSILENCE-2500-2500"))
        #expect(ms(decide(AMDSignal()) { $0.initialSilence = 1_000 }.decidedAt) == 1_000)
    }

    @Test func silenceAfterAGreetingIsAPerson() {
        let s = AMDSignal().silence(300).voice(600)
        #expect(decide(s) == AMDDecision(result: .human, decidedAt: .milliseconds(1_700), reason: "HUMAN-800-800"))
        #expect(decide(s) { $0.afterGreetingSilence = 500 }.reason == "HUMAN-500-500")
    }

    @Test func voiceAddingUpToGreetingIsAMachine() {
        let s = AMDSignal().silence(200).voice(2_000)
        #expect(decide(s) == AMDDecision(result: .machine, decidedAt: .milliseconds(1_700), reason: "LONGGREETING-1500-1500"))
        #expect(decide(s) { $0.greeting = 1_000 }.reason == "LONGGREETING-1000-1000")
    }

    @Test func moreWordsThanMaximumNumberOfWordsIsAMachine() {
        let s = AMDSignal().silence(200).words(3, word: 200, gap: 100)
        #expect(decide(s) == AMDDecision(result: .machine, decidedAt: .milliseconds(900), reason: "MAXWORDS-3-2"))
        #expect(decide(s) { $0.maximumNumberOfWords = 3 }.result == .human)
    }

    @Test func oneWordOfMaximumWordLengthIsAMachine() {
        let s = AMDSignal().silence(200).voice(6_000)
        let d = decide(s) { $0.greeting = 10_000; $0.totalAnalysisTime = 10_000 }
        #expect(d == AMDDecision(result: .machine, decidedAt: .milliseconds(5_200), reason: "MAXWORDLENGTH-5000"))
        #expect(decide(s) { $0.greeting = 10_000; $0.maximumWordLength = 2_000 }.reason == "MAXWORDLENGTH-2000")
    }

    @Test func undecidedAtTotalAnalysisTimeIsNotSure() {
        let s = AMDSignal().silence(200).words(20, word: 200, gap: 500)
        let d = decide(s) { $0.maximumNumberOfWords = 100; $0.greeting = 100_000 }
        #expect(d == AMDDecision(result: .unknown, decidedAt: .milliseconds(5_000), reason: "TOOLONG-5000"))
        #expect(ms(decide(s) { $0.maximumNumberOfWords = 100; $0.greeting = 100_000; $0.totalAnalysisTime = 3_000 }.decidedAt) == 3_000)
    }

    @Test func framesBelowSilenceThresholdAreSilence() {
        let s = AMDSignal().silence(200).voice(600, dBFS: -43)                 // mean |sample| ≈ 185
        #expect(decide(s).reason == "INITIALSILENCE-2500-2500")
        #expect(decide(s) { $0.silenceThreshold = 128 }.reason == "HUMAN-800-800")
    }

    @Test func pausesShorterThanBetweenWordsSilenceDoNotSeparateWords() {
        let s = AMDSignal().silence(200).words(3, word: 200, gap: 40)
        #expect(decide(s).result == .human)                   // one word
        #expect(decide(s) { $0.betweenWordsSilence = 40 }.reason == "MAXWORDS-3-2")
    }

    @Test func soundsShorterThanMinWordLengthAreNotWords() {
        let s = AMDSignal().silence(200).words(4, word: 80, gap: 100)
        #expect(decide(s).result == .human)
        #expect(decide(s) { $0.minWordLength = 60 }.reason == "MAXWORDS-3-2")
    }
}

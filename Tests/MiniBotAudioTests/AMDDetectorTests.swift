import Foundation
import MiniBotCore
import Testing
@testable import MiniBotAudio

/// MiniBotPanel's detector on synthetic frames: each decision path and each threshold.
@Suite struct AMDDetectorTests {
    typealias Config = AnsweringMachineDetector.Configuration

    func decide(_ signal: AMDSignal, _ configure: (inout Config) -> Void = { _ in }) -> AMDDecision {
        var config = Config()
        configure(&config)
        var detector = AnsweringMachineDetector(configuration: config)
        let (decision, count) = run(&detector, signal)
        #expect(count == 1, "a detector decides exactly once, got \(count)")
        return decision!
    }

    @Test func aQuickAlloThenWaitingIsAPersonAfterTheAfterGreetingSilence() {
        let s = AMDSignal().silence(400).voice(400)
        let d = decide(s)
        #expect(d.result == .human)
        #expect(d.reason.hasPrefix("after-greeting-silence"))
        #expect(ms(d.decidedAt) == 800 + 900, "\(d)")
    }

    @Test(arguments: [600, 1_000])
    func afterGreetingSilenceIsTheWaitAfterAShortGreeting(silence: Int) {
        let s = AMDSignal().silence(200).voice(500)
        let d = decide(s) { $0.afterGreetingSilence = silence }
        #expect(d.result == .human)
        #expect(ms(d.decidedAt) == 700 + silence)
    }

    @Test func aLongerGreetingWaitsInProportionForABeep() {
        // A 3,800 ms greeting is half-way from short_greeting (1,500) to greeting (6,100):
        // the silence needed is half-way from 800 to 2,400 ms.
        let s = AMDSignal().silence(200).words(4, word: 800, gap: 200)
        let d = decide(s) { $0.greeting = 6_100; $0.afterLongGreetingSilence = 2_400; $0.shortGreeting = 1_500; $0.afterGreetingSilence = 800 }
        #expect(d.result == .human)
        #expect(ms(d.decidedAt) == 200 + 3_800 + 1_600, "\(d)")
    }

    @Test func shortGreetingBoundsWhatCountsAsShort() {
        let s = AMDSignal().silence(200).voice(1_400)
        #expect(ms(decide(s).decidedAt) == 1_600 + 900)
        #expect(ms(decide(s) { $0.shortGreeting = 1_000 }.decidedAt) > 1_600 + 900)
    }

    @Test func aShortVoicemailGreetingThenHalfASecondThenABeepIsAMachineBeforeTheBeepEnds() {
        let s = AMDSignal().silence(300).voice(2_300).silence(500).beep(400)
        let d = decide(s)
        #expect(d.result == .machine)
        #expect(d.reason.hasPrefix("beep 1000 Hz"), "\(d)")
        #expect(ms(d.decidedAt) == 300 + 2_300 + 500 + 120)
    }

    @Test(arguments: [100, 200])
    func beepMinimumDurationIsTheToneHeardBeforeDeciding(minimum: Int) {
        let s = AMDSignal().silence(300).beep(400, frequency: 440)
        let d = decide(s) { $0.beepMinimumDuration = minimum }
        #expect(d.result == .machine)
        #expect(ms(d.decidedAt) == 300 + minimum)
    }

    @Test func aGreetingLongerThanGreetingIsAMachineWhileItIsStillSpeaking() {
        let s = AMDSignal().silence(200).words(10, word: 700, gap: 200)
        let d = decide(s)
        #expect(d.result == .machine)
        #expect(d.reason.hasPrefix("long-greeting"))
        #expect(ms(d.decidedAt) == 200 + 5_000)               // 5 s after its first word, pauses included
        #expect(ms(decide(s) { $0.greeting = 3_000 }.decidedAt) == 200 + 3_000)
    }

    @Test func oneSoundLongerThanMaximumWordLengthIsAMachine() {
        let s = AMDSignal().silence(200).words(8, word: 600, gap: 100)     // 100 ms pauses: one sound
        let d = decide(s) { $0.greeting = 20_000 }
        #expect(d.result == .machine)
        #expect(d.reason.hasPrefix("max-word-length"))
        #expect(ms(d.decidedAt) == 200 + 4_000)
        #expect(ms(decide(s) { $0.greeting = 20_000; $0.maximumWordLength = 3_000 }.decidedAt) == 200 + 3_000)
    }

    @Test func moreWordsThanMaximumNumberOfWordsIsAMachine() {
        let s = AMDSignal().silence(200).words(5, word: 200, gap: 200)
        let d = decide(s) { $0.maximumNumberOfWords = 3 }
        #expect(d.result == .machine)
        #expect(d.reason == "max-words 4")
        #expect(ms(d.decidedAt) == 200 + 3 * 400 + 100)
        #expect(decide(s).result == .human)                    // 5 words are within the default
    }

    @Test func betweenWordsSilenceIsThePauseThatSeparatesWords() {
        let s = AMDSignal().silence(200).words(4, word: 300, gap: 100)
        #expect(decide(s) { $0.maximumNumberOfWords = 2 }.result == .human)   // 100 ms pauses: one word
        let split = decide(s) { $0.maximumNumberOfWords = 2; $0.betweenWordsSilence = 80 }
        #expect(split.result == .machine && split.reason == "max-words 3")
    }

    @Test func soundsShorterThanMinWordLengthAreNotAGreeting() {
        var s = AMDSignal()
        for _ in 0..<6 { s = s.silence(440).voice(60) }
        let clicks = decide(s)
        #expect(clicks.result == .unknown && clicks.reason.hasPrefix("initial-silence"))
        #expect(decide(s) { $0.minWordLength = 60 }.result == .human)
    }

    @Test func nothingSaidForInitialSilenceIsUnknown() {
        let d = decide(AMDSignal())
        #expect(d.result == .unknown)
        #expect(d.reason.hasPrefix("initial-silence"))
        #expect(ms(d.decidedAt) == 2_500)
        #expect(ms(decide(AMDSignal()) { $0.initialSilence = 4_000 }.decidedAt) == 4_000)
    }

    @Test func speechQuieterThanSilenceThresholdIsSilence() {
        let s = AMDSignal().silence(300, dBFS: -90).voice(400, dBFS: -58).silence(3_000, dBFS: -90)   // mean |sample| ≈ 33
        #expect(decide(s).result == .unknown)                 // below the default 64
        #expect(decide(s) { $0.silenceThreshold = 10 }.result == .human)
    }

    @Test func undecidedAtTotalAnalysisTimeIsUnknown() {
        let s = AMDSignal().silence(200).words(20, word: 300, gap: 500)
        let d = decide(s) { $0.totalAnalysisTime = 3_000; $0.afterGreetingSilence = 1_000; $0.maximumNumberOfWords = 100 }
        #expect(d.result == .unknown)
        #expect(d.reason.hasPrefix("total-analysis-time"))
        #expect(ms(d.decidedAt) == 3_000)
    }

    @Test func aTranscriptIsAskedForAfterEnoughSpeechAndAPause() {
        var detector = AnsweringMachineDetector()
        let s = AMDSignal().silence(400).voice(500)
        for f in s.frames { _ = detector.process(f) }
        #expect(!detector.wantsGreetingTranscript)            // 500 ms < transcript_minimum_speech
        let more = AMDSignal().silence(300).voice(400).silence(160)
        for f in more.frames { _ = detector.process(f) }
        #expect(detector.wantsGreetingTranscript)
        let expected: Range<Duration> = .milliseconds(200) ..< .milliseconds(1_800)
        #expect(detector.greetingTranscriptSpan == expected)
    }

    @Test(arguments: ["Bonjour, vous êtes sur le RÉPONDEUR de Paul", "laissez-moi un message", "Apres le bip.",
                      "vous êtes bien sur la messagerie vocale du 06"])
    func aVoicemailPhraseInTheTranscriptIsAMachineAtOnce(text: String) {
        var detector = AnsweringMachineDetector()
        let s = AMDSignal().silence(300).voice(1_500).silence(200)
        for f in s.frames { #expect(detector.process(f) == nil) }
        let d = detector.transcript(text)
        #expect(d?.result == .machine)
        #expect(d?.reason.hasPrefix("keyword") == true)
        #expect(d.map { ms($0.decidedAt) } == 2_000)
        #expect(detector.process(.silence()) == nil && detector.transcript(text) == nil && !detector.wantsGreetingTranscript)
    }

    @Test func aTranscriptWithoutAVoicemailPhraseChangesNothing() {
        let s = AMDSignal().silence(200).words(6, word: 500, gap: 100).silence(900)
        var detector = AnsweringMachineDetector()
        for f in s.frames { #expect(detector.process(f) == nil) }  // a 3.5 s greeting waits more than 900 ms
        #expect(detector.transcript("Oui bonjour, c'est Marie Dupont de la société Martin, je vous écoute") == nil)
        #expect(detector.transcript("Mes sages, en habit") == nil)   // phrases match at word starts only
        let (d, _) = run(&detector, AMDSignal())
        // 900 + 1,100 × 2,000 / 3,500 = 1,528 ms of silence (1,520 in whole frames), transcript or not.
        #expect(d?.result == .human)
        #expect(d.map { ms($0.decidedAt) } == 200 + 3_500 + 1_520)
    }

    @Test("While the transcript of a sentence-long greeting is being made, the person is decided when it comes back, not before")
    func aLongGreetingWaitsForItsTranscript() {
        let s = AMDSignal().silence(200).words(6, word: 500, gap: 100).silence(160)
        var detector = AnsweringMachineDetector()
        for f in s.frames { #expect(detector.process(f) == nil) }
        let span = detector.takeGreetingTranscriptSpan()
        #expect(span != nil && detector.takeGreetingTranscriptSpan() == nil)   // once per span
        // 1,480 ms of silence would decide it; the transcript is still being made.
        for f in AMDSignal().silence(1_500).frames { #expect(detector.process(f) == nil) }
        let d = detector.transcript("Oui bonjour, c'est Marie Dupont de la société Martin, je vous écoute")
        #expect(d?.result == .human)
        #expect(d?.reason.hasSuffix("whose transcript has no voicemail phrase") == true)
        #expect(d.map { ms($0.decidedAt) } == 200 + 3_500 + 160 + 1_500)
    }

    @Test("A voicemail without a beep, whose transcript comes 2 s after its greeting, is a machine")
    func aSlowTranscriptStillCatchesAVoicemailWithoutABeep() {
        let s = AMDSignal().silence(200).words(6, word: 500, gap: 100).silence(160)
        var detector = AnsweringMachineDetector()
        for f in s.frames { _ = detector.process(f) }
        #expect(detector.takeGreetingTranscriptSpan() != nil)
        for f in AMDSignal().silence(1_840).frames { #expect(detector.process(f) == nil) }
        #expect(detector.transcript("Vous êtes bien sur la messagerie de Julien")?.result == .machine)
    }

    @Test("The wait is bounded by transcript_wait, and a failed transcription (empty text) ends it")
    func theWaitForATranscriptIsBounded() {
        let greeting = AMDSignal().silence(200).words(6, word: 500, gap: 100).silence(160)
        var detector = AnsweringMachineDetector()
        for f in greeting.frames { _ = detector.process(f) }
        _ = detector.takeGreetingTranscriptSpan()
        let (d, _) = run(&detector, AMDSignal())
        // 1,520 ms of silence plus transcript_wait 1,500 ms.
        #expect(d?.result == .human)
        #expect(d.map { ms($0.decidedAt) } == 200 + 3_500 + 1_520 + 1_500)

        var failed = AnsweringMachineDetector()
        for f in greeting.frames { _ = failed.process(f) }
        _ = failed.takeGreetingTranscriptSpan()
        for f in AMDSignal().silence(400).frames { _ = failed.process(f) }
        #expect(failed.transcript("") == nil)                  // not yet the usual silence
        let (late, _) = run(&failed, AMDSignal())
        #expect(late.map { ms($0.decidedAt) } == 200 + 3_500 + 1_520)
    }

    @Test("A person still waiting for their transcript at the total analysis time is a person, not unknown")
    func theWaitEndsAsAPersonAtTheTotalAnalysisTime() {
        var detector = AnsweringMachineDetector()
        // A 4 s sentence from 1.5 s: 1,660 ms of silence are needed, plus up to 1,500 for the transcript,
        // which would run past the 8 s of analysis.
        for f in AMDSignal().silence(1_500).words(6, word: 500, gap: 200).silence(160).frames { #expect(detector.process(f) == nil) }
        #expect(detector.takeGreetingTranscriptSpan() != nil)
        let (d, _) = run(&detector, AMDSignal())
        #expect(d?.result == .human)
        #expect(d?.reason.hasSuffix("no transcript by the total analysis time") == true, "\(d?.reason ?? "nil")")
        #expect(d.map { ms($0.decidedAt) } == 8_000)
    }

    @Test("A short greeting (\"Allô ?\") never waits for a transcript")
    func aShortGreetingDoesNotWait() {
        var detector = AnsweringMachineDetector()
        for f in AMDSignal().silence(300).voice(700).silence(160).frames { _ = detector.process(f) }
        #expect(detector.takeGreetingTranscriptSpan() != nil)
        let (d, _) = run(&detector, AMDSignal())
        #expect(d?.result == .human)
        #expect(d.map { ms($0.decidedAt) } == 300 + 700 + 900)
    }

    @Test func badSettingsAreNamed() {
        #expect(MiniBotConfig.AMD().problems.isEmpty)
        var settings = MiniBotConfig.AMD()
        settings.greeting = 0
        settings.shortGreeting = 6_000
        settings.afterLongGreetingSilence = 100
        settings.silenceThreshold = 40_000
        settings.transcriptWait = -1
        settings.keywords = ["bip", " "]
        #expect(settings.problems == [
            "amd.greeting must be a positive number of milliseconds, not 0",
            "amd.transcript_wait must be 0 or more milliseconds, not -1",
            "amd.after_long_greeting_silence (100 ms) must be at least amd.after_greeting_silence (900 ms)",
            "amd.silence_threshold must be a mean sample value between 0 and 32767, not 40000",
            "amd.keywords has an empty phrase, which would match every transcript",
        ])
        settings = MiniBotConfig.AMD(greeting: 1_000, shortGreeting: 1_500)
        #expect(settings.problems == ["amd.short_greeting (1500 ms) must be shorter than amd.greeting (1000 ms)"])
    }

    @Test func aStemFindsTheWordsItBegins() {
        var detector = AnsweringMachineDetector()
        for f in AMDSignal().silence(200).voice(1_000).silence(200).frames { _ = detector.process(f) }
        #expect(detector.transcript("Messageerie de Sophie, parlez après le billet.")?.reason == "keyword \"message\"")
    }

    @Test func theConfigurationComesFromTheAMDSettings() {
        let settings = MiniBotConfig.AMD(initialSilence: 1, greeting: 2, afterGreetingSilence: 3, afterLongGreetingSilence: 4,
                                         shortGreeting: 5, totalAnalysisTime: 6, minWordLength: 7, betweenWordsSilence: 8,
                                         maximumNumberOfWords: 9, silenceThreshold: 10, maximumWordLength: 11,
                                         beepMinimumDuration: 12, transcriptMinimumSpeech: 13, transcriptWait: 14, keywords: ["bip"])
        let c = Config(settings)
        #expect([c.initialSilence, c.greeting, c.afterGreetingSilence, c.afterLongGreetingSilence, c.shortGreeting,
                 c.totalAnalysisTime, c.minWordLength, c.betweenWordsSilence, c.maximumNumberOfWords, c.silenceThreshold,
                 c.maximumWordLength, c.beepMinimumDuration, c.transcriptMinimumSpeech, c.transcriptWait] == Array(1...14))
        #expect(c.keywords == ["bip"])
        #expect(Config() == Config(MiniBotConfig.AMD()))
        let a = AsteriskAMD.Configuration(settings)
        #expect([a.initialSilence, a.greeting, a.afterGreetingSilence, a.totalAnalysisTime, a.minWordLength,
                 a.betweenWordsSilence, a.maximumNumberOfWords, a.silenceThreshold, a.maximumWordLength] == [Int]([1, 2, 3, 6, 7, 8, 9, 10, 11]))
    }

    @Test func theSettingsDecodeFromAmdConfNames() throws {
        let json = #"{"initial_silence":3000,"greeting":4000,"after_greeting_silence":700,"after_long_greeting_silence":1800,"#
            + #""short_greeting":1200,"total_analysis_time":7000,"min_word_length":120,"between_words_silence":100,"#
            + #""maximum_number_of_words":8,"silence_threshold":128,"maximum_word_length":3500,"beep_minimum_duration":100,"#
            + #""transcript_minimum_speech":500,"transcript_wait":1000,"keywords":["répondeur"]}"#
        let settings = try JSONDecoder().decode(MiniBotConfig.AMD.self, from: Data(json.utf8))
        #expect(settings == MiniBotConfig.AMD(initialSilence: 3000, greeting: 4000, afterGreetingSilence: 700,
                                              afterLongGreetingSilence: 1800, shortGreeting: 1200, totalAnalysisTime: 7000,
                                              minWordLength: 120, betweenWordsSilence: 100, maximumNumberOfWords: 8,
                                              silenceThreshold: 128, maximumWordLength: 3500, beepMinimumDuration: 100,
                                              transcriptMinimumSpeech: 500, transcriptWait: 1000, keywords: ["répondeur"]))
        let encoded = try JSONEncoder().encode(MiniBotConfig.AMD())
        #expect(try JSONDecoder().decode(MiniBotConfig.AMD.self, from: encoded) == MiniBotConfig.AMD())
    }
}

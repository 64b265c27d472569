import MiniBotCore

/// The baseline: Asterisk's `AMD()` application (app_amd) as its
/// documentation and `amd.conf.sample` describe it, on 20 ms frames.
///
/// A frame is silence when the mean absolute value of its samples is below
/// `silenceThreshold`. Runs of voice longer than `minWordLength` that follow
/// at least `betweenWordsSilence` of silence are words. The result is
/// - MACHINE `INITIALSILENCE` when nothing is said for `initialSilence`;
/// - HUMAN `HUMAN` when, once a greeting has begun, silence lasts `afterGreetingSilence`;
/// - MACHINE `LONGGREETING` when the greeting's voice adds up to `greeting`;
/// - MACHINE `MAXWORDS` when there are more than `maximumNumberOfWords` words;
/// - MACHINE `MAXWORDLENGTH` when one run of voice lasts `maximumWordLength`;
/// - NOTSURE (`unknown`) `TOOLONG` when `totalAnalysisTime` passes undecided.
/// The reason is Asterisk's AMDCAUSE with its figures (`HUMAN-800-800`).
public struct AsteriskAMD: AMDStreamingDetector {
    /// The settings of `amd.conf`, in milliseconds; the defaults are those of `amd.conf.sample`.
    public struct Configuration: Sendable, Equatable {
        public var initialSilence: Int
        public var greeting: Int
        public var afterGreetingSilence: Int
        public var totalAnalysisTime: Int
        public var minWordLength: Int
        public var betweenWordsSilence: Int
        public var maximumNumberOfWords: Int
        public var silenceThreshold: Int
        public var maximumWordLength: Int

        public init(initialSilence: Int = 2500, greeting: Int = 1500, afterGreetingSilence: Int = 800,
                    totalAnalysisTime: Int = 5000, minWordLength: Int = 100, betweenWordsSilence: Int = 50,
                    maximumNumberOfWords: Int = 2, silenceThreshold: Int = 256, maximumWordLength: Int = 5000) {
            self.initialSilence = initialSilence
            self.greeting = greeting
            self.afterGreetingSilence = afterGreetingSilence
            self.totalAnalysisTime = totalAnalysisTime
            self.minWordLength = minWordLength
            self.betweenWordsSilence = betweenWordsSilence
            self.maximumNumberOfWords = maximumNumberOfWords
            self.silenceThreshold = silenceThreshold
            self.maximumWordLength = maximumWordLength
        }
    }

    public let configuration: Configuration
    private var elapsed = 0              // ms fed
    private var silence = 0              // ms of consecutive silence
    private var consecutiveVoice = 0     // ms of the current run of voice
    private var voice = 0                // ms of voice in all
    private var words = 0
    private var inWord = true            // a word is not counted until silence has come first
    private var inInitialSilence = true
    private var inGreeting = false
    private var decided = false

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    public mutating func process(_ frame: AudioFrame) -> AMDDecision? {
        guard !decided else { return nil }
        let c = configuration
        let ms = frame.samples.count * 1000 / frame.sampleRate
        elapsed += ms
        if elapsed >= c.totalAnalysisTime {
            return decide(.unknown, "TOOLONG-\(elapsed)")
        }
        var magnitude = 0
        for s in frame.samples { magnitude += abs(Int(s)) }
        if magnitude / max(1, frame.samples.count) < c.silenceThreshold {
            silence += ms
            if silence >= c.betweenWordsSilence {
                inWord = false
                consecutiveVoice = 0
            }
            if inInitialSilence && silence >= c.initialSilence {
                return decide(.machine, "INITIALSILENCE-\(silence)-\(c.initialSilence)")
            }
            if inGreeting && silence >= c.afterGreetingSilence {
                return decide(.human, "HUMAN-\(silence)-\(c.afterGreetingSilence)")
            }
        } else {
            silence = 0
            consecutiveVoice += ms
            voice += ms
            if consecutiveVoice >= c.minWordLength && !inWord {
                words += 1
                inWord = true
            }
            if consecutiveVoice >= c.maximumWordLength {
                return decide(.machine, "MAXWORDLENGTH-\(consecutiveVoice)")
            }
            if words > c.maximumNumberOfWords {
                return decide(.machine, "MAXWORDS-\(words)-\(c.maximumNumberOfWords)")
            }
            if inGreeting && voice >= c.greeting {
                return decide(.machine, "LONGGREETING-\(voice)-\(c.greeting)")
            }
            if voice >= c.minWordLength {
                inInitialSilence = false
                inGreeting = true
            }
        }
        return nil
    }

    private mutating func decide(_ result: AMDResult, _ reason: String) -> AMDDecision {
        decided = true
        return AMDDecision(result: result, decidedAt: .milliseconds(elapsed), reason: reason)
    }
}

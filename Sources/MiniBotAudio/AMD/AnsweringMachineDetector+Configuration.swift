import MiniBotCore

extension AnsweringMachineDetector {
    /// Thresholds, in milliseconds. Names follow Asterisk's `amd.conf` where
    /// the meaning is the same; see ``MiniBotConfig/AMD`` for each one.
    public struct Configuration: Sendable, Equatable {
        /// Silence before anything is said after which the result is `unknown`.
        public var initialSilence: Int
        /// Length of a greeting, from its first word, pauses included, beyond which it is a machine's.
        public var greeting: Int
        /// Silence after a short greeting that makes it a person.
        public var afterGreetingSilence: Int
        /// Silence after a greeting of `greeting` ms that makes it a person (in between: in proportion).
        public var afterLongGreetingSilence: Int
        /// Length up to which a greeting is short.
        public var shortGreeting: Int
        /// Longest analysis; undecided by then, `unknown`.
        public var totalAnalysisTime: Int
        /// Shortest sound that counts as a word.
        public var minWordLength: Int
        /// Silence that separates two words.
        public var betweenWordsSilence: Int
        /// More words than this make the greeting a machine's.
        public var maximumNumberOfWords: Int
        /// Mean absolute sample value below which a frame is silence whatever the noise floor.
        public var silenceThreshold: Int
        /// Longest single sound without a pause before it is a machine.
        public var maximumWordLength: Int
        /// Shortest steady tone that is a voicemail beep.
        public var beepMinimumDuration: Int
        /// Voiced speech before a transcript of the greeting is asked for.
        public var transcriptMinimumSpeech: Int
        /// Extra silence a greeting longer than `shortGreeting` waits for its transcript, while one is being made.
        public var transcriptWait: Int
        /// Phrases that mark a voicemail greeting's transcript (accents and case ignored, matched at word starts).
        public var keywords: [String]

        /// The defaults of ``MiniBotConfig/AMD``.
        public init() { self.init(MiniBotConfig.AMD()) }

        /// The detector's configuration from the `amd:` section of the configuration file.
        public init(_ settings: MiniBotConfig.AMD) {
            initialSilence = settings.initialSilence
            greeting = settings.greeting
            afterGreetingSilence = settings.afterGreetingSilence
            afterLongGreetingSilence = settings.afterLongGreetingSilence
            shortGreeting = settings.shortGreeting
            totalAnalysisTime = settings.totalAnalysisTime
            minWordLength = settings.minWordLength
            betweenWordsSilence = settings.betweenWordsSilence
            maximumNumberOfWords = settings.maximumNumberOfWords
            silenceThreshold = settings.silenceThreshold
            maximumWordLength = settings.maximumWordLength
            beepMinimumDuration = settings.beepMinimumDuration
            transcriptMinimumSpeech = settings.transcriptMinimumSpeech
            transcriptWait = settings.transcriptWait
            keywords = settings.keywords
        }
    }
}

extension AsteriskAMD.Configuration {
    /// The amd.conf-named settings of the `amd:` section, for running the
    /// baseline with the same figures (ours-only settings are ignored).
    public init(_ settings: MiniBotConfig.AMD) {
        self.init(initialSilence: settings.initialSilence, greeting: settings.greeting,
                  afterGreetingSilence: settings.afterGreetingSilence, totalAnalysisTime: settings.totalAnalysisTime,
                  minWordLength: settings.minWordLength, betweenWordsSilence: settings.betweenWordsSilence,
                  maximumNumberOfWords: settings.maximumNumberOfWords, silenceThreshold: settings.silenceThreshold,
                  maximumWordLength: settings.maximumWordLength)
    }
}

import Foundation

extension MiniBotConfig {
    /// Answering-machine detection: the `amd:` section of the configuration file.
    ///
    /// Times are milliseconds. Where a setting means what it means in Asterisk's
    /// `amd.conf`, it has that name; the defaults are MiniBotPanel's (better than
    /// `amd.conf.sample`'s on the AMD corpus, see docs/BENCHMARKS.md). The audio
    /// module turns this into its detector's configuration.
    public struct AMD: Codable, Sendable, Equatable {
        /// Silence before anything is said after which the result is `unknown` (Asterisk: MACHINE).
        public var initialSilence: Int
        /// Length of a greeting, from its first word, pauses included, beyond which it is a machine's.
        public var greeting: Int
        /// Silence after a short greeting (up to ``shortGreeting``) that makes it a person. 900 ms,
        /// not Asterisk's 800: a voicemail's "Laurent." or "Bienvenue chez Dubois." is often followed
        /// by a sentence pause of 800–900 ms before "Laissez un message" (docs/BENCHMARKS.md).
        public var afterGreetingSilence: Int
        /// Silence after a greeting of ``greeting`` ms that makes it a person; greetings in
        /// between wait in proportion, giving a voicemail's beep time to come.
        public var afterLongGreetingSilence: Int
        /// Length up to which a greeting counts as short ("Allô ?", "Oui, bonjour").
        public var shortGreeting: Int
        /// Longest analysis; undecided by then, the result is `unknown`.
        public var totalAnalysisTime: Int
        /// Shortest sound that counts as a word.
        public var minWordLength: Int
        /// Silence that separates two words.
        public var betweenWordsSilence: Int
        /// More words than this in the greeting make it a machine's.
        public var maximumNumberOfWords: Int
        /// Mean absolute sample value (0…32767) below which a frame is silence whatever the line's noise.
        public var silenceThreshold: Int
        /// Longest single sound without a pause; longer is a machine (music, a tone, a recording).
        public var maximumWordLength: Int
        /// Shortest steady tone that counts as a voicemail beep.
        public var beepMinimumDuration: Int
        /// Speech heard before a transcript of the greeting is asked for (when a recogniser is configured).
        public var transcriptMinimumSpeech: Int
        /// While the transcript of a greeting longer than ``shortGreeting`` is being made, how much longer
        /// than the usual silence after it the detector waits for that transcript before calling the
        /// greeting a person's (a voicemail greeting without a beep sounds like a person who said a sentence
        /// and waits; its words tell them apart). 0: never wait for a transcript.
        public var transcriptWait: Int
        /// Words or phrases that mark a voicemail greeting's transcript (accents and case ignored, matched at word starts).
        public var keywords: [String]

        public init(initialSilence: Int = 2500, greeting: Int = 5000, afterGreetingSilence: Int = 900,
                    afterLongGreetingSilence: Int = 2000, shortGreeting: Int = 1500, totalAnalysisTime: Int = 8000,
                    minWordLength: Int = 100, betweenWordsSilence: Int = 150, maximumNumberOfWords: Int = 12,
                    silenceThreshold: Int = 64, maximumWordLength: Int = 4000, beepMinimumDuration: Int = 120,
                    transcriptMinimumSpeech: Int = 600, transcriptWait: Int = 1500, keywords: [String] = AMD.defaultKeywords) {
            self.initialSilence = initialSilence
            self.greeting = greeting
            self.afterGreetingSilence = afterGreetingSilence
            self.afterLongGreetingSilence = afterLongGreetingSilence
            self.shortGreeting = shortGreeting
            self.totalAnalysisTime = totalAnalysisTime
            self.minWordLength = minWordLength
            self.betweenWordsSilence = betweenWordsSilence
            self.maximumNumberOfWords = maximumNumberOfWords
            self.silenceThreshold = silenceThreshold
            self.maximumWordLength = maximumWordLength
            self.beepMinimumDuration = beepMinimumDuration
            self.transcriptMinimumSpeech = transcriptMinimumSpeech
            self.transcriptWait = transcriptWait
            self.keywords = keywords
        }

        /// Phrases of French voicemail greetings that a person answering the
        /// phone does not say. Each matches at the start of a word, so the stems
        /// "message" and "bip" also catch "messagerie", "messages" and a
        /// recogniser's near misses ("messageerie").
        public static let defaultKeywords = [
            "messagerie", "répondeur", "boîte vocale", "laissez un message", "après le bip", "pas disponible",
            "indisponible", "pas joignable", "votre correspondant", "signal sonore", "message", "bip",
        ]

        enum CodingKeys: String, CodingKey {
            case greeting, keywords
            case initialSilence = "initial_silence", afterGreetingSilence = "after_greeting_silence"
            case afterLongGreetingSilence = "after_long_greeting_silence", shortGreeting = "short_greeting"
            case totalAnalysisTime = "total_analysis_time", minWordLength = "min_word_length"
            case betweenWordsSilence = "between_words_silence", maximumNumberOfWords = "maximum_number_of_words"
            case silenceThreshold = "silence_threshold", maximumWordLength = "maximum_word_length"
            case beepMinimumDuration = "beep_minimum_duration", transcriptMinimumSpeech = "transcript_minimum_speech"
            case transcriptWait = "transcript_wait"
        }

        /// What is wrong with these settings, one sentence each, named as in the file (`amd.greeting`…).
        public var problems: [String] {
            var problems: [String] = []
            let positive = [("initial_silence", initialSilence), ("greeting", greeting), ("short_greeting", shortGreeting),
                            ("total_analysis_time", totalAnalysisTime), ("min_word_length", minWordLength),
                            ("between_words_silence", betweenWordsSilence), ("maximum_word_length", maximumWordLength),
                            ("beep_minimum_duration", beepMinimumDuration), ("after_greeting_silence", afterGreetingSilence)]
            for (name, value) in positive where value <= 0 {
                problems.append("amd.\(name) must be a positive number of milliseconds, not \(value)")
            }
            for (name, value) in [("transcript_minimum_speech", transcriptMinimumSpeech), ("transcript_wait", transcriptWait)] where value < 0 {
                problems.append("amd.\(name) must be 0 or more milliseconds, not \(value)")
            }
            if shortGreeting > 0, greeting > 0, shortGreeting >= greeting {
                problems.append("amd.short_greeting (\(shortGreeting) ms) must be shorter than amd.greeting (\(greeting) ms)")
            }
            if afterLongGreetingSilence < afterGreetingSilence {
                problems.append("amd.after_long_greeting_silence (\(afterLongGreetingSilence) ms) must be at least amd.after_greeting_silence (\(afterGreetingSilence) ms)")
            }
            if maximumNumberOfWords < 1 { problems.append("amd.maximum_number_of_words must be at least 1, not \(maximumNumberOfWords)") }
            if !(0...32_767).contains(silenceThreshold) {
                problems.append("amd.silence_threshold must be a mean sample value between 0 and 32767, not \(silenceThreshold)")
            }
            if keywords.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                problems.append("amd.keywords has an empty phrase, which would match every transcript")
            }
            return problems
        }
    }
}

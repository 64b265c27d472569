/// What the callee meant by one answer, as the scenario's transitions name it.
public enum Intent: String, Codable, Sendable, CaseIterable {
    /// Yes, agreed, interested ("oui", "pourquoi pas", "je ne suis pas contre").
    case positive
    /// No, not interested ("non merci", "pas intéressé", "oui mais non").
    case negative
    /// Undecided or unclear ("je sais pas", "peut-être", "bof", nothing heard).
    case neutral
    /// The callee asks something ("c'est qui", "comment vous avez eu mon numéro").
    case question
    /// Not now: call again later ("je suis en réunion", "rappelez demain").
    case callback
    /// Never call again ("ne m'appelez plus", "je suis sur Bloctel"): a compliance event.
    case optOut = "opt_out"
}

/// The classifier's answer for one utterance.
public struct IntentResult: Sendable, Equatable, Codable {
    /// The winning intent.
    public var intent: Intent
    /// How sure the classifier is, in 0...1 (a softmax over the intents' scores).
    public var confidence: Double

    public init(intent: Intent, confidence: Double) {
        self.intent = intent
        self.confidence = confidence
    }
}

/// Why the classifier decided what it did: for tuning a lexicon (`minibot intent --explain`).
public struct IntentExplanation: Sendable, Equatable {
    /// One cue of the lexicon that matched the utterance.
    public struct Cue: Sendable, Equatable {
        /// The pattern as written in the lexicon.
        public var pattern: String
        /// The words of the utterance it matched.
        public var matched: String
        /// The intent it counted for (after negation).
        public var intent: Intent
        /// Its weight after negation, position and contrast factors.
        public var weight: Double
        /// True when a negation ("pas", "jamais", …) turned the cue around.
        public var negated: Bool
    }

    /// The utterance's words after normalisation, as the cues see them.
    public var tokens: [String]
    /// The cues that matched, in order.
    public var cues: [Cue]
    /// A contribution that is not a cue: "?", an inversion, a negation with nothing to turn around, the neutral baseline.
    public struct Signal: Sendable, Equatable {
        public var name: String
        public var intent: Intent
        public var weight: Double
    }

    /// The signals that added to the scores.
    public var signals: [Signal]
    /// Each intent's total score.
    public var scores: [Intent: Double]
    /// The decision.
    public var result: IntentResult
}

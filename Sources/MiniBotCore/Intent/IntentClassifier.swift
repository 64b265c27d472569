import Foundation

/// Classifies one French answer into an `Intent` with a confidence.
///
/// The steps, each driven by the lexicon's data:
/// 1. normalise and split into words (`IntentTokenizer`);
/// 2. find the lexicon's patterns, longest first, left to right (`IntentPatternTrie`);
/// 3. apply negation: a "pas", "jamais", … turns around the cues within a few words
///    of it in its clause ("je ne suis pas contre" → positive); one that turns nothing
///    around counts on its own ("absolument pas", "pas du tout" → negative);
/// 4. weigh: cues after a contrast ("mais") count more, cues before it less ("oui mais non");
///    a cue may count less in the middle of a clause than at its start or end
///    (interrogative words); "?" and "pouvez-vous" add to `question`;
/// 5. decide: the highest score wins (neutral starts from a baseline, so weak or no
///    evidence is neutral); the confidence is a softmax over the scores.
public struct IntentClassifier: Sendable {
    public let lexicon: IntentLexicon
    private let tokenizer: IntentTokenizer

    public init(lexicon: IntentLexicon = .default) {
        self.lexicon = lexicon
        self.tokenizer = IntentTokenizer(tables: lexicon.tables)
    }

    public func classify(_ text: String) -> IntentResult {
        var scores = Scores()
        var trace: Trace?
        evaluate(text, into: &scores, trace: &trace)
        return decide(scores)
    }

    /// The decision with the cues and signals that led to it.
    public func explain(_ text: String) -> IntentExplanation {
        var scores = Scores()
        var traced: Trace? = Trace()
        evaluate(text, into: &scores, trace: &traced)
        let trace = traced!
        var byIntent: [Intent: Double] = [:]
        for intent in Intent.allCases { byIntent[intent] = scores[intent] }
        return IntentExplanation(
            tokens: trace.tokens, cues: trace.cues,
            signals: trace.signals, scores: byIntent, result: decide(scores))
    }

    // MARK: - Scoring

    /// Each intent's score (fixed fields: no allocation per utterance).
    private struct Scores {
        var positive = 0.0, negative = 0.0, neutral = 0.0, question = 0.0, callback = 0.0, optOut = 0.0
        subscript(intent: Intent) -> Double {
            get {
                switch intent {
                case .positive: positive
                case .negative: negative
                case .neutral: neutral
                case .question: question
                case .callback: callback
                case .optOut: optOut
                }
            }
            set {
                switch intent {
                case .positive: positive = newValue
                case .negative: negative = newValue
                case .neutral: neutral = newValue
                case .question: question = newValue
                case .callback: callback = newValue
                case .optOut: optOut = newValue
                }
            }
        }
    }

    /// What the classifier knows of one word: the cue it is part of and its segment.
    private struct Slot {
        var match = -1
        var segment = 0
    }

    private struct FoundCue {
        var match: IntentPatternTrie.Match
        var negated = false
    }

    private struct Trace {
        var tokens: [String] = []
        var cues: [IntentExplanation.Cue] = []
        var signals: [IntentExplanation.Signal] = []
    }

    private func evaluate(_ text: String, into scores: inout Scores, trace: inout Trace?) {
        let tables = lexicon.tables
        let utterance = tokenizer.tokenize(text)
        let tokens = utterance.tokens
        trace?.tokens = tokens.map(\.text)
        let count = tokens.count

        // Patterns, longest first, left to right; matched words are not negators any more.
        var slots = [Slot](repeating: Slot(), count: count)
        var matches: [FoundCue] = []
        var i = 0
        while i < count {
            if let match = tables.trie.longestMatch(in: tokens, from: i) {
                for k in match.start...match.end { slots[k].match = matches.count }
                matches.append(FoundCue(match: match))
                i = match.end + 1
            } else {
                i += 1
            }
        }

        // Segments: clauses, further split at contrast markers ("mais").
        var lastContrast: (start: Int, end: Int)?
        var current = 0
        i = 0
        while i < count {
            if i > 0, tokens[i].clause != tokens[i - 1].clause { current += 1 }
            if slots[i].match < 0, let length = contrastLength(tokens, at: i) {
                current += 1
                lastContrast = (i, i + length - 1)
                for k in i..<(i + length) { slots[k].segment = current }
                i += length
                current += 1
                continue
            }
            slots[i].segment = current
            i += 1
        }
        func contrastFactor(_ start: Int, _ end: Int) -> Double {
            guard let contrast = lastContrast else { return 1 }
            if end < contrast.start { return tables.contrastBefore }
            if start > contrast.end { return tables.contrastAfter }
            return 1
        }

        // Negation scopes.
        for n in 0..<count where slots[n].match < 0 && tokens[n].isNegator {
            // In each direction the negation reaches the nearest cue within its scope, if any;
            // it turns that cue around if the cue says how ("when_negated").
            var turned = false
            func reach(_ k: Int) -> Bool {
                let m = slots[k].match
                guard m >= 0 else { return false }
                if tables.cues[matches[m].match.cue].whenNegated != nil {
                    matches[m].negated = true
                    turned = true
                }
                return true
            }
            let segment = slots[n].segment
            var seen = 0
            var k = n + 1
            while k < count, seen < tables.scopeAfter, slots[k].segment == segment {
                if !tokens[k].isFiller {
                    if reach(k) { break }
                    if !tokens[k].isTransparent { seen += 1 }
                }
                k += 1
            }
            seen = 0
            k = n - 1
            while k >= 0, seen < tables.scopeBefore, slots[k].segment == segment {
                if !tokens[k].isFiller {
                    if reach(k) { break }
                    if !tokens[k].isTransparent { seen += 1 }
                }
                k -= 1
            }
            if !turned, let unmatched = tables.unmatchedNegation {
                let weight = unmatched.weight * contrastFactor(n, n)
                scores[unmatched.intent] += weight
                trace?.signals.append(.init(name: "negation \"\(tokens[n].text)\" with nothing to turn around", intent: unmatched.intent, weight: weight))
            }
        }

        // Cues.
        for found in matches {
            let match = found.match
            let cue = tables.cues[match.cue]
            var intent = cue.intent
            var weight = cue.weight
            if found.negated, let turn = cue.whenNegated {
                switch turn {
                case .ignore: intent = nil
                case let .intent(to, w): intent = to; weight = w
                }
            }
            guard let intent else { continue }
            if cue.middleFactor != 1, !isEdge(match, tokens: tokens, slots: slots) {
                weight *= cue.middleFactor
            }
            weight *= contrastFactor(match.start, match.end)
            scores[intent] += weight
            if trace != nil {
                trace?.cues.append(.init(
                    pattern: cue.pattern,
                    matched: tokens[match.start...match.end].map(\.text).joined(separator: " "),
                    intent: intent, weight: weight, negated: found.negated))
            }
        }

        // Signals.
        let hasContent = tokens.contains { !$0.isFiller }
        if utterance.questionMark, hasContent, tables.questionMark > 0 {
            scores[.question] += tables.questionMark
            trace?.signals.append(.init(name: "question mark", intent: .question, weight: tables.questionMark))
        }
        if utterance.inversion, tables.inversion > 0 {
            scores[.question] += tables.inversion
            trace?.signals.append(.init(name: "inversion (verb-pronoun)", intent: .question, weight: tables.inversion))
        }
        scores[.neutral] += tables.neutralBaseline
        trace?.signals.append(.init(name: "neutral baseline", intent: .neutral, weight: tables.neutralBaseline))
    }

    /// How many words the contrast marker at `i` spans, if one starts there.
    private func contrastLength(_ tokens: [IntentToken], at i: Int) -> Int? {
        markers: for marker in lexicon.tables.contrastMarkers where i + marker.count <= tokens.count {
            for (offset, word) in marker.enumerated() where tokens[i + offset].text != word { continue markers }
            return marker.count
        }
        return nil
    }

    /// True when the match starts or ends its segment (ignoring fillers).
    private func isEdge(_ match: IntentPatternTrie.Match, tokens: [IntentToken], slots: [Slot]) -> Bool {
        var k = match.start - 1
        while k >= 0, slots[k].segment == slots[match.start].segment, tokens[k].isFiller { k -= 1 }
        if k < 0 || slots[k].segment != slots[match.start].segment { return true }
        k = match.end + 1
        while k < tokens.count, slots[k].segment == slots[match.end].segment, tokens[k].isFiller { k += 1 }
        return k >= tokens.count || slots[k].segment != slots[match.end].segment
    }

    private func decide(_ scores: Scores) -> IntentResult {
        let tables = lexicon.tables
        var winner = tables.tieOrder[0]
        for intent in tables.tieOrder where scores[intent] > scores[winner] + 1e-9 {
            winner = intent
        }
        let top = scores[winner]
        var total = 0.0
        for intent in Intent.allCases { total += exp((scores[intent] - top) / tables.temperature) }
        return IntentResult(intent: winner, confidence: 1 / total)
    }
}

extension Intent {
    /// Position in `allCases`, for score arrays.
    var index: Int {
        switch self {
        case .positive: 0
        case .negative: 1
        case .neutral: 2
        case .question: 3
        case .callback: 4
        case .optOut: 5
        }
    }
}

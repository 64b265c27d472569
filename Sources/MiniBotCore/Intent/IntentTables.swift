import Foundation

/// A lexicon file validated and compiled into the lookup tables the classifier runs on.
struct IntentTables: Sendable {
    /// One pattern of the lexicon with what it counts for.
    struct Cue: Sendable {
        var pattern: String
        /// nil: the cue counts only when negated (say "appelez" → opt_out in "ne m'appelez plus").
        var intent: Intent?
        var weight: Double
        /// What a negation in scope turns the cue into; nil: negation does not affect it.
        var whenNegated: Negated?
        var middleFactor: Double
    }

    enum Negated: Sendable {
        case intent(Intent, weight: Double)
        case ignore
    }

    var elisions: [String: String]
    var rewrites: [String: [String]]
    var drop: Set<String>
    var fillers: Set<String>
    var numbers: Set<String>

    var negators: Set<String>
    /// Words a negation scope does not count.
    var transparent: Set<String>
    var scopeBefore: Int
    var scopeAfter: Int
    var unmatchedNegation: (intent: Intent, weight: Double)?

    var contrastMarkers: [[String]]
    var contrastBefore: Double
    var contrastAfter: Double

    var questionMark: Double
    var inversion: Double
    var inversionPronouns: Set<String>
    /// Hyphenated pairs that look like inversions but are not, as "rendez vous".
    var notInversions: Set<String>

    var neutralBaseline: Double
    var temperature: Double
    var tieOrder: [Intent]

    var cues: [Cue]
    var trie: IntentPatternTrie

    /// What the tokenizer needs to know of a word, found with one lookup.
    struct WordInfo: Sendable {
        var isFiller = false
        var isNumber = false
        var isNegator = false
        var isTransparent = false
    }

    struct Word: Sendable {
        var text: String
        var info: WordInfo
    }

    struct WordEntry: Sendable {
        var info: WordInfo
        /// The words that replace it (a rewrite; empty for a dropped word); nil keeps it.
        var replacement: [Word]?
    }

    /// Every word with a flag or a replacement; built from the sets above.
    private(set) var wordTable: [String: WordEntry] = [:]

    private func info(_ word: String) -> WordInfo {
        WordInfo(isFiller: fillers.contains(word), isNumber: numbers.contains(word), isNegator: negators.contains(word),
                 isTransparent: transparent.contains(word))
    }

    private mutating func buildWordTable() {
        var table: [String: WordEntry] = [:]
        for word in fillers.union(numbers).union(negators).union(transparent) {
            table[word] = WordEntry(info: info(word), replacement: nil)
        }
        for (word, replacement) in rewrites {
            table[word] = WordEntry(info: info(word), replacement: replacement.map { Word(text: $0, info: info($0)) })
        }
        for word in drop {
            table[word] = WordEntry(info: WordInfo(), replacement: [])
        }
        wordTable = table
    }

    /// `overlayStart`: index of the first cue group that came from an overlay file
    /// (errors there are reported with the overlay's own index).
    init(file: IntentLexiconFile, overlayStart: Int?, source: String) throws {
        func fail(_ field: String, _ problem: String) -> IntentLexiconError {
            IntentLexiconError(source: source, field: field, problem: problem)
        }
        func required<T>(_ value: T?, _ field: String, _ what: String) throws -> T {
            guard let value else { throw fail(field, "missing; write \(what) (or \"extends\": \"fr\" to start from the bundled lexicon)") }
            return value
        }
        /// A list of single words, folded; `field` names it in errors.
        func words(_ list: [String], _ field: String) throws -> [String] {
            try list.enumerated().map { index, word in
                let folded = IntentTokenizer.fold(word.trimmingCharacters(in: .whitespaces))
                guard !folded.isEmpty, !folded.contains(where: { $0 == " " || $0 == "'" || $0 == "-" }) else {
                    throw fail("\(field)[\(index)]", "\"\(word)\" must be one word (no space, apostrophe or hyphen); write a pattern for a phrase")
                }
                return folded
            }
        }

        if let format = file.format, format != "minibot-intent-lexicon/1" {
            throw fail("format", "\"\(format)\" is not a format this version reads; write \"minibot-intent-lexicon/1\"")
        }
        let n = try required(file.normalisation, "normalisation", "an object with elisions, rewrites, drop, fillers and numbers")
        elisions = Dictionary(try required(n.elisions, "normalisation.elisions", "an object such as { \"j\": \"je\" }")
            .map { (IntentTokenizer.fold($0.key), IntentTokenizer.fold($0.value)) }, uniquingKeysWith: { _, b in b })
        drop = Set(try words(n.drop ?? [], "normalisation.drop"))
        fillers = Set(try words(try required(n.fillers, "normalisation.fillers", "a list of hesitation words such as [\"euh\", \"ben\"]"), "normalisation.fillers"))
        numbers = Set(try words(n.numbers ?? [], "normalisation.numbers"))
        rewrites = [:]

        let neg = try required(file.negation, "negation", "an object with markers, scope_before and scope_after")
        negators = Set(try words(try required(neg.markers, "negation.markers", "a list such as [\"pas\", \"jamais\"]"), "negation.markers"))
        scopeBefore = neg.scopeBefore ?? 2
        scopeAfter = neg.scopeAfter ?? 3
        transparent = []
        guard (0...10).contains(scopeBefore) else { throw fail("negation.scope_before", "must be a whole number of words in 0...10") }
        guard (0...10).contains(scopeAfter) else { throw fail("negation.scope_after", "must be a whole number of words in 0...10") }
        if let intent = neg.unmatchedIntent {
            let weight = neg.unmatchedWeight ?? 1
            guard weight >= 0 else { throw fail("negation.unmatched_weight", "must be 0 or more") }
            unmatchedNegation = (intent, weight)
        } else {
            unmatchedNegation = nil
        }

        contrastMarkers = []
        contrastBefore = file.contrast?.before ?? 1
        contrastAfter = file.contrast?.after ?? 1
        guard contrastBefore >= 0 else { throw fail("contrast.before", "must be 0 or more (1 = no change)") }
        guard contrastAfter >= 0 else { throw fail("contrast.after", "must be 0 or more (1 = no change)") }

        questionMark = file.question?.questionMark ?? 0
        inversion = file.question?.inversion ?? 0
        inversionPronouns = Set(try words(file.question?.inversionPronouns ?? [], "question.inversion_pronouns"))
        notInversions = []

        neutralBaseline = file.decision?.neutralBaseline ?? 1
        temperature = file.decision?.temperature ?? 1
        guard temperature > 0 else { throw fail("decision.temperature", "must be more than 0 (1 is a good start; larger = less confident)") }
        let order = file.decision?.tieOrder ?? [.optOut, .callback, .question, .negative, .positive, .neutral]
        tieOrder = order + Intent.allCases.filter { !order.contains($0) }

        cues = []
        trie = IntentPatternTrie()

        // Rewrites and contrast markers go through the tokenizer, which needs the tables above.
        buildWordTable()
        var rewriteTable: [String: [String]] = [:]
        for (key, value) in (n.rewrites ?? [:]).sorted(by: { $0.key < $1.key }) {
            let from = IntentTokenizer.fold(key)
            let to = IntentTokenizer(tables: self).words(of: value)
            guard !from.isEmpty, !from.contains(" ") else {
                throw fail("normalisation.rewrites", "\"\(key)\": a rewrite replaces one word; write the single word on the left")
            }
            rewriteTable[from] = to
        }
        rewrites = rewriteTable
        buildWordTable()
        transparent = Set((neg.transparent ?? []).flatMap { IntentTokenizer(tables: self).words(of: $0) })
        notInversions = Set((file.question?.notInversions ?? []).map { IntentTokenizer(tables: self).words(of: $0).joined(separator: " ") })
        buildWordTable()
        for (index, marker) in (file.contrast?.markers ?? []).enumerated() {
            let tokens = IntentTokenizer(tables: self).words(of: marker)
            guard !tokens.isEmpty else { throw fail("contrast.markers[\(index)]", "\"\(marker)\" has no words left after normalisation") }
            contrastMarkers.append(tokens)
        }

        var seen: [String: (group: Int, fromOverlay: Bool)] = [:]
        for (groupIndex, group) in (file.cues ?? []).enumerated() {
            let fromOverlay = overlayStart.map { groupIndex >= $0 } ?? false
            let shown = fromOverlay ? groupIndex - overlayStart! : groupIndex
            let field = "cues[\(shown)]"
            guard group.weight >= 0, group.weight.isFinite else { throw fail("\(field).weight", "must be a number, 0 or more (2 is a typical cue)") }
            guard !group.patterns.isEmpty else { throw fail("\(field).patterns", "is empty; list at least one pattern") }
            let factor = group.middleFactor ?? 1
            guard factor >= 0 else { throw fail("\(field).middle_factor", "must be 0 or more (1 = position does not matter)") }
            var negated: Negated?
            if let name = group.whenNegated {
                if name == "ignore" {
                    negated = .ignore
                } else if let intent = Intent(rawValue: name) {
                    negated = .intent(intent, weight: group.negatedWeight ?? group.weight)
                } else {
                    throw fail("\(field).when_negated", "\"\(name)\" is not an intent; write one of \(Intent.allCases.map(\.rawValue).joined(separator: ", ")) or \"ignore\"")
                }
            }
            if group.intent == nil, negated == nil {
                throw fail("\(field).intent", "missing; a cue group without an intent must say what it counts for with \"when_negated\"")
            }
            for (patternIndex, pattern) in group.patterns.enumerated() {
                let elements = try IntentPatternTrie.compile(pattern, tokenizer: IntentTokenizer(tables: self)) { problem in
                    fail("\(field).patterns[\(patternIndex)]", "\"\(pattern)\" \(problem)")
                }
                let key = elements.map(\.description).joined(separator: " ")
                let cue = Cue(pattern: pattern, intent: group.intent, weight: group.weight, whenNegated: negated, middleFactor: factor)
                if let previous = seen[key] {
                    if previous.fromOverlay == fromOverlay {
                        throw fail("\(field).patterns[\(patternIndex)]", "\"\(pattern)\" (\(key)) is already in cues[\(previous.group)]; keep one of them")
                    }
                    let existing = trie.insert(elements, cue: cues.count)!
                    cues[existing] = cue
                } else {
                    seen[key] = (shown, fromOverlay)
                    _ = trie.insert(elements, cue: cues.count)
                    cues.append(cue)
                }
            }
        }
    }
}

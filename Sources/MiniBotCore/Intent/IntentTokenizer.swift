/// One word of an utterance after normalisation.
struct IntentToken: Sendable, Equatable {
    var text: String
    /// Index of the clause (stretches between . , ; : ! ?) the word is in.
    var clause: Int
    var isFiller: Bool
    var isNumber: Bool
    var isNegator: Bool
    /// A small word that negation scopes do not count.
    var isTransparent: Bool
    /// The first three bytes, for the pattern trie's prefix index.
    var key3: UInt32

    init(text: String, clause: Int, info: IntentTables.WordInfo, key3: UInt32? = nil) {
        self.text = text
        self.clause = clause
        self.isFiller = info.isFiller
        self.isNumber = info.isNumber
        self.isNegator = info.isNegator
        self.isTransparent = info.isTransparent
        self.key3 = key3 ?? IntentPatternTrie.key3(text)
    }
}

/// An utterance as the cue matcher sees it.
struct IntentTokens: Sendable {
    var tokens: [IntentToken] = []
    /// The text had a "?".
    var questionMark = false
    /// The text had a hyphenated subject-pronoun inversion ("pouvez-vous", "êtes-vous").
    var inversion = false
}

/// Turns recogniser output into words: lower case, accents folded ("é" → "e", "œ" → "oe"),
/// apostrophes and hyphens split ("j'suis" → "je suis", "rappelez-moi" → "rappelez moi"),
/// elisions expanded, rewrites applied ("ouais" → "oui"), dropped words removed ("ne"),
/// digits split from letters ("18h30" → "18 h 30"), stretched letters shortened ("nooon" → "non"),
/// and a word repeated at once kept once
/// ("je je je suis" → "je suis"). Punctuation only marks clause ends and the "?".
struct IntentTokenizer: Sendable {
    let tables: IntentTables

    init(tables: IntentTables) {
        self.tables = tables
    }

    /// The words of a lexicon entry (a rewrite's target, a contrast marker).
    func words(of text: String) -> [String] {
        tokenize(text).tokens.map(\.text)
    }

    func tokenize(_ text: String) -> IntentTokens {
        var state = State(wordTable: tables.wordTable, elisions: tables.elisions,
                          inversionPronouns: tables.inversionPronouns, notInversions: tables.notInversions)
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                let byte = UInt8(v)
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"):
                    state.letter(byte)
                case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                    state.letter(byte + 32)
                case UInt8(ascii: "0")...UInt8(ascii: "9"):
                    state.digit(byte)
                case UInt8(ascii: "'"), UInt8(ascii: "`"):
                    state.apostrophe()
                case UInt8(ascii: "-"):
                    state.hyphen()
                case UInt8(ascii: "?"):
                    state.out.questionMark = true
                    state.clauseEnd()
                case UInt8(ascii: "."):
                    state.dot()
                case UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: "!"):
                    state.clauseEnd()
                default:
                    state.space()
                }
            } else if let folded = Self.foldTable[v] {
                for byte in folded.utf8 { state.letter(byte) }
            } else {
                switch v {
                case 0x2019, 0x2018, 0x02BC, 0x00B4, 0x2032:
                    state.apostrophe()
                case 0x2010, 0x2011, 0x2012, 0x2013:
                    state.hyphen()
                case 0x2026:
                    state.space()  // "…" is a hesitation, not the end of a clause
                case 0x0300...0x036F:
                    break  // combining accents (text not in NFC): folded away like "é"
                case 0x00BF:
                    state.space()
                default:
                    if scalar.properties.isAlphabetic {
                        for lower in scalar.properties.lowercaseMapping.utf8 { state.letter(lower) }
                    } else {
                        state.space()
                    }
                }
            }
        }
        state.space()
        return state.out
    }

    /// The tokenizer's state while it scans one text.
    private struct State {
        let wordTable: [String: IntentTables.WordEntry]
        let elisions: [String: String]
        let inversionPronouns: Set<String>
        let notInversions: Set<String>
        var out = IntentTokens()
        var word: [UInt8] = []
        var wordIsDigits = false
        var afterHyphen = false
        var wordAfterHyphen = false
        var dots = 0
        var clause = 0
        /// The first three bytes of the word being emitted (see `IntentPatternTrie.key3`).
        var key3: UInt32 = 0

        init(wordTable: [String: IntentTables.WordEntry], elisions: [String: String],
             inversionPronouns: Set<String>, notInversions: Set<String>) {
            self.wordTable = wordTable
            self.elisions = elisions
            self.inversionPronouns = inversionPronouns
            self.notInversions = notInversions
            word.reserveCapacity(24)
            out.tokens.reserveCapacity(16)
        }

        mutating func letter(_ byte: UInt8) {
            settleDots()
            if wordIsDigits, !word.isEmpty { flush() }
            if word.isEmpty { wordAfterHyphen = afterHyphen; afterHyphen = false }
            wordIsDigits = false
            word.append(byte)
        }

        mutating func digit(_ byte: UInt8) {
            settleDots()
            if !wordIsDigits, !word.isEmpty { flush() }
            if word.isEmpty { wordAfterHyphen = afterHyphen; afterHyphen = false }
            wordIsDigits = true
            word.append(byte)
        }

        mutating func apostrophe() {
            guard !word.isEmpty else { return }
            let text = String(decoding: word, as: UTF8.self)
            if let full = elisions[text] {
                word.removeAll(keepingCapacity: true)
                key3 = IntentPatternTrie.key3(full)
                emit(full, afterHyphen: wordAfterHyphen)
            }
            // Otherwise the apostrophe is inside a word ("aujourd'hui"): join the parts.
        }

        mutating func hyphen() {
            settleDots()
            flush()
            afterHyphen = true
        }

        mutating func space() {
            settleDots()
            flush()
            afterHyphen = false
        }

        mutating func dot() {
            flush()
            afterHyphen = false
            dots += 1
        }

        /// One "." ends a clause; "..." is a hesitation.
        mutating func settleDots() {
            if dots == 1 { clauseEnd() }
            dots = 0
        }

        mutating func clauseEnd() {
            flush()
            afterHyphen = false
            dots = 0
            if !out.tokens.isEmpty, out.tokens[out.tokens.count - 1].clause == clause { clause += 1 }
        }

        mutating func flush() {
            guard !word.isEmpty else { return }
            if !wordIsDigits { collapseStretchedLetters() }
            let text = String(decoding: word, as: UTF8.self)
            key3 = word.count >= 3 ? UInt32(word[0]) << 16 | UInt32(word[1]) << 8 | UInt32(word[2]) : 0
            word.removeAll(keepingCapacity: true)
            if wordIsDigits {
                append(IntentToken(text: text, clause: clause, info: .init(isNumber: true)))
            } else {
                emit(text, afterHyphen: wordAfterHyphen)
            }
            wordIsDigits = false
        }

        /// "nooon" → "non", "ouiii" → "oui", "euuuh" → "euh": a letter written three times or more is kept once.
        mutating func collapseStretchedLetters() {
            guard word.count >= 3 else { return }
            var stretched = false
            for k in 2..<word.count where word[k] == word[k - 1] && word[k] == word[k - 2] {
                stretched = true
                break
            }
            guard stretched else { return }
            var kept: [UInt8] = []
            var k = 0
            while k < word.count {
                var run = 1
                while k + run < word.count, word[k + run] == word[k] { run += 1 }
                kept.append(contentsOf: repeatElement(word[k], count: run >= 3 ? 1 : run))
                k += run
            }
            word = kept
        }

        mutating func emit(_ text: String, afterHyphen: Bool) {
            if afterHyphen {
                if text == "t" { return }  // the euphonic t of "a-t-il"
                if inversionPronouns.contains(text),
                   !(out.tokens.last.map { notInversions.contains($0.text + " " + text) } ?? false) {
                    out.inversion = true
                }
            }
            guard let entry = wordTable[text] else {
                append(IntentToken(text: text, clause: clause, info: .init(), key3: key3))
                return
            }
            if let replacement = entry.replacement {
                for word in replacement { append(IntentToken(text: word.text, clause: clause, info: word.info)) }
            } else {
                append(IntentToken(text: text, clause: clause, info: entry.info, key3: key3))
            }
        }

        private mutating func append(_ token: IntentToken) {
            if let last = out.tokens.last, last.text == token.text { return }  // "je je je suis"
            out.tokens.append(token)
        }
    }

    /// Lower case and folded accents of one lexicon word or phrase.
    static func fold(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if let folded = foldTable[scalar.value] {
                result += folded
            } else {
                result += scalar.properties.lowercaseMapping
            }
        }
        return result
    }

    /// Latin letters with diacritics (either case) and ligatures → plain lower-case ASCII.
    static let foldTable: [UInt32: String] = {
        let groups: [(String, String)] = [
            ("àáâãäåÀÁÂÃÄÅāĀ", "a"), ("çÇćĆčČ", "c"), ("èéêëÈÉÊËēĒěĚ", "e"), ("ìíîïÌÍÎÏīĪ", "i"),
            ("ñÑ", "n"), ("òóôõöøÒÓÔÕÖØōŌ", "o"), ("ùúûüÙÚÛÜūŪ", "u"), ("ýÿÝŸ", "y"),
        ]
        var table: [UInt32: String] = [:]
        for (letters, plain) in groups {
            for scalar in letters.unicodeScalars { table[scalar.value] = plain }
        }
        for (scalar, plain) in [("œ", "oe"), ("Œ", "oe"), ("æ", "ae"), ("Æ", "ae"), ("ß", "ss")] {
            table[scalar.unicodeScalars.first!.value] = plain
        }
        return table
    }()
}

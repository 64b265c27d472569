/// The lexicon's patterns as a word trie, for finding the longest pattern at a position.
///
/// Pattern syntax (docs/INTENT.md): words as you would write them ("ne m'appelez plus"),
/// `#num` for any number (digits or a number word), `*` for any one word, and `word*`
/// for any word that starts with `word` ("intéress*"). Fillers ("euh") between the
/// words of a pattern are skipped, so "pas euh intéressé" matches "pas intéressé".
struct IntentPatternTrie: Sendable {
    enum Element: Hashable, Sendable, CustomStringConvertible {
        case word(String)
        case prefix(String)
        case number
        case anyWord

        var description: String {
            switch self {
            case let .word(w): w
            case let .prefix(p): p + "*"
            case .number: "#num"
            case .anyWord: "*"
            }
        }
    }

    struct PrefixEdge: Sendable {
        var prefix: String
        var node: Int
    }

    struct Node: Sendable {
        var words: [String: Int] = [:]
        /// Prefix edges ("intéress*"), indexed by their first three bytes.
        var prefixes: [UInt32: [PrefixEdge]] = [:]
        var number = -1
        var anyWord = -1
        var cue = -1
    }

    /// A pattern found in an utterance: tokens `start...end`.
    struct Match: Sendable {
        var start: Int
        var end: Int
        var cue: Int
    }

    private(set) var nodes = [Node()]

    /// The first three UTF-8 bytes of a word packed in an integer (0 for shorter words).
    static func key3(_ word: String) -> UInt32 {
        var key: UInt32 = 0
        var count = 0
        for byte in word.utf8.prefix(3) {
            key = key << 8 | UInt32(byte)
            count += 1
        }
        return count == 3 ? key : 0
    }

    /// Compiles a pattern through the same normalisation as the utterances.
    static func compile(
        _ pattern: String, tokenizer: IntentTokenizer, error: (String) -> IntentLexiconError
    ) throws -> [Element] {
        var elements: [Element] = []
        for piece in pattern.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            if piece == "#num" {
                elements.append(.number)
            } else if piece == "*" {
                elements.append(.anyWord)
            } else if piece.hasSuffix("*") {
                let words = tokenizer.words(of: String(piece.dropLast()))
                guard let last = words.last, last.count >= 3 else {
                    throw error("has a prefix shorter than 3 letters before \"*\"; write a longer stem such as \"intéress*\"")
                }
                elements += words.dropLast().map(Element.word)
                elements.append(.prefix(last))
            } else if piece.contains("#") || piece.contains("*") {
                throw error("uses \"#\" or \"*\" inside a word; only \"#num\", \"*\" and \"stem*\" are special")
            } else {
                elements += tokenizer.words(of: String(piece)).map(Element.word)
            }
        }
        guard !elements.isEmpty else {
            throw error("has no words left after normalisation (only fillers or dropped words?); write at least one real word")
        }
        if elements.allSatisfy({ $0 == .anyWord }) {
            throw error("matches anything; add at least one word")
        }
        return elements
    }

    /// Adds a pattern for `cue`. If the pattern is already there, leaves it and returns the cue it has.
    mutating func insert(_ elements: [Element], cue: Int) -> Int? {
        var node = 0
        for element in elements {
            node = child(of: node, for: element)
        }
        if nodes[node].cue >= 0 { return nodes[node].cue }
        nodes[node].cue = cue
        return nil
    }

    private mutating func child(of node: Int, for element: Element) -> Int {
        switch element {
        case let .word(w):
            if let next = nodes[node].words[w] { return next }
            nodes.append(Node())
            nodes[node].words[w] = nodes.count - 1
        case let .prefix(p):
            let key = Self.key3(p)
            if let edge = nodes[node].prefixes[key]?.first(where: { $0.prefix == p }) { return edge.node }
            nodes.append(Node())
            nodes[node].prefixes[key, default: []].append(PrefixEdge(prefix: p, node: nodes.count - 1))
        case .number:
            if nodes[node].number >= 0 { return nodes[node].number }
            nodes.append(Node())
            nodes[node].number = nodes.count - 1
        case .anyWord:
            if nodes[node].anyWord >= 0 { return nodes[node].anyWord }
            nodes.append(Node())
            nodes[node].anyWord = nodes.count - 1
        }
        return nodes.count - 1
    }

    /// The longest pattern that starts at `start`, if any.
    func longestMatch(in tokens: [IntentToken], from start: Int) -> Match? {
        var best: Match?
        walk(0, tokens, at: start, start: start, lastMatched: start - 1, skipped: 0, best: &best)
        return best
    }

    /// At most this many fillers in a row are skipped inside a pattern.
    static let maxSkippedFillers = 3

    private func walk(_ nodeIndex: Int, _ tokens: [IntentToken], at j: Int, start: Int, lastMatched: Int, skipped: Int, best: inout Match?) {
        let node = nodes[nodeIndex]
        if node.cue >= 0, best.map({ lastMatched > $0.end }) ?? true {
            best = Match(start: start, end: lastMatched, cue: node.cue)
        }
        guard j < tokens.count else { return }
        let token = tokens[j]
        if let next = node.words[token.text] {
            walk(next, tokens, at: j + 1, start: start, lastMatched: j, skipped: 0, best: &best)
        }
        if !node.prefixes.isEmpty, let edges = node.prefixes[token.key3] {
            for edge in edges where token.text.hasPrefix(edge.prefix) {
                walk(edge.node, tokens, at: j + 1, start: start, lastMatched: j, skipped: 0, best: &best)
            }
        }
        if node.number >= 0, token.isNumber {
            walk(node.number, tokens, at: j + 1, start: start, lastMatched: j, skipped: 0, best: &best)
        }
        if node.anyWord >= 0, !token.isFiller {
            walk(node.anyWord, tokens, at: j + 1, start: start, lastMatched: j, skipped: 0, best: &best)
        }
        if nodeIndex != 0, token.isFiller, skipped < Self.maxSkippedFillers {
            walk(nodeIndex, tokens, at: j + 1, start: start, lastMatched: lastMatched, skipped: skipped + 1, best: &best)
        }
    }
}

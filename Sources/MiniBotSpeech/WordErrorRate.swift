import Foundation

/// Word error rate, normalised as in `../shared/research/voices.md`: text
/// lowercased, accents and punctuation removed, apostrophes and hyphens split
/// words. Corpus-level: total edits over total reference words.
public struct WordErrorRate: Sendable, Equatable {
    /// Substitutions + deletions + insertions.
    public private(set) var errors = 0
    /// Words in the references.
    public private(set) var referenceWords = 0

    public init() {}

    /// The rate, 0 for a perfect transcript (can exceed 1 with insertions).
    public var rate: Double { referenceWords == 0 ? 0 : Double(errors) / Double(referenceWords) }

    /// Adds one reference / hypothesis pair.
    public mutating func add(reference: String, hypothesis: String) {
        let r = Self.words(reference), h = Self.words(hypothesis)
        errors += Self.editDistance(r, h)
        referenceWords += r.count
    }

    /// Adds another tally to this one.
    public mutating func merge(_ other: WordErrorRate) {
        errors += other.errors
        referenceWords += other.referenceWords
    }

    /// The normalised words of `text`.
    public static func words(_ text: String) -> [String] {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "fr_FR")).lowercased()
        let cleaned = String(folded.unicodeScalars.map { scalar -> Character in
            CharacterSet.alphanumerics.contains(scalar) ? Character(scalar) : " "
        })
        return cleaned.split(separator: " ").map(String.init)
    }

    static func editDistance(_ a: [String], _ b: [String]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

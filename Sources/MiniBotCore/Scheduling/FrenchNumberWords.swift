/// Reads a whole number from French words as a recogniser writes them, or from
/// digits: "14", "quatorze", "dix sept" ("dix-sept" once split), "vingt et un",
/// "trente cinq". Enough for hours, minutes, days of the month and counts (0–69).
enum FrenchNumberWords {
    static let units: [String: Int] = [
        "zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9,
        "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16,
    ]
    static let tens: [String: Int] = ["vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60]

    /// The number starting at `index` and how many words it took; nil when none starts there.
    static func read(_ words: [String], at index: Int) -> (value: Int, length: Int)? {
        guard index < words.count else { return nil }
        let word = words[index]
        if let digits = Int(word), word.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            return (digits, 1)
        }
        if word == "dix", index + 1 < words.count, let unit = units[words[index + 1]], (7...9).contains(unit) {
            return (10 + unit, 2)
        }
        if let unit = units[word] { return (unit, 1) }
        guard let ten = tens[word] else { return nil }
        // "vingt et un", "vingt deux"
        if index + 2 < words.count, words[index + 1] == "et", let unit = units[words[index + 2]], unit == 1 {
            return (ten + 1, 3)
        }
        if index + 1 < words.count, let unit = units[words[index + 1]], (1...9).contains(unit) {
            return (ten + unit, 2)
        }
        return (ten, 1)
    }
}

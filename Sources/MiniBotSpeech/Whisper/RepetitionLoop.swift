/// Whisper's known failure on short clips: it falls into a loop and repeats a
/// word or a phrase until its token budget runs out ("je ne veux pas je je je
/// je je…"). Found in the text, the recogniser decodes again with the full
/// window, and what still loops is cut to its first occurrence.
enum RepetitionLoop {
    /// A phrase of up to `longestPhrase` words said `times` times in a row.
    static func find(in words: [Substring], times: Int = 4, longestPhrase: Int = 6) -> (start: Int, length: Int)? {
        guard words.count >= times else { return nil }
        for start in words.indices {
            for length in 1...longestPhrase where start + length * times <= words.count {
                let phrase = words[start..<start + length].map { $0.lowercased() }
                let repeats = (1..<times).allSatisfy { k in
                    words[(start + k * length)..<(start + (k + 1) * length)].map { $0.lowercased() } == phrase
                }
                if repeats { return (start, length) }
            }
        }
        return nil
    }

    /// True when the text loops.
    static func loops(_ text: String) -> Bool {
        find(in: text.split(whereSeparator: \.isWhitespace)) != nil
    }

    /// The text with every looping run cut to one occurrence of its phrase.
    static func cut(_ text: String) -> String {
        var words = text.split(whereSeparator: \.isWhitespace)
        while let (start, length) = find(in: words) {
            let phrase = words[start..<start + length].map { $0.lowercased() }
            var end = start + length
            while end + length <= words.count, words[end..<end + length].map({ $0.lowercased() }) == phrase { end += length }
            words.removeSubrange((start + length)..<end)
        }
        return words.joined(separator: " ")
    }
}

import Foundation

extension AnsweringMachineDetector {
    /// The audio worth transcribing now, as times from the first frame fed
    /// (the answer), or nil. It appears once the callee has said at least
    /// `transcriptMinimumSpeech` and paused 150 ms, and moves on each later
    /// pause that follows more speech. A caller with a recogniser transcribes
    /// that span of the inbound audio once per distinct value (compare it with
    /// the last one it asked for), and passes the text to ``transcript(_:)``;
    /// frames keep coming meanwhile. Nil once decided.
    public var greetingTranscriptSpan: Range<Duration>? { decided ? nil : transcriptSpan }

    /// True when ``greetingTranscriptSpan`` has audio to transcribe.
    public var wantsGreetingTranscript: Bool { greetingTranscriptSpan != nil }

    /// Takes the transcript of the latest ``greetingTranscriptSpan``. A
    /// voicemail phrase of `keywords` in it (accents, case and punctuation
    /// ignored) decides `machine` at once. Otherwise, unless the callee has
    /// spoken again since that span, the greeting is taken for a person's after
    /// `afterGreetingSilence` whatever its length, and the decision comes now
    /// if that silence has already passed. Nil after a decision.
    public mutating func transcript(_ text: String) -> AMDDecision? {
        guard !decided else { return nil }
        let words = " " + Self.normalise(text) + " "
        if let keyword = keywords.first(where: { words.contains(" " + $0 + " ") }) {
            return decide(.machine, "keyword \"\(keyword)\"")
        }
        guard !words.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        cleanThrough = offeredThrough
        if greetingStart != nil, lastVoice <= offeredThrough, !inVoice, silenceRun >= frames(configuration.afterGreetingSilence) {
            return decide(.human, "after-greeting-silence \(silenceRun * 20) ms, transcript without voicemail phrase")
        }
        return nil
    }

    mutating func offerTranscript() {
        guard let start = greetingStart, greetingLength >= frames(configuration.transcriptMinimumSpeech) else { return }
        let from = Duration.milliseconds(max(0, 20 * start - 200))
        let to = Duration.milliseconds(20 * (lastVoice + 1) + 200)
        transcriptSpan = from..<to
        offeredThrough = lastVoice
    }

    /// Lower case, accents removed, everything but letters and digits made one space.
    static func normalise(_ text: String) -> String {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "fr_FR"))
        var out = ""
        var space = true
        for scalar in folded.unicodeScalars {
            if CharacterSet.alphanumerics.contains(scalar) {
                out.unicodeScalars.append(scalar)
                space = false
            } else if !space {
                out.append(" ")
                space = true
            }
        }
        return out.trimmingCharacters(in: .whitespaces)
    }
}

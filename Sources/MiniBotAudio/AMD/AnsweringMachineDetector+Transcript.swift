import Foundation

extension AnsweringMachineDetector {
    /// The audio worth transcribing now, as times from the first frame fed
    /// (the answer), or nil. It appears once the callee has said at least
    /// `transcriptMinimumSpeech` and paused 150 ms, and moves on each later
    /// pause that follows more speech. Nil once decided.
    public var greetingTranscriptSpan: Range<Duration>? { decided ? nil : transcriptSpan }

    /// True when ``greetingTranscriptSpan`` has audio not yet taken for transcription.
    public var wantsGreetingTranscript: Bool { greetingTranscriptSpan.map { $0 != takenSpan } ?? false }

    /// The span to transcribe now, once per distinct span: a caller with a
    /// recogniser transcribes that span of the inbound audio and passes the
    /// text to ``transcript(_:)`` — or an empty text when the recogniser
    /// failed, so that the detector stops waiting for it. Frames keep coming
    /// meanwhile. Nil when there is nothing new to transcribe.
    public mutating func takeGreetingTranscriptSpan() -> Range<Duration>? {
        guard wantsGreetingTranscript, let span = greetingTranscriptSpan else { return nil }
        takenSpan = span
        transcriptsUnderWay += 1
        return span
    }

    /// Takes the transcript of the latest ``greetingTranscriptSpan``. A
    /// voicemail phrase of `keywords` at the start of a word (accents, case and
    /// punctuation ignored, so "message" also finds "messagerie" and a
    /// recogniser's "messageerie") decides `machine` at once. A transcript
    /// without one changes nothing: recognisers mishear telephone audio too
    /// often for its silence to count as evidence of a person, but a person
    /// whose greeting waited for it is decided as soon as it comes. Nil after
    /// a decision.
    public mutating func transcript(_ text: String) -> AMDDecision? {
        guard !decided else { return nil }
        let waited = awaitingTranscript
        transcriptsUnderWay = max(0, transcriptsUnderWay - 1)
        let words = " " + Self.normalise(text)
        if let keyword = keywords.first(where: { words.contains(" " + $0) }) {
            return decide(.machine, "keyword \"\(keyword)\"")
        }
        if waited && !awaitingTranscript && silenceRun >= frames(silenceNeeded) {
            return decidePerson(", whose transcript has no voicemail phrase")
        }
        return nil
    }

    mutating func offerTranscript() {
        guard let start = greetingStart, greetingLength >= frames(configuration.transcriptMinimumSpeech) else { return }
        let from = Duration.milliseconds(max(0, 20 * start - 200))
        let to = Duration.milliseconds(20 * (lastVoice + 1) + 200)
        transcriptSpan = from..<to
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

/// What a ``SpeechRecognizer`` heard.
public struct Transcript: Sendable, Equatable, Codable {
    /// The text, trimmed of surrounding white space (empty for silence).
    public var text: String
    /// The language the text is in (ISO 639-1).
    public var language: String
    /// Length of the audio that was transcribed.
    public var audioDuration: Duration
    /// Time spent recognising (inference, or the HTTP round trip).
    public var inferenceDuration: Duration

    public init(text: String, language: String, audioDuration: Duration, inferenceDuration: Duration) {
        self.text = text
        self.language = language
        self.audioDuration = audioDuration
        self.inferenceDuration = inferenceDuration
    }
}

extension Duration {
    /// The duration in milliseconds, as a floating-point number.
    public var milliseconds: Double {
        let c = components
        return Double(c.seconds) * 1000 + Double(c.attoseconds) / 1e15
    }
}

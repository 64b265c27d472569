import MiniBotAudio

/// Turns a prompt's text into speech. Implementations: ``PicoSynthesizer``
/// (the SVOX Pico voices through `py-nanotts`, in a separate process) and
/// ``HTTPSpeechSynthesizer`` (any OpenAI-compatible `/v1/audio/speech` server).
///
/// The audio is what the engine made, at its own rate: make it a telephone
/// prompt with `PromptPreparation`. A failure throws a ``SynthesisError``.
public protocol SpeechSynthesizer: Sendable {
    /// Mono PCM at the synthesiser's own rate.
    func synthesize(_ text: String) async throws -> PCMBuffer
}

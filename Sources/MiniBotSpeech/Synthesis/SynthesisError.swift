/// Why a text could not be made into speech. Each text names the engine,
/// program or URL at fault and, where it can, the fix.
public enum SynthesisError: Error, Equatable, CustomStringConvertible {
    /// There is nothing to say.
    case emptyText
    /// No Python interpreter with `py-nanotts` was found, or the one given lacks it.
    case engineMissing(python: String?, reason: String)
    /// The voice is not one the engine has.
    case unknownVoice(String, known: [String])
    /// The engine's process failed (non-zero exit or a signal).
    case engineFailed(program: String, status: Int32, message: String)
    /// The engine ended normally but produced no audio.
    case noAudio(engine: String)
    /// The speech server could not be reached or answered badly.
    case server(url: String, reason: String)
    /// The speech server did not answer in time.
    case timedOut(url: String, seconds: Double)

    public var description: String {
        switch self {
        case .emptyText:
            return "nothing to synthesise: the text is empty"
        case let .engineMissing(python, reason):
            let which = python.map { " (\($0))" } ?? ""
            return "the Pico voice is not installed\(which): \(reason); run scripts/setup, which installs py-nanotts into .deps/tts, "
                + "or point tts.python (MINIBOT_TTS_PYTHON) at a Python that has it (pip install py-nanotts==0.1.1)"
        case let .unknownVoice(voice, known):
            return "unknown voice \"\(voice)\"; the Pico voices are \(known.joined(separator: ", "))"
        case let .engineFailed(program, status, message):
            return "\(program) failed (status \(status))" + (message.isEmpty ? "" : ": \(message)")
        case let .noAudio(engine):
            return "\(engine) produced no audio"
        case let .server(url, reason):
            return "speech server \(url): \(reason)"
        case let .timedOut(url, seconds):
            return "speech server \(url) did not answer within \(seconds) s"
        }
    }
}

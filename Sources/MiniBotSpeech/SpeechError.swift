/// Why speech recognition, model installation or model conversion failed.
/// Each text names the file, model, URL or field at fault and, where it can,
/// the fix.
public enum SpeechError: Error, Equatable, CustomStringConvertible {
    /// The ggml model file is missing or whisper.cpp could not load it.
    case modelNotLoaded(path: String, reason: String)
    /// The language code is not one whisper knows.
    case unknownLanguage(String)
    /// The audio is empty.
    case emptyAudio
    /// whisper.cpp could not create a decoder state (usually out of memory).
    case stateAllocationFailed(model: String)
    /// `whisper_full` returned an error code.
    case inferenceFailed(model: String, code: Int32)
    /// The HTTP engine's server could not be reached or answered badly.
    case server(url: String, reason: String)
    /// The recognition took longer than allowed.
    case timedOut(seconds: Double)
    /// A model name that `minibot models install` does not know.
    case unknownModel(name: String, known: [String])
    /// A download failed.
    case downloadFailed(url: String, reason: String)
    /// A downloaded or existing file does not have the expected checksum.
    case checksumMismatch(file: String, expected: String, actual: String)
    /// A CTranslate2 model directory is missing a file or holds a bad one.
    case invalidCT2Model(file: String, reason: String)
    /// A ggml model file to quantise is missing, truncated or already quantised.
    case invalidGGMLModel(file: String, reason: String)
    /// A file could not be written.
    case cannotWrite(file: String, reason: String)

    public var description: String {
        switch self {
        case let .modelNotLoaded(path, reason):
            return "cannot load Whisper model \(path): \(reason); install one with `minibot models install base` or `minibot models convert --ct2 DIR --out FILE`"
        case let .unknownLanguage(code):
            return "unknown language code \"\(code)\" for Whisper; use an ISO 639-1 code such as fr, en, es"
        case .emptyAudio:
            return "cannot transcribe empty audio"
        case let .stateAllocationFailed(model):
            return "whisper.cpp could not allocate a decoder state for \(model) (out of memory?); lower the recogniser's concurrency"
        case let .inferenceFailed(model, code):
            return "whisper.cpp failed to transcribe with \(model) (whisper_full returned \(code))"
        case let .server(url, reason):
            return "transcription server \(url): \(reason)"
        case let .timedOut(seconds):
            return "speech recognition timed out after \(seconds) s"
        case let .unknownModel(name, known):
            return "unknown model \"\(name)\"; known models: \(known.joined(separator: ", "))"
        case let .downloadFailed(url, reason):
            return "download of \(url) failed: \(reason); without internet access, convert a faster-whisper model instead: `minibot models convert --ct2 DIR --out FILE`"
        case let .checksumMismatch(file, expected, actual):
            return "\(file): SHA-1 is \(actual), expected \(expected); the file is corrupt or not the official one (deleted; try again)"
        case let .invalidCT2Model(file, reason):
            return "CTranslate2 model \(file): \(reason)"
        case let .invalidGGMLModel(file, reason):
            return "ggml model \(file): \(reason)"
        case let .cannotWrite(file, reason):
            return "cannot write \(file): \(reason)"
        }
    }
}

/// A failure inside an audio processing step backed by a C library
/// (resampling with libsoxr, loudness with libebur128), or a request those
/// steps cannot honour.
public enum AudioProcessingError: Error, Equatable, CustomStringConvertible {
    /// libsoxr refused the conversion; `message` is its own text.
    case resampling(fromRate: Int, toRate: Int, message: String)
    /// libebur128 could not be set up or fed; `message` says which call failed.
    case loudness(sampleRate: Int, channels: Int, message: String)

    public var description: String {
        switch self {
        case let .resampling(from, to, message):
            return "resampling \(from) Hz → \(to) Hz failed in libsoxr: \(message)"
        case let .loudness(rate, channels, message):
            return "loudness measurement (\(rate) Hz, \(channels) ch) failed in libebur128: \(message)"
        }
    }
}

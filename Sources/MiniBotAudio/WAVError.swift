/// Why a WAV file could not be read. Each malformed case has its own case, and
/// every message names the file so that an operator can find and fix it.
public enum WAVError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened or read at all.
    case unreadable(file: String, reason: String)
    /// The file is shorter than a RIFF/WAVE header (12 bytes).
    case tooShort(file: String, size: Int)
    /// The first four bytes are not `RIFF` (`found` shows what they are).
    case notRIFF(file: String, found: String)
    /// A RIFF file whose form type is not `WAVE` (for example AVI).
    case notWAVE(file: String, found: String)
    /// A chunk declares more bytes than remain in the file (truncated file or
    /// oversized header). `chunk` is the four-character chunk id.
    case chunkOverrunsFile(file: String, chunk: String, declared: Int, available: Int)
    /// The `fmt ` chunk is smaller than the 16 bytes every format needs.
    case formatChunkTooSmall(file: String, size: Int)
    /// No `fmt ` chunk before the `data` chunk.
    case missingFormatChunk(file: String)
    /// No `data` chunk.
    case missingDataChunk(file: String)
    /// The `data` chunk holds no sample at all.
    case emptyData(file: String)
    /// The data length is not a whole number of sample frames.
    case partialSampleFrame(file: String, dataBytes: Int, blockAlign: Int)
    /// A `fmt ` field has a value no valid file has (0 channels, 0 Hz, …).
    case invalidField(file: String, field: String, value: Int, expected: String)
    /// A valid format this reader does not decode (ADPCM, MP3-in-WAV, 12-bit PCM, …).
    case unsupportedEncoding(file: String, formatTag: Int, bitsPerSample: Int)
    /// More channels than mono or stereo.
    case unsupportedChannelCount(file: String, channels: Int)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read the file (\(reason))"
        case let .tooShort(file, size):
            return "\(file): only \(size) bytes, shorter than a WAV header (12 bytes); the file is truncated or empty"
        case let .notRIFF(file, found):
            return "\(file): not a WAV file (starts with \(found), expected \"RIFF\"); convert it with `sox \(file) -b 16 out.wav`"
        case let .notWAVE(file, found):
            return "\(file): a RIFF file of type \(found), not WAVE"
        case let .chunkOverrunsFile(file, chunk, declared, available):
            return "\(file): chunk \"\(chunk)\" declares \(declared) bytes but only \(available) remain; the file is truncated or its header is corrupt"
        case let .formatChunkTooSmall(file, size):
            return "\(file): \"fmt \" chunk is \(size) bytes, at least 16 are needed"
        case let .missingFormatChunk(file):
            return "\(file): no \"fmt \" chunk before the audio data"
        case let .missingDataChunk(file):
            return "\(file): no \"data\" chunk; the file holds no audio"
        case let .emptyData(file):
            return "\(file): the \"data\" chunk is empty; the file holds no audio"
        case let .partialSampleFrame(file, dataBytes, blockAlign):
            return "\(file): \(dataBytes) data bytes is not a whole number of \(blockAlign)-byte sample frames; the file is truncated"
        case let .invalidField(file, field, value, expected):
            return "\(file): \"fmt \" field \(field) is \(value), expected \(expected)"
        case let .unsupportedEncoding(file, tag, bits):
            return "\(file): unsupported WAV encoding (format tag 0x\(String(tag, radix: 16, uppercase: true)), \(bits) bits); use PCM 16/24/32-bit, float32, µ-law or A-law"
        case let .unsupportedChannelCount(file, channels):
            return "\(file): \(channels) channels; only mono and stereo are read"
        }
    }
}

import CSndfile
import Foundation

/// Reading prompts delivered as MP3, FLAC, Ogg Vorbis/Opus (or any other
/// format libsndfile knows) into a 16-bit ``PCMBuffer``. WAV files go through
/// ``WAVFile``, whose errors are more precise.
public enum CompressedAudioFile {
    /// File name extensions read here.
    public static let extensions = ["mp3", "flac", "ogg", "oga", "opus"]

    /// Why a file could not be decoded.
    public struct ReadError: Error, Equatable, CustomStringConvertible {
        /// The file.
        public var file: String
        /// libsndfile's explanation, or ours.
        public var reason: String
        public var description: String { "\(file): cannot decode the audio (\(reason))" }
    }

    /// Decodes the file at `path`. Mono and stereo only; more channels are refused.
    public static func read(path: String) throws -> PCMBuffer {
        var info = SF_INFO()
        guard let handle = sf_open(path, Int32(SFM_READ), &info) else {
            throw ReadError(file: path, reason: String(cString: sf_strerror(nil)))
        }
        defer { sf_close(handle) }
        let channels = Int(info.channels), rate = Int(info.samplerate)
        guard channels == 1 || channels == 2 else {
            throw ReadError(file: path, reason: "\(channels) channels; only mono and stereo are read")
        }
        guard rate > 0 else { throw ReadError(file: path, reason: "sample rate \(rate) Hz") }
        // MP3 frame counts are estimates: read in blocks until the decoder stops.
        var samples: [Int16] = []
        var block = [Int16](repeating: 0, count: 4_096 * channels)
        while true {
            let got = block.withUnsafeMutableBufferPointer { sf_readf_short(handle, $0.baseAddress, 4_096) }
            if got <= 0 { break }
            samples.append(contentsOf: block[0..<(Int(got) * channels)])
        }
        if sf_error(handle) != 0 {
            throw ReadError(file: path, reason: String(cString: sf_strerror(handle)))
        }
        guard !samples.isEmpty else { throw ReadError(file: path, reason: "no audio in the file") }
        return PCMBuffer(sampleRate: rate, channels: channels, samples: samples)
    }
}

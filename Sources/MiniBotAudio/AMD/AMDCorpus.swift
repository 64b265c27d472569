import Foundation
import MiniBotCore

/// A labelled AMD corpus as `scripts/amd-corpus` writes it: WAV files and a
/// `manifest.tsv` (file, label, scenario, …, speech_end_ms, beep_start_ms,
/// beep_end_ms, …) with a header line naming the columns.
public struct AMDCorpus: Sendable {
    /// One clip and the truth about it.
    public struct Clip: Sendable, Equatable {
        public var path: String
        public var label: AMDResult
        /// The generator's scenario (`allo-wait`, `late-beep`, …).
        public var scenario: String
        /// What was said (utterances separated by ` | `).
        public var text: String
        /// When the first utterance began.
        public var speechStart: Duration
        /// When the person's first utterance, or the machine's whole greeting, ended.
        public var speechEnd: Duration
        public var beepStart: Duration?
        public var beepEnd: Duration?
    }

    public var directory: String
    public var clips: [Clip]

    /// Reads `directory/manifest.tsv`.
    public init(directory: String) throws {
        self.directory = directory
        let path = (directory as NSString).appendingPathComponent("manifest.tsv")
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AMDCorpusError(description: "cannot read \(path): generate the corpus with scripts/amd-corpus \(directory)")
        }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first else { throw AMDCorpusError(description: "\(path) is empty") }
        func column(_ name: String) throws -> Int {
            guard let index = header.firstIndex(of: name) else { throw AMDCorpusError(description: "\(path) has no \(name) column") }
            return index
        }
        let file = try column("file"), label = try column("label"), scenario = try column("scenario")
        let text = try column("text"), start = try column("speech_start_ms")
        let end = try column("speech_end_ms"), beepStart = try column("beep_start_ms"), beepEnd = try column("beep_end_ms")
        func ms(_ text: String) -> Duration? { Int(text).map { .milliseconds($0) } }
        clips = try lines.dropFirst().enumerated().map { n, fields in
            guard fields.count == header.count, let result = AMDResult(rawValue: fields[label]),
                  let speechStart = ms(fields[start]), let speechEnd = ms(fields[end]) else {
                throw AMDCorpusError(description: "\(path) line \(n + 2): expected \(header.count) tab-separated fields with a label and speech times")
            }
            return Clip(path: (directory as NSString).appendingPathComponent(fields[file]), label: result, scenario: fields[scenario],
                        text: fields[text], speechStart: speechStart, speechEnd: speechEnd,
                        beepStart: ms(fields[beepStart]), beepEnd: ms(fields[beepEnd]))
        }
    }

    /// The 20 ms frames of an 8 kHz mono clip (other rates are resampled, stereo mixed down).
    public static func frames(ofFile path: String) throws -> [AudioFrame] {
        var buffer = try WAVFile.read(path: path).buffer.mono()
        if buffer.sampleRate != 8_000 { buffer = try Resampler.resample(buffer, to: 8_000) }
        return buffer.frames()
    }
}

/// A corpus that cannot be read, and how to make it.
public struct AMDCorpusError: Error, CustomStringConvertible {
    public var description: String
}

import Foundation

/// Where a call's files go under the data directory, as the seed laid them
/// out: answer clips in `recordings/`, the full call in `assembled/`, the
/// transcripts in `transcripts/`. Paths stored with the call are relative to
/// the data directory.
public struct CallFiles: Sendable {
    public let dataDirectory: String

    public init(dataDirectory: String) {
        self.dataDirectory = dataDirectory
    }

    public static let recordings = "recordings"
    public static let assembled = "assembled"
    public static let transcripts = "transcripts"

    public func clip(callID: String, sequence: Int, step: String) -> String {
        "\(Self.recordings)/\(Self.safe(callID))_\(sequence)_\(Self.safe(step)).wav"
    }

    public func fullCall(callID: String) -> String { "\(Self.assembled)/\(Self.safe(callID)).wav" }
    public func transcriptJSON(callID: String) -> String { "\(Self.transcripts)/\(Self.safe(callID)).json" }
    public func transcriptText(callID: String) -> String { "\(Self.transcripts)/\(Self.safe(callID)).txt" }

    public func absolute(_ relative: String) -> String {
        (dataDirectory as NSString).appendingPathComponent(relative)
    }

    /// Creates the three folders.
    public func prepare() throws {
        for folder in [Self.recordings, Self.assembled, Self.transcripts] {
            try FileManager.default.createDirectory(atPath: absolute(folder), withIntermediateDirectories: true)
        }
    }

    /// A file-name-safe form of an identifier: letters, digits, `-`, `_`, `.` kept, the rest `_`.
    static func safe(_ text: String) -> String {
        String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "_" }).replacingOccurrences(of: "..", with: "__")
    }
}

import Foundation

/// The official whisper.cpp ggml models `minibot models install` knows:
/// their file names, where they are published, their SHA-1 (from
/// whisper.cpp's `models/README.md`) and their size.
public struct OfficialModel: Sendable, Equatable {
    /// The name users type (`base`, `large-v3-turbo`).
    public let name: String
    /// The file name, `ggml-<name>.bin`.
    public var fileName: String { "ggml-\(name).bin" }
    /// SHA-1 of the file, lowercase hexadecimal.
    public let sha1: String
    /// Approximate size, for messages.
    public let approximateSize: String

    /// Where whisper.cpp's project publishes the file.
    public var url: URL {
        URL(string: "https://huggingface.co/ggerganov/whisper.cpp/resolve/main/\(fileName)")!
    }

    /// Every installable model.
    public static let all: [OfficialModel] = [
        OfficialModel(name: "base", sha1: "465707469ff3a37a2b9b8d8f89f2f99de7299dac", approximateSize: "142 MiB"),
        OfficialModel(name: "small", sha1: "55356645c2b361a969dfd0ef2c5a50d530afd8d5", approximateSize: "466 MiB"),
        OfficialModel(name: "medium", sha1: "fd9727b6e1217c2f614f9b698455c4ffd82463b4", approximateSize: "1.5 GiB"),
        OfficialModel(name: "large-v3-turbo", sha1: "4af2b29d7ec73d781377bfd1758ca957a807e941", approximateSize: "1.5 GiB"),
    ]

    /// The model called `name`, or an error listing the known names.
    public static func named(_ name: String) throws -> OfficialModel {
        guard let model = all.first(where: { $0.name == name }) else {
            throw SpeechError.unknownModel(name: name, known: all.map(\.name))
        }
        return model
    }
}

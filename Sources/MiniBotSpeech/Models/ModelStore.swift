import Foundation

/// The folder where Whisper models live: `<data_dir>/models`. Every `*.bin`
/// file there is a model; `minibot transcribe --model NAME` finds
/// `ggml-NAME.bin` or `NAME.bin` in it.
public struct ModelStore: Sendable {
    /// One installed model.
    public struct Entry: Sendable, Equatable, Codable {
        public var name: String
        public var path: String
        public var bytes: Int
    }

    public let folder: String

    /// The store of the data directory `dataDirectory`.
    public init(dataDirectory: String) {
        folder = URL(fileURLWithPath: dataDirectory).appendingPathComponent("models").path
    }

    /// The models present, sorted by name.
    public func list() -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".bin") }.sorted().map { name in
            let path = URL(fileURLWithPath: folder).appendingPathComponent(name).path
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            var short = String(name.dropLast(4))
            if short.hasPrefix("ggml-") { short.removeFirst(5) }
            return Entry(name: short, path: path, bytes: size)
        }
    }

    /// `reference` as a file path: an existing file as given, else an
    /// installed model of that name; nil when neither exists.
    public func resolve(_ reference: String) -> String? {
        if FileManager.default.fileExists(atPath: reference) { return reference }
        for candidate in ["ggml-\(reference).bin", "\(reference).bin", reference] {
            let path = URL(fileURLWithPath: folder).appendingPathComponent(candidate).path
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        return nil
    }

    /// Creates the folder if needed.
    public func prepare() throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw SpeechError.cannotWrite(file: folder, reason: (error as NSError).localizedDescription)
        }
    }
}

import Crypto
import Foundation
import MiniBotCore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Downloads an official ggml model into a ``ModelStore``, checks its SHA-1
/// and only then moves it into place: a failed or corrupt download never
/// leaves a file a recogniser would load.
public struct ModelInstaller: Sendable {
    public let store: ModelStore

    public init(store: ModelStore) {
        self.store = store
    }

    /// Installs `model` (from `source`, the official URL by default) and
    /// returns its path. An existing file with the right checksum is kept.
    @discardableResult
    public func install(_ model: OfficialModel, from source: URL? = nil) async throws -> String {
        try store.prepare()
        let destination = URL(fileURLWithPath: store.folder).appendingPathComponent(model.fileName).path
        if FileManager.default.fileExists(atPath: destination),
           (try? Self.sha1(ofFile: destination)) == model.sha1 {
            return destination
        }
        let url = source ?? model.url
        let downloaded = try await download(url)
        defer { try? FileManager.default.removeItem(at: downloaded) }
        try Self.verify(file: downloaded.path, sha1: model.sha1, reportedAs: url.absoluteString)
        do {
            if FileManager.default.fileExists(atPath: destination) { try FileManager.default.removeItem(atPath: destination) }
            try FileManager.default.moveItem(atPath: downloaded.path, toPath: destination)
        } catch {
            throw SpeechError.cannotWrite(file: destination, reason: (error as NSError).localizedDescription)
        }
        return destination
    }

    /// Throws ``SpeechError/checksumMismatch(file:expected:actual:)`` unless
    /// `file`'s SHA-1 is `sha1`.
    public static func verify(file: String, sha1 expected: String, reportedAs name: String? = nil) throws {
        let actual = try sha1(ofFile: file)
        guard actual == expected.lowercased() else {
            throw SpeechError.checksumMismatch(file: name ?? file, expected: expected.lowercased(), actual: actual)
        }
    }

    /// SHA-1 of a file, lowercase hexadecimal, read in 4 MiB pieces.
    public static func sha1(ofFile file: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: file) else {
            throw SpeechError.downloadFailed(url: file, reason: "cannot read the file")
        }
        defer { try? handle.close() }
        var hasher = Insecure.SHA1()
        while let chunk = try? handle.read(upToCount: 4 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return lowercaseHex(hasher.finalize())
    }

    private func download(_ url: URL) async throws -> URL {
        let partial = URL(fileURLWithPath: store.folder).appendingPathComponent(".download-\(UUID().uuidString)")
        let temporary: URL
        let response: URLResponse
        do {
            (temporary, response) = try await URLSession.shared.download(from: url)
        } catch {
            throw SpeechError.downloadFailed(url: url.absoluteString, reason: (error as NSError).localizedDescription)
        }
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            try? FileManager.default.removeItem(at: temporary)
            throw SpeechError.downloadFailed(url: url.absoluteString, reason: "HTTP \(http.statusCode)")
        }
        do {
            try FileManager.default.moveItem(at: temporary, to: partial)
        } catch {
            throw SpeechError.cannotWrite(file: partial.path, reason: (error as NSError).localizedDescription)
        }
        return partial
    }
}

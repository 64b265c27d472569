import Foundation
import MiniBotAudio
import Testing

/// The files `scripts/fetch-test-model` prepares under `.deps/speech-test`,
/// and `scripts/fetch-whisper`'s library. Under CI (`CI=true`) a missing file
/// fails the tests that need it; locally those tests are skipped.
enum SpeechTestData {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let folder = root.appendingPathComponent(".deps/speech-test")
    static let model = folder.appendingPathComponent("ggml-base.bin").path
    static let ct2Model = folder.appendingPathComponent("faster-whisper-base").path
    static let clips = folder.appendingPathComponent("clips")
    static let server = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("transcription_server.py").path

    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// True when the model and clips are there.
    static var available: Bool {
        FileManager.default.fileExists(atPath: model)
            && FileManager.default.fileExists(atPath: clips.appendingPathComponent("manifest.tsv").path)
    }

    /// Runs the test when the data is there, and always under CI (where its
    /// absence is a failure).
    static var needed: ConditionTrait {
        .enabled(if: available || isCI, "speech test data missing: run scripts/fetch-whisper && scripts/fetch-test-model")
    }

    struct Missing: Error, CustomStringConvertible {
        let path: String
        var description: String { "\(path) is missing: run scripts/fetch-whisper && scripts/fetch-test-model (scripts/setup does)" }
    }

    /// Throws unless `path` exists.
    static func require(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw Missing(path: path) }
    }

    struct Clip: Sendable {
        let file: String
        let voice: String
        let text: String
        func audio() throws -> PCMBuffer { try WAVFile.read(path: file).buffer }
    }

    /// The clips of `voice` listed in the manifest, in order.
    static func clips(voice: String) throws -> [Clip] {
        let manifest = clips.appendingPathComponent("manifest.tsv").path
        try require(manifest)
        let lines = try String(contentsOfFile: manifest, encoding: .utf8).split(separator: "\n").dropFirst()
        return lines.compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3, fields[1] == voice else { return nil }
            return Clip(file: clips.appendingPathComponent(fields[0]).path, voice: fields[1], text: fields[2])
        }
    }

    /// The `minibot` executable built beside the running tests.
    static var minibot: String {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("minibot").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder.deleteLastPathComponent()
        }
        return "minibot-not-built"
    }
}

/// The tests that run the real whisper.cpp library, the converter on the real
/// model, and real server processes: one at a time (they each want both
/// cores), and only where the test data is (always under CI).
@Suite(.serialized, SpeechTestData.needed) enum RealLibraryTests {}

import Foundation
import Testing
@testable import MiniBotSpeech

@Suite struct ModelInstallerTests {
    static func temporaryDataDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("minibot-models-\(UUID().uuidString)").path
    }

    @Test func sha1OfKnownContent() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("abc-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        _ = FileManager.default.createFile(atPath: file, contents: Data("abc".utf8))
        #expect(try ModelInstaller.sha1(ofFile: file) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        try ModelInstaller.verify(file: file, sha1: "A9993E364706816ABA3E25717850C26C9CD0D89D")
        #expect(throws: SpeechError.checksumMismatch(file: file, expected: "0000000000000000000000000000000000000000",
                                                     actual: "a9993e364706816aba3e25717850c26c9cd0d89d")) {
            try ModelInstaller.verify(file: file, sha1: "0000000000000000000000000000000000000000")
        }
    }

    @Test func catalogueKnowsTheFourModelsAndNamesTheOthers() throws {
        #expect(OfficialModel.all.map(\.name) == ["base", "small", "medium", "large-v3-turbo"])
        #expect(try OfficialModel.named("base").url.absoluteString
                == "https://huggingface.co/ggerganov/whisper.cpp/resolve/main/ggml-base.bin")
        #expect(throws: SpeechError.unknownModel(name: "huge", known: ["base", "small", "medium", "large-v3-turbo"])) {
            try OfficialModel.named("huge")
        }
    }

    @Test func anUnreachableSourceFailsAndLeavesNothing() async throws {
        let data = Self.temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let store = ModelStore(dataDirectory: data)
        do {
            try await ModelInstaller(store: store).install(try OfficialModel.named("base"), from: URL(string: "http://127.0.0.1:9/ggml-base.bin")!)
            Issue.record("installed from nowhere")
        } catch let error as SpeechError {
            guard case .downloadFailed = error else { Issue.record("unexpected \(error)"); return }
            #expect(error.description.contains("minibot models convert"))
        }
        #expect(store.list().isEmpty)
        #expect((try FileManager.default.contentsOfDirectory(atPath: store.folder)).isEmpty)
    }

    @Test func storeListsAndResolvesInstalledModels() throws {
        let data = Self.temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let store = ModelStore(dataDirectory: data)
        try store.prepare()
        _ = FileManager.default.createFile(atPath: store.folder + "/ggml-base.bin", contents: Data(count: 10))
        _ = FileManager.default.createFile(atPath: store.folder + "/notes.txt", contents: Data())
        #expect(store.list() == [ModelStore.Entry(name: "base", path: store.folder + "/ggml-base.bin", bytes: 10)])
        #expect(store.resolve("base") == store.folder + "/ggml-base.bin")
        #expect(store.resolve("small") == nil)
    }
}

extension RealLibraryTests {
    /// Downloads from a real local HTTP server (transcription_server.py's /files/).
    @Suite struct ModelDownloadTests {
        @Test func aDownloadIsCheckedBeforeItIsInstalled() async throws {
            let served = FileManager.default.temporaryDirectory.appendingPathComponent("served-\(UUID().uuidString)")
            let data = ModelInstallerTests.temporaryDataDirectory()
            try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: served); try? FileManager.default.removeItem(atPath: data) }
            _ = FileManager.default.createFile(atPath: served.appendingPathComponent("ggml-test.bin").path, contents: Data("abc".utf8))
            let server = try TranscriptionServerProcess(files: served.path)
            let source = server.baseURL.appendingPathComponent("files/ggml-test.bin")
            let store = ModelStore(dataDirectory: data)

            let wrong = OfficialModel(name: "test", sha1: "0000000000000000000000000000000000000000", approximateSize: "3 B")
            await #expect(throws: SpeechError.checksumMismatch(file: source.absoluteString, expected: wrong.sha1,
                                                               actual: "a9993e364706816aba3e25717850c26c9cd0d89d")) {
                try await ModelInstaller(store: store).install(wrong, from: source)
            }
            #expect(store.list().isEmpty)

            let right = OfficialModel(name: "test", sha1: "a9993e364706816aba3e25717850c26c9cd0d89d", approximateSize: "3 B")
            let path = try await ModelInstaller(store: store).install(right, from: source)
            #expect(path == store.folder + "/ggml-test.bin")
            #expect(store.list().map(\.name) == ["test"])
            #expect((try FileManager.default.contentsOfDirectory(atPath: store.folder)) == ["ggml-test.bin"])
        }
    }
}

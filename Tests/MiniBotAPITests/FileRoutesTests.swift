import Foundation
import Hummingbird
import HummingbirdTesting
import MiniBotTestSupport
import Testing
@testable import MiniBotAPI

/// Recordings, full calls and transcripts: served from their folders only.
@Suite("Call files: ranges and traversal")
struct FileRoutesTests {
    static let audio = Data((0..<1000).map { UInt8($0 % 251) })

    /// recordings/a_0_hello.wav, assembled/a.wav, transcripts/a.json|.txt,
    /// and a secret next to the data directory's folders.
    func files(_ api: APIHarness) throws {
        let fm = FileManager.default
        for folder in ["recordings", "assembled", "transcripts"] {
            try fm.createDirectory(atPath: "\(api.dataDir)/\(folder)", withIntermediateDirectories: true)
        }
        try Self.audio.write(to: URL(fileURLWithPath: "\(api.dataDir)/recordings/a_0_hello.wav"))
        try Self.audio.write(to: URL(fileURLWithPath: "\(api.dataDir)/assembled/a.wav"))
        try Data(#"{"call_id":"a"}"#.utf8).write(to: URL(fileURLWithPath: "\(api.dataDir)/transcripts/a.json"))
        try Data("bot: bonjour\n".utf8).write(to: URL(fileURLWithPath: "\(api.dataDir)/transcripts/a.txt"))
        try Data("SECRET".utf8).write(to: URL(fileURLWithPath: "\(api.dataDir)/secret.txt"))
    }

    @Test("each kind of file is served whole, with its type")
    func whole() async throws {
        try await withAPI(.sqlite) { api in
            try files(api)
            let clip = try await api.get("/calls/recordings/a_0_hello.wav", key: api.read)
            #expect(clip.status == .ok && Data(clip.body.readableBytesView) == Self.audio)
            #expect(clip.headers[.contentType] == "audio/wav" && clip.headers[.acceptRanges] == "bytes")
            #expect(try await api.get("/calls/assembled/a.wav").status == .ok)
            let json = try await api.get("/calls/transcripts/a.json")
            #expect(json.status == .ok && json.text == #"{"call_id":"a"}"# && json.headers[.contentType] == "application/json")
            let text = try await api.get("/calls/transcripts/a.txt")
            #expect(text.status == .ok && text.text == "bot: bonjour\n")
            #expect(try await api.get("/calls/transcripts/zz.json").status == .notFound)
            #expect(try await api.get("/calls/recordings/none.wav").status == .notFound)
        }
    }

    @Test("Range requests: a-b, a-, -n answer 206 with Content-Range; beyond the end is 416",
          arguments: [("bytes=0-99", 0...99), ("bytes=900-", 900...999), ("bytes=-10", 990...999), ("bytes=990-5000", 990...999)])
    func ranges(_ header: String, _ expected: ClosedRange<Int>) async throws {
        try await withAPI(.sqlite) { api in
            try files(api)
            let response = try await api.send(.get, "/calls/assembled/a.wav", key: api.admin, headers: [.range: header])
            #expect(response.status == .partialContent)
            #expect(response.headers[.contentRange] == "bytes \(expected.lowerBound)-\(expected.upperBound)/1000")
            #expect(Data(response.body.readableBytesView) == Self.audio[expected])
        }
    }

    @Test("an unsatisfiable range is 416 with the size")
    func unsatisfiable() async throws {
        try await withAPI(.sqlite) { api in
            try files(api)
            let response = try await api.send(.get, "/calls/assembled/a.wav", key: api.admin, headers: [.range: "bytes=1000-"])
            #expect(response.status == .rangeNotSatisfiable && response.headers[.contentRange] == "bytes */1000" && response.isProblem)
        }
    }

    @Test("traversal attempts are refused and never serve the secret",
          arguments: ["/calls/recordings/..%2Fsecret.txt", "/calls/recordings/%2e%2e%2fsecret.txt", "/calls/recordings/%2E%2E%2Fsecret.txt",
                      "/calls/recordings/..%252Fsecret.txt", "/calls/recordings/%2Fetc%2Fpasswd", "/calls/recordings/%2F" ,
                      "/calls/assembled/..%5Csecret.txt", "/calls/recordings/a_0_hello.wav%00.txt", "/calls/recordings/%00",
                      "/calls/recordings/..", "/calls/recordings/.hidden", "/calls/transcripts/..%2Fsecret.txt",
                      "/calls/transcripts/..%2F..%2Fsecret.json", "/calls/recordings/../secret.txt", "/calls/recordings/%2e%2e"])
    func traversal(_ uri: String) async throws {
        try await withAPI(.sqlite) { api in
            try files(api)
            let response = try await api.get(uri)
            #expect(response.status == .unprocessableContent || response.status == .notFound, "\(uri): \(response.status)")
            #expect(!response.text.contains("SECRET") && !response.text.contains(api.dataDir))
        }
    }

    @Test("traversal attempts through a live server's HTTP parser are refused too",
          arguments: ["/calls/recordings/..%2Fsecret.txt", "/calls/recordings/%2e%2e%2fsecret.txt", "/calls/recordings/%2Fetc%2Fpasswd",
                      "/calls/recordings/a%00.wav", "/calls/recordings/../secret.txt", "/calls/recordings/..%5csecret.txt",
                      "/calls/../secret.txt", "/calls/recordings/%2e%2e/secret.txt"])
    func liveTraversal(_ uri: String) async throws {
        try await withAPI(.sqlite, mode: .live) { api in
            try files(api)
            let response = try await api.get(uri)
            #expect([.unprocessableContent, .notFound, .badRequest].contains(response.status), "\(uri): \(response.status)")
            #expect(!response.text.contains("SECRET") && !response.text.contains(api.dataDir))
        }
    }

    @Test("a symbolic link pointing out of the folder is refused; one inside it is served")
    func symlinks() async throws {
        try await withAPI(.sqlite) { api in
            try files(api)
            let fm = FileManager.default
            try fm.createSymbolicLink(atPath: "\(api.dataDir)/recordings/out.wav", withDestinationPath: "\(api.dataDir)/secret.txt")
            try fm.createSymbolicLink(atPath: "\(api.dataDir)/transcripts/b.json", withDestinationPath: "../secret.txt")
            try fm.createSymbolicLink(atPath: "\(api.dataDir)/recordings/in.wav", withDestinationPath: "a_0_hello.wav")
            for uri in ["/calls/recordings/out.wav", "/calls/transcripts/b.json"] {
                let response = try await api.get(uri)
                #expect(response.status == .notFound && !response.text.contains("SECRET"), "\(uri)")
            }
            #expect(try await api.get("/calls/recordings/in.wav").status == .ok)
        }
    }

    @Test("file names: only plain names pass", arguments: [
        ("a.wav", true), ("call-1_0_q1.wav", true), ("..", false), (".env", false), ("a/b", false), ("a\\b", false),
        ("a\0b", false), ("", false), ("é.wav", false), ("a..b", false), (String(repeating: "a", count: 256), false),
    ])
    func names(_ name: String, _ plain: Bool) {
        #expect(SafeFile.isPlainName(name) == plain)
    }
}

import Foundation

/// Starts `speech_server.py`, a real OpenAI-compatible `/v1/audio/speech`
/// server (Python standard library; Pico's voice with `pico: true`), and
/// stops it at the end. Each request it gets is one JSON line in ``log``.
final class SpeechServerProcess {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("speech_server.py").path

    let process = Process()
    let input = Pipe()
    let port: Int
    let log: URL
    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    struct StartFailed: Error, CustomStringConvertible {
        let reason: String
        var description: String { "speech_server.py did not start: \(reason)" }
    }

    /// One request as the server logged it.
    struct Request: Decodable {
        let path: String
        let authorization: String?
        let body: String
        var json: [String: String] { (try? JSONDecoder().decode([String: String].self, from: Data(body.utf8))) ?? [:] }
    }

    /// - Parameters:
    ///   - python: the interpreter; with `pico`, one that has py-nanotts (`.deps/tts/bin/python`).
    ///   - options: the script's options (`--fail-first`, `--status`, `--rate`…).
    init(python: String = "/usr/bin/python3", pico: Bool = false, options: [String] = []) throws {
        log = FileManager.default.temporaryDirectory.appendingPathComponent("speech-server-\(UUID().uuidString).log")
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Self.script, "--log", log.path] + (pico ? ["--pico"] : []) + options
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = input       // the server exits when this closes
        try process.run()
        // The first line is "PORT <n>".
        var line = Data()
        while let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw StartFailed(reason: "first line was \"\(text)\"")
        }
        self.port = port
    }

    /// The requests received so far.
    var requests: [Request] {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Request.self, from: Data($0.utf8)) }
    }

    deinit {
        // SIGKILL: the child inherits the test runner's blocked signal mask,
        // so SIGTERM may never be delivered.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: log)
    }
}

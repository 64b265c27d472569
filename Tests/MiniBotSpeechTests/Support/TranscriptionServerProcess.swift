import Foundation

/// Starts `transcription_server.py` (Python standard library), a real HTTP
/// server that transcribes with the built `minibot`, and stops it at the end.
final class TranscriptionServerProcess {
    let process = Process()
    let input = Pipe()
    let port: Int
    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    struct StartFailed: Error, CustomStringConvertible {
        let reason: String
        var description: String { "transcription_server.py did not start: \(reason)" }
    }

    init(apiKey: String? = nil, failFirst: Int = 0, files: String? = nil) throws {
        var arguments = [SpeechTestData.server, "--minibot", SpeechTestData.minibot, "--model", SpeechTestData.model,
                         "--fail-first", String(failFirst)]
        if let apiKey { arguments += ["--api-key", apiKey] }
        if let files { arguments += ["--files", files] }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
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

    deinit {
        // SIGKILL: the child inherits the test runner's blocked signal mask,
        // so SIGTERM may never be delivered.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

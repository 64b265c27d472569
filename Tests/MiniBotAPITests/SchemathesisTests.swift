import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MiniBotCore
import MiniBotStore
import MiniBotTestSupport
import Testing

/// Schemathesis (from PyPI; scripts/test installs it in .deps/schemathesis)
/// generates requests from the OpenAPI document — valid, edge-case and
/// malformed — against a live `minibot serve` with data in it, and fails on
/// any 5xx answer.
@Suite("schemathesis against a live server")
struct SchemathesisTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let tool = root.appendingPathComponent(".deps/schemathesis/bin/schemathesis").path
    static var installed: Bool { FileManager.default.isExecutableFile(atPath: tool) }
    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    struct Created: Decodable { var key: String }

    @Test(.enabled(if: installed || isCI, "schemathesis is not installed in .deps/schemathesis: run scripts/test"))
    func noRequestMakesAServerError() async throws {
        let folder = temporaryFolder("minibot-schemathesis")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let environment = ["MINIBOT_DATA_DIR": folder + "/data", "MINIBOT_DATABASE_URL": "sqlite://\(folder)/db.sqlite"]
        let created = try await MinibotProcess.run(["apikey", "create", "--name", "fuzz", "--scope", "admin", "--json"], environment: environment)
        try #require(created.status == 0, "\(created.stderr)")
        let key = try JSONDecoder().decode(Created.self, from: Data(created.stdout.utf8)).key
        let store = try await openStore(url: environment["MINIBOT_DATABASE_URL"]!, logger: testLogger)
        try await seedCalls(store)
        await store.close()

        let port = Int.random(in: 20_000...60_000)
        let log = folder + "/serve.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let server = try MinibotProcess.start(["serve", "--port", "\(port)", "--no-dialer"], environment: environment,
                                              stderr: try FileHandle(forWritingTo: URL(fileURLWithPath: log)))
        defer { if server.isRunning { server.terminate() } }
        let base = "http://127.0.0.1:\(port)"
        var up = false
        for _ in 0..<100 where !up {
            up = (try? await URLSession.shared.data(from: URL(string: base + "/health")!)) != nil
            if !up { try await Task.sleep(for: .milliseconds(200)) }
        }
        try #require(up, "minibot serve did not answer")

        let report = folder + "/report.txt"
        let status = try await run(Self.tool, [
            "run", base + "/openapi.json", "--url", base, "-H", "Authorization: Bearer \(key)",
            "--checks", "not_a_server_error", "--max-examples", "15", "--workers", "1", "--seed", "20261128",
            "--no-color",
        ], output: report)
        let text = (try? String(contentsOfFile: report, encoding: .utf8)) ?? ""
        let serverLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(status == 0, "schemathesis found a problem:\n\(text.suffix(6_000))\nserver log:\n\(serverLog.suffix(3_000))")
        #expect(text.contains("passed"), "\(text.suffix(2_000))")
    }

    /// Runs a tool to its end, stdout and stderr into `output`.
    func run(_ tool: String, _ arguments: [String], output: String) async throws -> Int32 {
        FileManager.default.createFile(atPath: output, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        // Its caches (.schemathesis, .hypothesis) go beside the report, not into the checkout.
        process.currentDirectoryURL = URL(fileURLWithPath: output).deletingLastPathComponent()
        process.environment = ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1", "SCHEMATHESIS_TELEMETRY": "false"]) { $1 }
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in done.resume() }
            do { try process.run() } catch {
                process.terminationHandler = nil
                done.resume(throwing: error)
            }
        }
        return process.terminationStatus
    }
}

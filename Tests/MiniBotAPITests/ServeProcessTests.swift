import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MiniBotTestSupport
import Testing

/// The built `minibot`: `apikey create|list|revoke`, and `serve` answering
/// over HTTP and stopping cleanly on SIGTERM.
@Suite("minibot serve and apikey, as processes")
struct ServeProcessTests {
    struct Created: Decodable { var id: String; var key: String; var scope: String }

    func status(_ url: String, key: String? = nil) async -> Int? {
        var request = URLRequest(url: URL(string: url)!)
        request.timeoutInterval = 5
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        guard let (_, response) = try? await URLSession.shared.data(for: request) else { return nil }
        return (response as? HTTPURLResponse)?.statusCode
    }

    @Test("serve (with its dialer idle) answers with keys, refuses revoked ones, and exits 0 on SIGTERM")
    func serve() async throws {
        let folder = temporaryFolder("minibot-serve")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let environment = ["MINIBOT_DATA_DIR": folder + "/data", "MINIBOT_DATABASE_URL": "sqlite://\(folder)/db.sqlite"]
        let created = try await MinibotProcess.run(["apikey", "create", "--name", "ci", "--scope", "read", "--json"], environment: environment)
        try #require(created.status == 0, "\(created.stderr)")
        let key = try JSONDecoder().decode(Created.self, from: Data(created.stdout.utf8))
        #expect(key.key.hasPrefix("mbk_") && key.scope == "read")
        let listed = try await MinibotProcess.run(["apikey", "list", "--json"], environment: environment)
        #expect(listed.stdout.contains(key.id) && !listed.stdout.contains(key.key) && !listed.stdout.contains("hash"))

        let port = Int.random(in: 20_000...60_000)
        let server = try MinibotProcess.start(["serve", "--port", "\(port)", "--grace", "1"], environment: environment)
        defer { if server.isRunning { server.terminate() } }
        let base = "http://127.0.0.1:\(port)"
        var health: Int?
        for _ in 0..<100 where health == nil {
            health = await status(base + "/health")
            if health == nil { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(health == 200)
        #expect(await status(base + "/calls", key: key.key) == 200)
        #expect(await status(base + "/calls") == 401)
        let revoked = try await MinibotProcess.run(["apikey", "revoke", key.id], environment: environment)
        #expect(revoked.status == 0)
        #expect(await status(base + "/calls", key: key.key) == 401)

        kill(server.processIdentifier, SIGTERM)
        let start = ContinuousClock.now
        while server.isRunning && ContinuousClock.now - start < .seconds(15) { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!server.isRunning, "serve did not stop within 15 s of SIGTERM")
        if !server.isRunning { #expect(server.terminationStatus == 0) }
    }
}

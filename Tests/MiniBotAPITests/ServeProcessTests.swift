import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MiniBotCore
import MiniBotStore
import MiniBotTestSupport
import Testing

/// The built `minibot`: `apikey create|list|revoke`, and `serve` answering
/// over HTTP and stopping cleanly on SIGTERM.
@Suite("minibot serve and apikey, as processes")
struct ServeProcessTests {
    struct Created: Decodable { var id: String; var key: String; var scope: String }

    func body(_ url: String) async -> String {
        guard let (data, _) = try? await URLSession.shared.data(from: URL(string: url)!) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    func status(_ url: String, key: String? = nil) async -> Int? {
        var request = URLRequest(url: URL(string: url)!)
        request.timeoutInterval = 5
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        guard let (_, response) = try? await URLSession.shared.data(for: request) else { return nil }
        return (response as? HTTPURLResponse)?.statusCode
    }

    @Test("serve (its dialer failing on a campaign without prompts) answers with keys, refuses revoked ones, and exits 0 on SIGTERM")
    func serve() async throws {
        let folder = temporaryFolder("minibot-serve")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let environment = ["MINIBOT_DATA_DIR": folder + "/data", "MINIBOT_DATABASE_URL": "sqlite://\(folder)/db.sqlite"]
        let created = try await MinibotProcess.run(["apikey", "create", "--name", "ci", "--scope", "read", "--json"], environment: environment)
        try #require(created.status == 0, "\(created.stderr)")
        let key = try JSONDecoder().decode(Created.self, from: Data(created.stdout.utf8))
        #expect(key.key.hasPrefix("mbk_") && key.scope == "read")
        // An active campaign the dialer cannot run here (its prompts are missing): the API must stay up.
        let store = try await openStore(url: environment["MINIBOT_DATABASE_URL"]!, logger: testLogger)
        try await store.createCampaign(Campaign(id: "c1", name: "c1", scenario: "universal", createdAt: Date(), updatedAt: Date()))
        await store.close()
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
        var telephony = ""
        for _ in 0..<50 where !telephony.contains(#""telephony":{"state":"down"}"#) {
            telephony = await body(base + "/health")
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(telephony.contains(#""status":"degraded""#) && telephony.contains(#""telephony":{"state":"down"}"#), "\(telephony)")
        #expect(await status(base + "/calls", key: key.key) == 200)
        #expect(await status(base + "/calls") == 401)
        let revoked = try await MinibotProcess.run(["apikey", "revoke", key.id], environment: environment)
        #expect(revoked.status == 0)
        // Revoked by another process: refused once the server's kept keys are a second old.
        var refused = false
        for _ in 0..<30 where !refused {
            refused = await status(base + "/calls", key: key.key) == 401
            if !refused { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(refused, "a key revoked by the CLI was still accepted 3 s later")

        kill(server.processIdentifier, SIGTERM)
        let start = ContinuousClock.now
        while server.isRunning && ContinuousClock.now - start < .seconds(15) { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!server.isRunning, "serve did not stop within 15 s of SIGTERM")
        if !server.isRunning { #expect(server.terminationStatus == 0) }
    }

    @Test("serve sweeps call files past retention.days when it starts; retention.days 0 turns it off")
    func serveSweepsRetention() async throws {
        let folder = temporaryFolder("minibot-serve-retention")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let url = "sqlite://\(folder)/db.sqlite"
        let store = try await openStore(url: url, logger: testLogger)
        let start = Date().addingTimeInterval(-10 * 86_400)
        try await store.saveCall(Call(callID: "old", phone: "+33611111111", status: .completed, recordingPath: "assembled/old.wav",
                                      startedAt: start, endedAt: start))
        await store.close()
        try FileManager.default.createDirectory(atPath: folder + "/data/assembled", withIntermediateDirectories: true)
        let file = folder + "/data/assembled/old.wav"

        func serve(days: Int) async throws -> Bool {
            _ = FileManager.default.createFile(atPath: file, contents: Data(count: 100))
            let port = Int.random(in: 20_000...60_000)
            let server = try MinibotProcess.start(["serve", "--port", "\(port)", "--no-dialer"], environment: [
                "MINIBOT_DATA_DIR": folder + "/data", "MINIBOT_DATABASE_URL": url, "MINIBOT_RETENTION_DAYS": "\(days)"])
            defer { if server.isRunning { server.terminate() } }
            var up = false
            for _ in 0..<100 where !up {
                up = await status("http://127.0.0.1:\(port)/health") == 200
                if !up { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(up)
            for _ in 0..<20 where FileManager.default.fileExists(atPath: file) { try await Task.sleep(for: .milliseconds(100)) }
            kill(server.processIdentifier, SIGTERM)
            let stop = ContinuousClock.now
            while server.isRunning && ContinuousClock.now - stop < .seconds(15) { try await Task.sleep(for: .milliseconds(100)) }
            #expect(!server.isRunning && server.terminationStatus == 0)
            return !FileManager.default.fileExists(atPath: file)
        }
        #expect(try await !serve(days: 0), "retention.days 0 must keep every file")
        #expect(try await serve(days: 7), "serve did not sweep the 10-day-old call's file")
        let reopened = try await openStore(url: url, logger: testLogger)
        #expect(try await reopened.call(id: "old")?.filesPurgedAt != nil)
        await reopened.close()
    }
}

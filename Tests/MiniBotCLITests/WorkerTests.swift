import Foundation
import MiniBotAudio
import MiniBotCore
import MiniBotStore
import MiniBotTestSupport
import Testing

/// `minibot worker` processes against sipp: every contact is dialled exactly
/// once, whether two workers share the queue or one is killed mid-campaign.
/// What sipp received is the proof, not what we stored.
@Suite("Workers: exactly-once dialling across workers and crashes", .serialized)
struct WorkerTests {
    struct Setup {
        var folder: String
        var environment: [String: String]
        var campaign: String
        var sipp: Sipp
        var phones: [String]
    }

    /// A campaign of `count` contacts on `url`, dialled at sipp running `scenario`.
    func setUp(_ backend: Backend, url: String, count: Int, scenario: String, ringTimeout: Double, lease: Double,
               concurrency: Int) async throws -> Setup {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("workers-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder + "/sipp", withIntermediateDirectories: true)
        let sipp = try await Sipp.start(scenario: scenario, folder: folder + "/sipp", calls: count * 2, timeout: 300,
                                        extra: ["-trace_msg", "-message_file", folder + "/sipp/messages.log"])
        // A one-step scenario: nobody answers in these tests, but a campaign needs one.
        try WAVFile.writePCM16(Tone.sine(440, seconds: 0.5), to: folder + "/bye.wav")
        try "start: bye\nsteps:\n  bye: {prompt: bye.wav, final: true}\n".write(toFile: folder + "/s.yaml", atomically: true, encoding: .utf8)
        try """
            data_dir: \(folder)/data
            database_url: "\(url)"
            caller_id: {number: "+33162000000"}
            sip: {bind_host: 127.0.0.1, bind_port: 0, trunk: "127.0.0.1:\(sipp.port)", rtp_port_min: 43000, rtp_port_max: 43999}
            dialer: {max_concurrent_calls: \(concurrency), delay_between_calls: 0, queue_check_interval: 0.2, ring_timeout: \(ringTimeout), lease_seconds: \(lease)}
            speech: {engine: http, base_url: "http://127.0.0.1:9"}
            log_level: warning
            """.write(toFile: folder + "/minibot.yaml", atomically: true, encoding: .utf8)
        let phones = (0..<count).map { String(format: "+336100%05d", $0) }
        try ("phone\n" + phones.joined(separator: "\n") + "\n").write(toFile: folder + "/contacts.csv", atomically: true, encoding: .utf8)
        let environment = ["MINIBOT_CONFIG": folder + "/minibot.yaml"]
        let imported = try await MinibotProcess.run(["import", folder + "/contacts.csv"], environment: environment)
        #expect(imported.status == 0, "\(imported.stderr)")
        let created = try await MinibotProcess.run(["campaign", "create", "--name", "workers", "--scenario", folder + "/s.yaml",
                                                    "--no-compliance", "--max-attempts", "1"], environment: environment)
        #expect(created.status == 0, "\(created.stderr)")
        return Setup(folder: folder, environment: environment, campaign: created.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
                     sipp: sipp, phones: phones)
    }

    /// INVITEs sipp received, by dialled user, counting each Call-ID once (retransmissions are not new calls).
    func invitesByUser(_ setup: Setup) throws -> [String: Int] {
        let log = (try? String(contentsOfFile: setup.folder + "/sipp/messages.log", encoding: .utf8)) ?? ""
        var seen: Set<String> = []
        var counts: [String: Int] = [:]
        var user: String?
        for line in log.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("INVITE sip:") {
                user = line.dropFirst("INVITE sip:".count).split(separator: "@").first.map(String.init)
            } else if let current = user, line.lowercased().hasPrefix("call-id:") {
                let callID = line.dropFirst("call-id:".count).trimmingCharacters(in: .whitespaces)
                if seen.insert(callID).inserted { counts[current, default: 0] += 1 }
                user = nil
            }
        }
        return counts
    }

    /// The SIP ports the INVITEs came from: one per worker that dialled.
    func dialingPorts(_ setup: Setup) -> Set<String> {
        let log = (try? String(contentsOfFile: setup.folder + "/sipp/messages.log", encoding: .utf8)) ?? ""
        var ports: Set<String> = []
        for line in log.split(whereSeparator: \.isNewline) where line.hasPrefix("Via: SIP/2.0/UDP 127.0.0.1:") {
            if let port = line.dropFirst("Via: SIP/2.0/UDP 127.0.0.1:".count).split(separator: ";").first { ports.insert(String(port)) }
        }
        return ports
    }

    func waitForExit(_ process: Process, seconds: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { try? await Task.sleep(for: .milliseconds(100)) }
        return !process.isRunning
    }

    @Test(arguments: Backend.available)
    func twoWorkersNeverDialAContactTwice(_ backend: Backend) async throws {
        let (url, cleanup) = try await freshDatabase(backend)
        defer { Task { try? await cleanup() } }
        let setup = try await setUp(backend, url: url, count: backend == .postgres ? 500 : 200, scenario: "uas_busy.xml",
                                    ringTimeout: 10, lease: 30, concurrency: 20)
        let workers = try (0..<2).map { index in
            try MinibotProcess.start(["worker", "--campaign", setup.campaign, "--exit-when-idle"], environment: setup.environment,
                                     stderr: FileHandle(forWritingTo: URL(fileURLWithPath: Self.log(setup, "worker\(index)"))))
        }
        for worker in workers {
            let exited = await waitForExit(worker, seconds: 240)
            if !exited { worker.terminate() }
            #expect(exited, "a worker did not finish")
            #expect(worker.terminationStatus == 0)
        }
        let invites = try invitesByUser(setup)
        #expect(invites.count == setup.phones.count, "contacts dialled: \(invites.count) of \(setup.phones.count)")
        #expect(invites.values.allSatisfy { $0 == 1 }, "dialled twice: \(invites.filter { $0.value > 1 })")
        #expect(dialingPorts(setup).count == 2, "both workers dialled: \(dialingPorts(setup))")
        let store = try await openStore(url: url, logger: testLogger)
        let summary = try await store.queueSummary(campaignID: setup.campaign)
        #expect(summary[.completed] == setup.phones.count)
        await store.close()
        await setup.sipp.peer.stop()
    }

    @Test(arguments: Backend.available)
    func aKilledWorkersContactsAreNeitherLostNorDialledTwice(_ backend: Backend) async throws {
        let (url, cleanup) = try await freshDatabase(backend)
        defer { Task { try? await cleanup() } }
        let count = 40
        let setup = try await setUp(backend, url: url, count: count, scenario: "uas_ring_noanswer.xml", ringTimeout: 3, lease: 2,
                                    concurrency: 8)
        let first = try MinibotProcess.start(["worker", "--campaign", setup.campaign], environment: setup.environment,
                                             stderr: FileHandle(forWritingTo: URL(fileURLWithPath: Self.log(setup, "first"))))
        // Kill it while calls are ringing and contacts wait in its claims.
        var ringing = 0
        for _ in 0..<200 where ringing < 12 {
            try await Task.sleep(for: .milliseconds(100))
            ringing = try invitesByUser(setup).count
        }
        kill(first.processIdentifier, SIGKILL)
        _ = await waitForExit(first, seconds: 10)
        let dialledByFirst = try invitesByUser(setup).count
        #expect(dialledByFirst >= 8, "the first worker dialled only \(dialledByFirst)")
        #expect(dialledByFirst < count)

        let second = try MinibotProcess.start(["worker", "--campaign", setup.campaign, "--exit-when-idle"], environment: setup.environment,
                                              stderr: FileHandle(forWritingTo: URL(fileURLWithPath: Self.log(setup, "second"))))
        let exited = await waitForExit(second, seconds: 120)
        if !exited { second.terminate() }
        #expect(exited && second.terminationStatus == 0, "\((try? String(contentsOfFile: Self.log(setup, "second"), encoding: .utf8)) ?? "")")

        let invites = try invitesByUser(setup)
        #expect(invites.values.allSatisfy { $0 == 1 }, "dialled twice: \(invites.filter { $0.value > 1 })")
        let store = try await openStore(url: url, logger: testLogger)
        let summary = try await store.queueSummary(campaignID: setup.campaign)
        // The calls ringing when the first worker died are marked interrupted, not redialled.
        #expect((summary[.interrupted] ?? 0) + (summary[.completed] ?? 0) == count, "\(summary)")
        #expect((summary[.interrupted] ?? 0) >= 1)
        // Every contact sipp never saw was being dialled by the dead worker: a call is marked `calling` before its
        // INVITE leaves, so a kill between the two leaves it interrupted, never lost in the queue nor dialled later.
        for phone in setup.phones where invites[phone] == nil {
            let entry = try await store.queueEntry(campaignID: setup.campaign, phone: phone)
            #expect(entry?.status == .interrupted, "\(phone) was never dialled and is \(entry.map { "\($0.status)" } ?? "missing")")
        }
        #expect(count - invites.count <= 8, "contacts dialled: \(invites.count) of \(count)")
        await store.close()
        await setup.sipp.peer.stop()
    }

    @Test func sigtermStopsLaunchingAndLetsCallsInProgressFinish() async throws {
        let (url, cleanup) = try await freshDatabase(.sqlite)
        defer { Task { try? await cleanup() } }
        let setup = try await setUp(.sqlite, url: url, count: 30, scenario: "uas_ring_noanswer.xml", ringTimeout: 3, lease: 30,
                                    concurrency: 5)
        let worker = try MinibotProcess.start(["worker", "--campaign", setup.campaign, "--grace", "20"], environment: setup.environment,
                                              stderr: FileHandle(forWritingTo: URL(fileURLWithPath: Self.log(setup, "worker"))))
        var ringing = 0
        for _ in 0..<100 where ringing < 5 {
            try await Task.sleep(for: .milliseconds(100))
            ringing = try invitesByUser(setup).count
        }
        kill(worker.processIdentifier, SIGTERM)
        let exited = await waitForExit(worker, seconds: 30)
        if !exited { worker.terminate() }
        #expect(exited, "the worker did not stop within its grace")
        #expect(worker.terminationStatus == 0)
        let dialled = try invitesByUser(setup)
        #expect(dialled.count >= 5 && dialled.count < 30, "dialled \(dialled.count)")
        let store = try await openStore(url: url, logger: testLogger)
        let summary = try await store.queueSummary(campaignID: setup.campaign)
        // The calls ringing at SIGTERM ran to their end; nobody else was dialled; nothing is left claimed.
        #expect(summary[.completed] == dialled.count, "\(summary)")
        #expect(summary[.pending] == 30 - dialled.count, "\(summary)")
        let held: Int = (summary[.claimed] ?? 0) + (summary[.calling] ?? 0) + (summary[.interrupted] ?? 0)
        #expect(held == 0, "\(summary)")
        await store.close()
        await setup.sipp.peer.stop()
    }

    static func log(_ setup: Setup, _ name: String) -> String {
        let path = setup.folder + "/\(name).log"
        FileManager.default.createFile(atPath: path, contents: nil)
        return path
    }
}

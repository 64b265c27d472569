import Foundation
import MiniBotAudio
import MiniBotCore
import MiniBotStore
import MiniBotTestSupport
import Testing
@testable import MiniBotCLI

/// `minibot cleanup`, `minibot contacts forget` / `show --export` and
/// `minibot doctor`, the real executable on real files and both databases.
@Suite("Operations commands")
struct OperationsCommandTests {
    static let day: TimeInterval = 86_400
    let folder = temporaryFolder("minibot-ops-cli")
    var data: String { folder + "/data" }

    func withDatabase(_ backend: Backend, _ body: (String) async throws -> Void) async throws {
        let (url, cleanup) = try await freshDatabase(backend)
        do {
            try await body(url)
            try await cleanup()
        } catch {
            try? await cleanup()
            throw error
        }
    }

    func minibot(_ arguments: [String], url: String) async throws -> MinibotProcess.Result {
        try await MinibotProcess.run(arguments + ["--database-url", url], environment: ["MINIBOT_DATA_DIR": data, "MINIBOT_LOG_LEVEL": "warning"])
    }

    func write(_ relative: String, bytes: Int) throws {
        let path = data + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(repeating: 0x2a, count: bytes).write(to: URL(fileURLWithPath: path))
    }

    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: data + "/" + relative) }

    /// Two contacts, each with a call 40 days ago and its files; +33611111111's is a lead.
    func seed(_ url: String) async throws {
        let store = try await openStore(url: url, logger: testLogger)
        do {
            try await store.importContacts { sink in
                try await sink.upsert([try upsert("+33611111111", first: "Léa", status: .leads), try upsert("+33622222222", first: "Paul")], at: Date())
            }
            let start = Date().addingTimeInterval(-40 * Self.day)
            for (id, phone, lead) in [("lead-call", "+33611111111", true), ("other-call", "+33622222222", false)] {
                try await store.saveCall(Call(callID: id, phone: phone, status: .completed, isLead: lead, duration: 12,
                                              recordingPath: "assembled/\(id).wav", transcriptPath: "transcripts/\(id).json",
                                              startedAt: start, answeredAt: start, endedAt: start.addingTimeInterval(12)))
                try await store.addInteraction(CallInteraction(callID: id, sequence: 0, step: "hello", prompt: "Bonjour", transcription: "oui",
                                                                intent: "positive", startedAt: start, endedAt: start,
                                                                clipPath: "recordings/\(id)_0_hello.wav"))
                try write("assembled/\(id).wav", bytes: 4000)
                try write("transcripts/\(id).json", bytes: 300)
                try write("transcripts/\(id).txt", bytes: 30)
                try write("recordings/\(id)_0_hello.wav", bytes: 700)
            }
            await store.close()
        } catch {
            await store.close()
            throw error
        }
    }

    @Test("cleanup: dry run, JSON, leads kept until exported, rows marked purged", arguments: Backend.available)
    func cleanup(_ backend: Backend) async throws {
        try await withDatabase(backend) { url in
            try await seed(url)
            let dry = try await minibot(["cleanup", "--dry-run", "--json"], url: url)
            #expect(dry.status == 0, "\(dry.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [String: Any])
            #expect(report["dry_run"] as? Bool == true && report["calls"] as? Int == 1 && report["files"] as? Int == 4)
            #expect(report["bytes"] as? Int == 5030 && report["kept_unexported_leads"] as? Int == 1)
            #expect(exists("assembled/other-call.wav"))

            let text = try await minibot(["cleanup", "--older-than", "30d"], url: url)
            #expect(text.status == 0, "\(text.stderr)")
            #expect(text.stdout.contains("1 calls now marked purged; 1 lead calls kept until exported"), "\(text.stdout)")
            #expect(text.stdout.contains("full calls (assembled/)") && text.stdout.contains("4.0 KB") && text.stdout.contains("5.0 KB"))
            #expect(!exists("assembled/other-call.wav") && !exists("recordings/other-call_0_hello.wav") && !exists("transcripts/other-call.txt"))
            #expect(exists("assembled/lead-call.wav"))

            // Too young for 60 days: nothing.
            let young = try await minibot(["cleanup", "--older-than", "60", "--json"], url: url)
            #expect((try JSONSerialization.jsonObject(with: Data(young.stdout.utf8)) as? [String: Any])?["kept_unexported_leads"] as? Int == 0)

            // The export marks the lead exported; the next cleanup takes its files.
            let export = try await minibot(["export", "--status", "Leads", "--output", folder + "/leads.csv"], url: url)
            #expect(export.status == 0, "\(export.stderr)")
            let after = try await minibot(["cleanup", "--json"], url: url)
            let afterReport = try #require(try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [String: Any])
            #expect(afterReport["calls"] as? Int == 1 && afterReport["kept_unexported_leads"] as? Int == 0, "\(after.stdout)")
            #expect(!exists("assembled/lead-call.wav"))

            let store = try await openStore(url: url, logger: testLogger)
            let calls = try await store.calls(CallQuery()).calls
            await store.close()
            #expect(calls.count == 2 && calls.allSatisfy { $0.filesPurgedAt != nil && $0.recordingPath == nil })

            let bad = try await minibot(["cleanup", "--older-than", "soon"], url: url)
            #expect(bad.status != 0 && bad.stderr.contains("older-than"))
        }
    }

    @Test("contacts show --export, then forget: rows and files gone, only a hash on the opt-out list", arguments: Backend.available)
    func forget(_ backend: Backend) async throws {
        try await withDatabase(backend) { url in
            try await seed(url)
            let shown = try await minibot(["contacts", "show", "06 22 22 22 22", "--export"], url: url)
            #expect(shown.status == 0, "\(shown.stderr)")
            let export = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
            #expect((export["contact"] as? [String: Any])?["first_name"] as? String == "Paul")
            let calls = try #require(export["calls"] as? [[String: Any]])
            #expect(calls.count == 1 && (calls[0]["interactions"] as? [[String: Any]])?.first?["transcription"] as? String == "oui")
            let files = calls[0]["files"] as? [[String: Any]] ?? []
            #expect(files.count == 4 && files.allSatisfy { $0["exists"] as? Bool == true })
            #expect((export["opt_out"] as? [String: Any])?["opted_out"] as? Bool == false)

            let unconfirmed = try await minibot(["contacts", "forget", "0622222222"], url: url)
            #expect(unconfirmed.status != 0 && unconfirmed.stderr.contains("cannot be undone: add --yes") && !unconfirmed.stderr.contains("Usage"))
            #expect(exists("assembled/other-call.wav"))

            try FileManager.default.removeItem(atPath: data + "/transcripts/other-call.txt")  // as if on another host
            let forgotten = try await minibot(["contacts", "forget", "0622222222", "--yes"], url: url)
            #expect(forgotten.status == 0, "\(forgotten.stderr)")
            #expect(forgotten.stdout.contains("Erased +33622222222: contact deleted, 1 calls, 1 answers, 0 queue rows, 3 files (1 already gone)"), "\(forgotten.stdout)")
            #expect(forgotten.stderr.contains("1 files were not in \(data)") && forgotten.stderr.contains("  transcripts/other-call.txt\n"), "\(forgotten.stderr)")
            for file in ["assembled/other-call.wav", "transcripts/other-call.json", "transcripts/other-call.txt", "recordings/other-call_0_hello.wav"] {
                #expect(!exists(file), "\(file)")
            }
            #expect(exists("assembled/lead-call.wav"))
            let check = try await minibot(["optout", "check", "+33622222222"], url: url)
            #expect(check.status == 1 && check.stdout.contains("is opted out"))
            let list = try await minibot(["optout", "list", "--json"], url: url)
            #expect(list.stdout.contains(OptOutEntry.sha256(of: "+33622222222")) && !list.stdout.contains("22222222\""))
            let gone = try await minibot(["contacts", "show", "0622222222"], url: url)
            #expect(gone.status != 0 && gone.stderr.contains("no contact"))
            let empty = try await minibot(["contacts", "show", "0622222222", "--export"], url: url)
            #expect(empty.stdout.contains("\"calls\":[]") && empty.stdout.contains("\"opted_out\":true"))
            #expect(empty.stderr.contains("nothing held about +33622222222"))
            let bad = try await minibot(["contacts", "forget", "06 12", "--yes"], url: url)
            #expect(bad.status != 0 && !bad.stderr.isEmpty)
        }
    }

    /// The universal scenario's prompts as 8 kHz mono WAVs in DATA_DIR/prompts/universal.
    func writePrompts() throws {
        let prompts = data + "/prompts/universal"
        try FileManager.default.createDirectory(atPath: prompts, withIntermediateDirectories: true)
        for name in ["hello", "retry", "q1", "q2", "q3", "is_leads", "confirm", "bye_success", "bye_failed"] {
            try WAVFile.writePCM16(Tone.sine(440, seconds: 0.3), to: prompts + "/\(name).wav")
        }
    }

    func doctor(_ url: String, trunk: String, extra: [String] = []) async throws -> (MinibotProcess.Result, [String: [String: Any]]) {
        try """
            sip: {trunk: "\(trunk)"}
            speech: {engine: http, base_url: "http://127.0.0.1:9"}
            """.write(toFile: folder + "/minibot.yaml", atomically: true, encoding: .utf8)
        let result = try await MinibotProcess.run(["doctor", "--json", "--sip-timeout", "1.5", "--database-url", url] + extra,
                                                  environment: ["MINIBOT_DATA_DIR": data, "MINIBOT_CONFIG": folder + "/minibot.yaml"])
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        var checks: [String: [String: Any]] = [:]
        for check in object?["checks"] as? [[String: Any]] ?? [] { checks[check["name"] as? String ?? ""] = check }
        return (result, checks)
    }

    @Test("doctor against a sipp trunk answering OPTIONS, with good, resampled and broken prompts")
    func doctorWithSippTrunk() async throws {
        let backend = Backend.available.last ?? .sqlite
        try await withDatabase(backend) { url in
            try FileManager.default.createDirectory(atPath: folder + "/sipp", withIntermediateDirectories: true)
            let sipp = try await Sipp.start(scenario: "uas_options.xml", folder: folder + "/sipp", calls: 3, timeout: 60)
            do {
                try await doctorChecks(url, sipp: sipp)
                await sipp.peer.stop()
            } catch {
                await sipp.peer.stop()
                throw error
            }
        }
    }

    func doctorChecks(_ url: String, sipp: Sipp) async throws {
        do {
            try writePrompts()
            _ = try await minibot(["contacts", "stats"], url: url)  // migrates

            let (good, checks) = try await doctor(url, trunk: "127.0.0.1:\(sipp.port)")
            #expect(checks["database"]?["status"] as? String == "OK" && checks["migrations"]?["status"] as? String == "OK", "\(good.stdout)")
            #expect(checks["prompts universal"]?["status"] as? String == "OK", "\(good.stdout)")
            let trunk = try #require(checks["trunk"])
            #expect(trunk["status"] as? String == "OK", "\(good.stdout) \(sipp.errors)")
            #expect((trunk["detail"] as? String)?.contains("answered OPTIONS with 200 OK") == true && (trunk["detail"] as? String)?.contains("sipp-trunk") == true)
            #expect(checks["disk"]?["status"] as? String != nil && checks["clock"]?["status"] as? String != "FAIL")
            // The recogniser server at port 9 is not there: a FAIL with its fix, and the exit status says so.
            #expect(checks["recogniser"]?["status"] as? String == "FAIL" && (checks["recogniser"]?["fix"] as? String)?.isEmpty == false)
            #expect(good.status == 1)

            // A 16 kHz prompt works (converted at each start) but is worth a warning.
            try WAVFile.writePCM16(PCMBuffer(sampleRate: 16_000, channels: 1, samples: [Int16](repeating: 1000, count: 16_000)),
                                   to: data + "/prompts/universal/q3.wav")
            let (_, resampled) = try await doctor(url, trunk: "127.0.0.1:\(sipp.port)")
            #expect(resampled["prompts universal"]?["status"] as? String == "WARN")
            #expect((resampled["prompts universal"]?["detail"] as? String)?.contains("q3 (16000 Hz, mono)") == true)

            // A prompt that is not audio, and one missing: FAIL naming both.
            try Data("not a wav".utf8).write(to: URL(fileURLWithPath: data + "/prompts/universal/q2.wav"))
            try FileManager.default.removeItem(atPath: data + "/prompts/universal/confirm.wav")
            let (broken, failing) = try await doctor(url, trunk: "127.0.0.1:\(sipp.port)")
            let prompts = try #require(failing["prompts universal"])
            #expect(prompts["status"] as? String == "FAIL", "\(broken.stdout)")
            #expect((prompts["detail"] as? String)?.contains("missing: confirm") == true && (prompts["detail"] as? String)?.contains("q2 (") == true)
            #expect((prompts["fix"] as? String)?.contains("minibot prompts synthesize") == true)
            #expect(broken.status == 1)
        }
    }

    @Test("doctor: a trunk that does not answer and an unreachable database fail with their fixes")
    func doctorFailures() async throws {
        let silent = PeerProcess.freePort()
        let (result, checks) = try await doctor("postgres://nobody:secret@127.0.0.1:\(PeerProcess.freePort())/none", trunk: "127.0.0.1:\(silent)")
        #expect(result.status == 1)
        #expect(checks["database"]?["status"] as? String == "FAIL" && !(result.stdout.contains("secret")), "\(result.stdout)")
        #expect(checks["trunk"]?["status"] as? String == "FAIL" && (checks["trunk"]?["detail"] as? String)?.contains("no answer") == true)
        let text = try await MinibotProcess.run(["doctor", "--sip-timeout", "1", "--database-url", "sqlite://\(folder)/doctor.sqlite"],
                                                environment: ["MINIBOT_DATA_DIR": data, "MINIBOT_CONFIG": folder + "/minibot.yaml"])
        #expect(text.stdout.contains("FAIL  trunk") && text.stdout.contains("fix: "), "\(text.stdout)")
        #expect(text.stdout.contains("FAIL  prompts universal"))
    }
}

@Suite("Operations helpers")
struct OperationsHelperTests {
    @Test(arguments: [("30d", 2_592_000.0), ("12h", 43_200), ("90m", 5_400), ("45s", 45), ("7", 604_800), ("0.5d", 43_200)])
    func ages(_ text: String, _ seconds: Double) throws {
        #expect(try #require(RetentionAge(argument: text)).seconds == seconds)
    }

    @Test(arguments: ["", "d", "-1d", "2x", "soon", "nan"])
    func badAges(_ text: String) {
        #expect(RetentionAge(argument: text) == nil)
    }

    @Test(arguments: [(Int64(0), "0 B"), (999, "999 B"), (5_030, "5.0 KB"), (48_000, "48 KB"), (1_200_000, "1.2 MB"), (68_240_000_000, "68 GB")])
    func byteSizes(_ count: Int64, _ text: String) {
        #expect(ByteSize.text(count) == text)
    }
}

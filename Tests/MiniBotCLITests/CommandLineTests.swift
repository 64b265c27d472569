import Foundation
import MiniBotCore
import MiniBotStore
import MiniBotTestSupport
import Testing

/// The real `minibot` executable, run as a user would.
@Suite("minibot command line")
struct CommandLineTests {
    let folder = temporaryFolder("minibot-cli")

    func file(_ name: String, _ text: String) -> String {
        let path = folder + "/" + name
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    @Test func importListShowExportStats() async throws {
        let env = ["MINIBOT_DATA_DIR": folder + "/data"]
        let input = file("c.csv", "phone;first_name;notes\n06 12 34 56 78;Léa;\"a;b\"\n0699;Bad;\n")
        let imported = try await MinibotProcess.run(["import", input, "--json"], environment: env)
        #expect(imported.status == 0, "\(imported.stderr)")
        let report = try JSONDecoder().decode(ContactImportReport.self, from: Data(imported.stdout.utf8))
        #expect(report.imported == 1 && report.rejected == 1 && report.rejectsFile == folder + "/c.rejects.csv")

        let shown = try await MinibotProcess.run(["contacts", "show", "+33 6 12 34 56 78", "--json"], environment: env)
        #expect(shown.status == 0)
        #expect(shown.stdout.contains("\"first_name\":\"Léa\""))

        let listed = try await MinibotProcess.run(["contacts", "list"], environment: env)
        #expect(listed.stdout.contains("+33612345678  Léa"))

        let exported = try await MinibotProcess.run(["export", "--status", "new"], environment: env)
        #expect(exported.stdout == "phone,first_name,last_name,email,company,notes,status,attempts,last_attempt_at,last_call_status,last_call_intent,last_transcript,consent_at,consent_source\r\n+33612345678,Léa,,,,a;b,New,0,,,,,,\r\n")

        let stats = try await MinibotProcess.run(["contacts", "stats", "--json"], environment: env)
        #expect(stats.stdout.contains("\"total\":1"))

        let missing = try await MinibotProcess.run(["contacts", "show", "0611111111"], environment: env)
        #expect(missing.status != 0 && missing.stderr.contains("no contact with the number +33611111111"))
    }

    @Test func errorsAreClearAndExitNonZero() async throws {
        let env = ["MINIBOT_DATA_DIR": folder + "/data"]
        let noFile = try await MinibotProcess.run(["import", folder + "/nope.csv"], environment: env)
        #expect(noFile.status != 0 && noFile.stderr.contains("cannot read \(folder)/nope.csv: no such file"))
        let badURL = try await MinibotProcess.run(["contacts", "list", "--database-url", "mysql://x"], environment: env)
        #expect(badURL.status != 0 && badURL.stderr.contains("expected sqlite:///path"))
        let badEnv = try await MinibotProcess.run(["config", "show"], environment: env.merging(["MINIBOT_DIALER_MAX_CONCURRENT_CALLS": "lots"]) { $1 })
        #expect(badEnv.status != 0 && badEnv.stderr.contains("'lots' is not a number"))
        let unwritable = try await MinibotProcess.run(["export", "--output", "/proc/nope/out.csv"], environment: env)
        #expect(unwritable.status != 0 && unwritable.stderr.contains("cannot create /proc/nope/out.csv"))
    }

    @Test func configShowMasksSecrets() async throws {
        let shown = try await MinibotProcess.run(["config", "show"], environment: [
            "MINIBOT_DATA_DIR": folder, "MINIBOT_DATABASE_URL": "postgres://bot:hunter2@127.0.0.1/calls",
        ])
        #expect(shown.status == 0)
        #expect(shown.stdout.contains("postgres://bot:***@127.0.0.1/calls") && !shown.stdout.contains("hunter2"))
        #expect(shown.stdout.contains("max_concurrent_calls: 8"))
    }

    /// A kill -9 or a Ctrl-C in the middle of an import leaves the database as it was.
    @Test("An interrupted import changes nothing", arguments: Backend.available, [SIGKILL, SIGINT])
    func interruptedImport(_ backend: Backend, signal: Int32) async throws {
        var text = "phone,first_name\n"
        for n in 0..<300_000 { text += "06\(String(format: "%08d", n)),Name\(n)\n" }
        let input = file("huge.csv", text)
        let (url, cleanup) = try await freshDatabase(backend)
        defer { Task { try? await cleanup() } }
        let seed = file("seed.csv", "phone,first_name\n0799999999,Kept\n")
        let seeded = try await MinibotProcess.run(["import", seed, "--database-url", url], environment: ["MINIBOT_DATA_DIR": folder])
        #expect(seeded.status == 0, "\(seeded.stderr)")

        let process = try MinibotProcess.start(["import", input, "--database-url", url], environment: ["MINIBOT_DATA_DIR": folder])
        // Wait until the import is well under way, then interrupt it.
        try await Task.sleep(for: .milliseconds(1500))
        #expect(process.isRunning, "the import finished before it could be interrupted: make the file bigger")
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)

        let store = try await openStore(url: url, logger: testLogger)
        let total = try await store.contactStats().total
        let kept = try await store.contact(phone: "+33799999999")
        await store.close()
        #expect(total == 1)
        #expect(kept?.firstName == "Kept")
    }
}

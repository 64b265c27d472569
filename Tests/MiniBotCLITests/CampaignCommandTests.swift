import Foundation
import MiniBotAudio
import MiniBotTestSupport
import Testing

/// `minibot scenario …` and `minibot campaign …` as a user runs them.
@Suite("Scenario and campaign commands")
struct CampaignCommandTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("campaign-cli-\(UUID().uuidString.prefix(8))").path

    func environment() throws -> [String: String] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try WAVFile.writePCM16(Tone.sine(440, seconds: 0.3), to: folder + "/hello.wav")
        try WAVFile.writePCM16(Tone.sine(440, seconds: 0.3), to: folder + "/bye.wav")
        try """
            steps:
              hello: {on: {positive: bye, otherwise: {end: Not_interested}}}
              bye: {final: true, outcome: Leads}
            """.write(toFile: folder + "/s.yaml", atomically: true, encoding: .utf8)
        try """
            data_dir: \(folder)/data
            speech: {engine: http, base_url: "http://127.0.0.1:9"}
            sip: {trunk: "127.0.0.1:5999"}
            caller_id: {number: "+33162000000"}
            """.write(toFile: folder + "/minibot.yaml", atomically: true, encoding: .utf8)
        try "phone\n0612345678\n0698765432\n".write(toFile: folder + "/c.csv", atomically: true, encoding: .utf8)
        return ["MINIBOT_CONFIG": folder + "/minibot.yaml"]
    }

    @Test func scenarioCheckSaysWhatIsWrongAndExitsNonZero() async throws {
        let env = try environment()
        let good = try await MinibotProcess.run(["scenario", "check", folder + "/s.yaml"], environment: env)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.contains("valid, 2 steps"))
        try "steps:\n  hello: {on: {otherwise: q9}}\n".write(toFile: folder + "/bad.yaml", atomically: true, encoding: .utf8)
        let bad = try await MinibotProcess.run(["scenario", "check", folder + "/bad.yaml"], environment: env)
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("no step named 'q9'"))
        let missingPrompts = try await MinibotProcess.run(["scenario", "check", "universal"], environment: env)
        #expect(missingPrompts.status != 0)
        #expect(missingPrompts.stderr.contains("hello.wav: no such file"))
        #expect(try await MinibotProcess.run(["scenario", "check", "universal", "--no-prompts"], environment: env).status == 0)
    }

    @Test func simulateWalksTheBuiltInScenarioWithTheRealClassifier() async throws {
        let env = try environment()
        let result = try await MinibotProcess.run(["scenario", "simulate", "--answers", "c'est qui|non merci", "--json"], environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(report?["path"] as? [String] == ["hello", "retry", "bye_failed"])
        #expect(report?["outcome"] as? String == "Not_interested")
        let lead = try await MinibotProcess.run(["scenario", "simulate", "--answers", "oui|oui|non|oui|oui ça m'intéresse|le matin"], environment: env)
        #expect(lead.stdout.contains("outcome: Leads (lead)"), "\(lead.stdout)")
    }

    @Test func dryRunChecksEverythingAndStoresNothing() async throws {
        let env = try environment()
        #expect(try await MinibotProcess.run(["import", folder + "/c.csv"], environment: env).status == 0)
        let dry = try await MinibotProcess.run(["campaign", "launch", "--name", "t", "--scenario", folder + "/s.yaml", "--dry-run", "--json"],
                                               environment: env)
        #expect(dry.status == 0, "\(dry.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [String: Any]
        // Consent is required by default and these contacts have none.
        #expect(report?["skipped"] as? Int == 2)
        let contacts = report?["contacts"] as? [[String: Any]]
        #expect(contacts?.first?["rule"] as? String == "no_consent")
        let listed = try await MinibotProcess.run(["campaign", "list", "--json"], environment: env)
        #expect(listed.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
    }

    @Test func createPauseResumeCancel() async throws {
        let env = try environment()
        #expect(try await MinibotProcess.run(["import", folder + "/c.csv"], environment: env).status == 0)
        let created = try await MinibotProcess.run(["campaign", "create", "--name", "Mars", "--scenario", folder + "/s.yaml", "--json"],
                                                   environment: env)
        #expect(created.status == 0, "\(created.stderr)")
        let id = try #require((try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any])?["id"] as? String)
        #expect((try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any])?["queued"] as? Int == 2)
        #expect(try await MinibotProcess.run(["campaign", "pause", id], environment: env).status == 0)
        let again = try await MinibotProcess.run(["campaign", "pause", id], environment: env)
        #expect(again.status != 0)
        #expect(again.stderr.contains("is paused; it cannot become paused"))
        #expect(try await MinibotProcess.run(["campaign", "resume", id], environment: env).status == 0)
        let set = try await MinibotProcess.run(["campaign", "set", id, "--max-concurrent-calls", "3"], environment: env)
        #expect(set.stdout.contains("3 calls at once"), "\(set.stderr)")
        let settings = try await MinibotProcess.run(["campaign", "show", id, "--json"], environment: env)
        let stored = ((try JSONSerialization.jsonObject(with: Data(settings.stdout.utf8)) as? [String: Any])?["campaign"] as? [String: Any])?["settings"] as? [String: Any]
        #expect(stored?["max_concurrent_calls"] as? Int == 3)
        #expect(try await MinibotProcess.run(["campaign", "cancel", id], environment: env).status == 0)
        let shown = try await MinibotProcess.run(["campaign", "show", id, "--json"], environment: env)
        let show = try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any]
        #expect((show?["campaign"] as? [String: Any])?["status"] as? String == "cancelled")
        #expect((show?["queue"] as? [String: Int])?["pending"] == 2)
        let unknown = try await MinibotProcess.run(["campaign", "show", "nope"], environment: env)
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("no campaign with id nope"))
    }
}

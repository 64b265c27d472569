import Foundation
import HummingbirdTesting
import MiniBotDialer
import MiniBotTestSupport
import Testing

@Suite("Panel scenario editor (HummingbirdTesting)")
struct ScenarioEditorTests {
    @Test func theShippedScenarioIsCopiedCheckedAndSavedUnderANewNameOnly() async throws {
        try await withPanel { panel in
            _ = try await panel.login()
            let csrf = try await panel.sessionCSRF()
            let page = try await panel.get("/panel/scenarios/edit")
            #expect(page.status == .ok)
            #expect(page.text.contains("prompts: ../prompts/universal"), "a copy reads the shipped prompts")
            #expect(page.text.contains("value=\"universal-2\""))
            let yaml = try ScenarioLoader.builtinText.replacingOccurrences(of: "\nprompts: .\n", with: "\nprompts: ../prompts/universal\n")
            // A longer wait on the first question and a refusal that ends the call at once.
            let edited = yaml.replacingOccurrences(of: "    max_silence_seconds: 5\n    wait_before_stop: 1.5\n    barge_in: true",
                                                   with: "    max_silence_seconds: 8\n    wait_before_stop: 1.5\n    barge_in: true")
                .replacingOccurrences(of: "      negative: retry\n", with: "      negative: {end: Not_interested}\n")
            #expect(edited != yaml)

            // Broken: a transition to a step that does not exist, reported by the validator, and nothing saved.
            let broken = edited.replacingOccurrences(of: "      positive: q1\n      neutral: q1\n      negative:", with: "      positive: q9\n      neutral: q1\n      negative:")
            let refused = try await panel.post("/panel/scenarios/edit", [("csrf", csrf), ("source", "universal"), ("name", "relance"),
                                                                          ("intent", "save"), ("yaml", broken)])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("q9"), "\(refused.text.prefix(2000))")
            #expect(!FileManager.default.fileExists(atPath: panel.dataDir + "/scenarios/relance.yaml"))

            let checked = try await panel.post("/panel/scenarios/edit", [("csrf", csrf), ("source", "universal"), ("name", "relance"),
                                                                          ("intent", "check"), ("yaml", edited)])
            #expect(checked.status == .ok && checked.text.contains("id=\"editor-valid\""))
            #expect(!FileManager.default.fileExists(atPath: panel.dataDir + "/scenarios/relance.yaml"), "checking saves nothing")

            let saved = try await panel.post("/panel/scenarios/edit", [("csrf", csrf), ("source", "universal"), ("name", "relance"),
                                                                        ("intent", "save"), ("yaml", edited)])
            #expect(saved.status == .seeOther && saved.headers[.location] == "/panel/scenarios?name=relance")
            let file = try String(contentsOfFile: panel.dataDir + "/scenarios/relance.yaml", encoding: .utf8)
            #expect(file == edited)
            let scenario = try #require(try? ScenarioLoader.parse(file))
            #expect(scenario.steps["hello"]?.listen?.maxSilenceSeconds == 8)
            #expect(scenario.steps["hello"]?.transitions[.negative]?.outcome == .notInterested)
            let shown = try await panel.get("/panel/scenarios?name=relance")
            #expect(shown.text.contains("Scénario relance enregistré."))
            #expect(try await panel.get("/panel/scenarios/edit?name=relance").text.contains("negative: {end: Not_interested}"))

            // Never over the shipped scenario nor an existing file, never a path.
            for name in ["universal", "relance", "../evil", "a/b", ""] {
                let again = try await panel.post("/panel/scenarios/edit", [("csrf", csrf), ("source", "universal"), ("name", name),
                                                                            ("intent", "save"), ("yaml", yaml)])
                #expect(again.status == .unprocessableContent, "\(name)")
            }
            #expect(try String(contentsOfFile: panel.dataDir + "/scenarios/relance.yaml", encoding: .utf8) == edited)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: panel.dataDir + "/scenarios")
            #expect(leftovers == ["relance.yaml"], "no draft is left behind: \(leftovers)")
            #expect(try await panel.post("/panel/scenarios/edit", [("csrf", "forged"), ("name", "x"), ("intent", "save"), ("yaml", yaml)]).status == .forbidden)
        }
    }
}

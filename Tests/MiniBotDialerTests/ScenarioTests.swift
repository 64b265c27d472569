import Foundation
import MiniBotCore
@testable import MiniBotDialer
import Testing

@Suite("Scenario: the built-in universal scenario, step for step")
struct UniversalScenarioTests {
    let scenario = try! ScenarioLoader.parse(try! ScenarioLoader.builtinText)

    func walk(_ answers: [ScenarioEvent], amd: AMDResult = .human) -> ScenarioEngine {
        var engine = ScenarioEngine(scenario: scenario)
        var remaining = answers[...]
        var action = engine.begin(amd: amd)
        while case .play(let step) = action {
            if step.isFinal {
                action = engine.promptFinished()
            } else {
                action = engine.answer(remaining.popFirst() ?? .silence)
            }
        }
        #expect(remaining.isEmpty, "answers left over: \(Array(remaining))")
        return engine
    }

    @Test func interestedPersonBecomesALeadThroughConfirm() {
        let engine = walk([.positive, .neutral, .negative, .positive, .positive, .callback])
        #expect(engine.path == ["hello", "q1", "q2", "q3", "is_leads", "confirm", "bye_success"])
        #expect(engine.outcome == .leads)
        #expect(engine.isLead)
        #expect(engine.isFinished)
    }

    @Test func refusalAfterRetryIsNotInterested() {
        let engine = walk([.negative, .negative])
        #expect(engine.path == ["hello", "retry", "bye_failed"])
        #expect(engine.outcome == .notInterested)
    }

    @Test func questionAtHelloTriggersRetryThenContinues() {
        let engine = walk([.question, .positive, .silence, .silence, .silence, .negative])
        #expect(engine.path == ["hello", "retry", "q1", "q2", "q3", "is_leads", "bye_failed"])
        #expect(engine.outcome == .notInterested)
    }

    @Test func silenceAtHelloHangsUpAsNoAnswer() {
        let engine = walk([.silence])
        #expect(engine.path == ["hello"])
        #expect(engine.outcome == .noAnswer)
    }

    @Test func machineHangsUpWithoutPlaying() {
        let engine = walk([], amd: .machine)
        #expect(engine.path.isEmpty)
        #expect(engine.outcome == .noAnswer)
        #expect(engine.isFinished)
    }

    @Test func optOutAnywhereEndsAsOptOutEvenAfterALead() {
        #expect(walk([.optOut]).outcome == .optOut)
        let late = walk([.positive, .positive, .positive, .positive, .positive, .optOut])
        #expect(late.path.last == "bye_failed")
        #expect(late.outcome == .optOut)
        #expect(!late.isLead)
    }

    @Test func callbackAtHelloIsACallback() {
        let engine = walk([.callback])
        #expect(engine.outcome == .callback)
        #expect(engine.path == ["hello", "bye_failed"])
    }

    @Test func everyListeningStepHasTheSeedTimeouts() {
        #expect(scenario.steps["hello"]?.listen == ListenTimeouts(maxSilenceSeconds: 5, waitBeforeStop: 1.5))
        #expect(scenario.steps["confirm"]?.listen == ListenTimeouts(maxSilenceSeconds: 8, waitBeforeStop: 2))
        #expect(scenario.steps.count == 9)
        #expect(scenario.steps["bye_success"]?.isFinal == true)
    }
}

@Suite("Scenario: validation names each problem and where it is")
struct ScenarioValidationTests {
    func problems(_ yaml: String) -> [String] {
        do {
            _ = try ScenarioLoader.parse(yaml)
            return []
        } catch let error as ScenarioError {
            return error.problems
        } catch {
            return ["unexpected: \(error)"]
        }
    }

    @Test func unknownStepInATransition() {
        let found = problems("""
        steps:
          hello: {on: {otherwise: q9}}
        """)
        #expect(found == ["steps.hello.on: no step named 'q9' (for positive, negative, neutral, question, callback, opt_out, silence, unknown)"])
    }

    @Test func unknownStartStep() {
        #expect(problems("start: intro\nsteps:\n  bye: {final: true}\n").contains { $0.hasPrefix("start: no step named 'intro'") })
    }

    @Test func unreachableStep() {
        let found = problems("""
        steps:
          hello: {on: {otherwise: bye}}
          bye: {final: true}
          orphan: {final: true}
        """)
        #expect(found == ["steps.orphan: unreachable from 'hello'"])
    }

    @Test func loopWithNoExit() {
        let found = problems("""
        steps:
          hello: {on: {positive: a, otherwise: {end: No_answer}}}
          a: {on: {otherwise: b}}
          b: {on: {otherwise: a}}
        """)
        #expect(found == ["steps a, b: a loop with no exit (no path from them ends the call)"])
    }

    @Test func loopWithAnExitIsFine() {
        #expect(problems("""
        steps:
          hello: {on: {negative: hello, otherwise: bye}}
          bye: {final: true}
        """).isEmpty)
    }

    @Test func transitionForAnUnknownIntent() {
        let found = problems("""
        steps:
          hello: {on: {maybe: bye, otherwise: bye}}
          bye: {final: true}
        """)
        #expect(found.count == 1)
        #expect(found[0].hasPrefix("steps.hello.on.maybe: 'maybe' is not an intent or event"))
    }

    @Test func missingEventsAndUnknownOutcome() {
        let found = problems("""
        steps:
          hello: {on: {positive: {goto: bye, outcome: Winner}}}
          bye: {final: true}
        """)
        #expect(found.contains { $0.hasPrefix("steps.hello.on.positive: unknown outcome 'Winner'") })
        #expect(found.contains { $0 == "steps.hello.on: says nothing for negative, neutral, question, callback, opt_out, silence, unknown (add them, or otherwise)" })
    }

    @Test func finalStepCannotListenOrBranch() {
        let found = problems("""
        steps:
          hello: {on: {otherwise: bye}}
          bye: {final: true, max_silence_seconds: 3, on: {otherwise: hello}}
        """)
        #expect(found.contains { $0.contains("a final step does not listen") })
        #expect(found.contains { $0.contains("cannot have transitions") })
    }

    @Test func malformedYAMLAndWrongTypesSayWhere() {
        let broken = problems("steps: [")
        #expect(broken.count == 1)
        #expect(broken.first?.contains("not valid YAML") == true)
        #expect(broken.first?.contains("line 2, column 1") == true, "\(broken)")
        let typed = problems("steps:\n  hello: {max_silence_seconds: soon, on: {otherwise: {end: No_answer}}}\n")
        #expect(typed.first?.contains("steps.hello.max_silence_seconds") == true)
        #expect(problems("name: x\n").first?.contains("missing key 'steps'") == true)
    }

    @Test func badTimeouts() {
        #expect(problems("steps:\n  hello: {wait_before_stop: 0, on: {otherwise: {end: No_answer}}}\n")
            == ["steps.hello.wait_before_stop: 0.0 is not a number of seconds in 0…600"])
    }

    @Test func turnLimitEndsALoopingCall() throws {
        let scenario = try ScenarioLoader.parse("""
        max_turns: 3
        steps:
          hello: {on: {negative: hello, otherwise: {end: Failed}}}
        """)
        var engine = ScenarioEngine(scenario: scenario)
        var plays = 0
        var action = engine.begin(amd: .human)
        while case .play = action {
            plays += 1
            action = engine.answer(.negative)
        }
        #expect(plays == 3)
        #expect(engine.endReason == "reached the scenario's limit of 3 answers")
    }
}

@Suite("Scenario: loading files and prompts")
struct ScenarioLoaderTests {
    @Test func missingAndBrokenPromptsAreNamed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scenario-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/audio", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "steps:\n  hello: {prompt: hello.wav, on: {otherwise: bye}}\n  bye: {final: true}\nprompts: audio\n"
            .write(toFile: folder + "/s.yaml", atomically: true, encoding: .utf8)
        try Data("RIFF-not-really".utf8).write(to: URL(fileURLWithPath: folder + "/audio/hello.wav"))
        do {
            _ = try ScenarioLoader.load(folder + "/s.yaml", defaultPromptDirectory: "/nowhere", checkPrompts: true) { _ in .init(maxSilenceSeconds: 4, waitBeforeStop: 1) }
            Issue.record("a broken prompt was accepted")
        } catch let error as ScenarioError {
            #expect(error.problems.count == 3)
            #expect(error.problems[0].hasPrefix("steps.hello.prompt: hello.wav: unreadable"))
            #expect(error.problems[1].hasPrefix("steps.bye.prompt: bye.wav: no such file"))
            #expect(error.problems[2] == "prompts are read from \(folder)/audio")
        }
        let loaded = try ScenarioLoader.load(folder + "/s.yaml", defaultPromptDirectory: "/nowhere", checkPrompts: false) { _ in .init(maxSilenceSeconds: 4, waitBeforeStop: 1) }
        #expect(loaded.path(of: loaded.scenario.steps["bye"]!.prompt) == folder + "/audio/bye.wav")
        #expect(loaded.scenario.name == "s")
    }

    @Test func missingFileIsClear() {
        #expect(throws: ScenarioError.self) {
            try ScenarioLoader.load("/no/such.yaml", defaultPromptDirectory: "/", checkPrompts: false) { _ in .init(maxSilenceSeconds: 4, waitBeforeStop: 1) }
        }
    }
}

import Foundation
import MiniBotARI
import MiniBotAudio
import MiniBotCore
@testable import MiniBotDialer
import MiniBotSpeech
import MiniBotStore
import MiniBotTestSupport
import Testing

/// Asterisk's own AMD() before Stasis, with deploy/asterisk/extensions.conf's
/// `[minibot-amd-answered]` subroutine as it ships: the verdict reaches the
/// call session and the stored call, and `combine` folds it into ours.
@Suite("Asterisk's AMD() through ARI, combined with ours", .serialized,
       .enabled(if: Asterisk.binary != nil, Comment(rawValue: Asterisk.unavailableReason ?? "")))
struct AsteriskAMDEndToEndTests {
    static let voicemail = "+33600000021"
    static let person = "+33600000022"

    /// The sample's subroutine, read from the file so that the test checks what operators install.
    static func sampleSubroutine() throws -> String {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("deploy/asterisk/extensions.conf").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard let start = text.range(of: "[minibot-amd-answered]") else { throw TestSetupError("no [minibot-amd-answered] in \(path)") }
        return String(text[start.lowerBound...]).components(separatedBy: "\n\n")[0]
    }

    @Test func voicemailIsMachineAndAlloIsHumanInTheStoredCall() async throws {
        let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".deps/speech-test/ggml-base.bin").path
        guard FileManager.default.fileExists(atPath: model) else {
            throw TestSetupError("\(model) is missing: run scripts/fetch-test-model (scripts/test does)")
        }
        guard let python = PicoSynthesizer.defaultPython() else { throw TestSetupError("no Python with py-nanotts: run scripts/setup") }
        let pico = PicoSynthesizer(python: python)
        let folder = temporaryFolder("ari-amd")
        defer { if ProcessInfo.processInfo.environment["MINIBOT_TEST_KEEP"] == nil { try? FileManager.default.removeItem(atPath: folder) } }

        // Prompts: short tones (what they say does not matter here).
        let promptFolder = folder + "/prompts"
        try FileManager.default.createDirectory(atPath: promptFolder, withIntermediateDirectories: true)
        let builtin = try ScenarioLoader.parse(try ScenarioLoader.builtinText)
        for step in builtin.steps.values { try WAVFile.writePCM16(Tone.sine(440, seconds: 1.5), to: promptFolder + "/" + step.prompt.file) }
        let scenarioPath = folder + "/universal.yaml"
        try (try ScenarioLoader.builtinText).replacingOccurrences(of: "prompts: .", with: "prompts: \(promptFolder)")
            .write(toFile: scenarioPath, atomically: true, encoding: .utf8)
        let loaded = try ScenarioLoader.load(scenarioPath, defaultPromptDirectory: promptFolder, checkPrompts: true) { _ in
            ListenTimeouts(maxSilenceSeconds: 3, waitBeforeStop: 1.2)
        }

        // The callees: a long voicemail greeting and its beep; a person who says "Allô ?" and waits, then hangs up.
        func track(_ parts: [PCMBuffer]) -> PCMBuffer {
            PCMBuffer(sampleRate: 8_000, samples: parts.flatMap(\.samples))
        }
        func silence(_ seconds: Double) -> PCMBuffer { PCMBuffer(sampleRate: 8_000, samples: [Int16](repeating: 0, count: Int(seconds * 8_000))) }
        let greeting = try CalleeTrack.telephone(await pico.synthesize(
            "Bonjour, vous êtes bien sur la messagerie de Paul Martin. Je ne suis pas disponible pour le moment, laissez-moi un message après le bip."))
        try WAVFile.writePCM16(track([silence(0.4), greeting, silence(0.3), Tone.sine(1_000, seconds: 0.5), silence(15)]), to: folder + "/voicemail.wav")
        try WAVFile.writePCM16(track([silence(0.3), try CalleeTrack.telephone(await pico.synthesize("Allô ?")), silence(12)]), to: folder + "/allo.wav")
        // [minibot-amd] as the sample has it, dialling the test's callees instead of a PJSIP trunk.
        let dialplan = """
            [general]
            [callees]
            exten => \(Self.voicemail),1,Answer()
             same => n,Playback(\(folder)/voicemail)
             same => n,Hangup()
            exten => \(Self.person),1,Answer()
             same => n,Playback(\(folder)/allo)
             same => n,Hangup()

            [minibot-amd]
            exten => _+X.,1,Dial(Local/${EXTEN}@callees,45,U(minibot-amd-answered))
             same => n,Hangup(${HANGUPCAUSE})

            \(try Self.sampleSubroutine())

            """
        let asterisk = try await Asterisk.start(folder: folder + "/asterisk", dialplan: dialplan, rtpPorts: 43000...43999)
        defer { Task { await asterisk.stop() } }

        try await withFreshStore(.sqlite) { store, _ in
            try await store.importContacts { sink in
                try await sink.upsert([Self.voicemail, Self.person].map { ContactUpsert(phone: try! PhoneNumberParser().parse($0)) }, at: Date())
            }
            let settings = CampaignSettings.anyTime
            try await store.createCampaign(Campaign(id: "amd", name: "amd", scenario: scenarioPath, settings: settings, createdAt: Date(), updatedAt: Date()))
            _ = try await store.enqueue(campaignID: "amd", selection: ContactSelection(statuses: [.new], maxAttempts: 1), at: Date())

            var config = MiniBotConfig(dataDir: folder + "/data")
            config.telephony = .ari
            config.ari.url = asterisk.url
            config.ari.username = asterisk.username
            config.ari.password = asterisk.password
            config.ari.app = "minibot-amd"
            config.ari.endpoint = "Local/{number}@minibot-amd/n"
            config.ari.rtpPortMin = 41_000
            config.ari.rtpPortMax = 41_999
            config.ari.asteriskAMD = .combine
            let agent = try ARIAgent(configuration: ARITelephony.agentConfiguration(config), logger: testLogger)
            let files = CallFiles(dataDirectory: config.dataDir)
            try files.prepare()
            let session = CallSession(
                configuration: .init(scenario: loaded, prompts: try PromptSet.load(loaded), settings: settings, maximumDuration: .seconds(60),
                                     asteriskAMD: config.ari.asteriskAMD),
                recognizer: try WhisperRecognizer(modelPath: model, configuration: .init(threads: 2, concurrency: 2)),
                classifier: IntentClassifier(), store: store, files: files, logger: testLogger)
            let runner = CampaignRunner(campaignID: "amd", worker: "test", store: store, telephony: ARITelephony(agent: agent, config: config),
                                        session: session, callerID: config.callerID,
                                        // AMD() runs before the answer reaches us: up to total_analysis_time of the ring timeout.
                                        limits: .init(maxConcurrentCalls: 2, delayBetweenCalls: .milliseconds(100),
                                                      queueCheckInterval: .milliseconds(200), ringTimeout: .seconds(15)),
                                        logger: testLogger)
            let ending = try await withThrowingTaskGroup(of: CampaignRunner.Ending?.self) { group in
                group.addTask { await agent.run(); return nil }
                group.addTask { try await agent.ready(timeout: .seconds(20)); return try await runner.run() }
                group.addTask {
                    try await Task.sleep(for: .seconds(120))
                    throw TestSetupError("the campaign did not end within 120 s: \(try await store.queueSummary(campaignID: "amd"))")
                }
                defer { group.cancelAll() }
                while let result = try await group.next() { if let result { return result } }
                throw TestSetupError("the agent stopped")
            }
            #expect(ending == .completed)

            func stored(_ phone: String) async throws -> (Call, CallTranscript) {
                let entry = try #require(try await store.queueEntry(campaignID: "amd", phone: phone))
                let callID = try #require(entry.callID)
                let call = try #require(try await store.call(id: callID))
                let path = try #require(call.transcriptPath)
                let transcript = try JSONDecoder.transcript.decode(CallTranscript.self, from: Data(contentsOf: URL(fileURLWithPath: files.absolute(path))))
                return (call, transcript)
            }
            // The voicemail: Asterisk says MACHINE after the greeting's third word; ours agrees on its own.
            let (machine, machineTranscript) = try await stored(Self.voicemail)
            #expect(machineTranscript.asteriskAMD == "MACHINE (MAXWORDS-3-2)", "\(machineTranscript.asteriskAMD ?? "nil")")
            #expect(machine.endReason?.hasSuffix("; Asterisk AMD: MACHINE (MAXWORDS-3-2)") == true, "\(machine.endReason ?? "nil")")
            #expect(machine.amdResult == .machine && machine.status == .machine, "\(machine.amdResult.map(\.rawValue) ?? "nil") \(machine.status)")
            #expect(machineTranscript.amdReason?.hasPrefix("asterisk") == false, "ours decided: \(machineTranscript.amdReason ?? "nil")")

            // "Allô ?": Asterisk says HUMAN (HUMAN-800-800 or -805-800: the silence it measured, by the frame).
            // AMD() used up the greeting before the answer reached us, so ours hears only silence and says
            // unknown; combine takes Asterisk's HUMAN and the scenario runs.
            let (human, humanTranscript) = try await stored(Self.person)
            #expect(humanTranscript.asteriskAMD?.hasPrefix("HUMAN (HUMAN-") == true, "\(humanTranscript.asteriskAMD ?? "nil")")
            #expect(human.endReason?.contains("; Asterisk AMD: HUMAN (HUMAN-") == true, "\(human.endReason ?? "nil")")
            #expect(human.amdResult == .human, "\(human.amdResult.map(\.rawValue) ?? "nil")")
            #expect(humanTranscript.amdReason?.hasPrefix("asterisk HUMAN (HUMAN-") == true, "\(humanTranscript.amdReason ?? "nil")")
            #expect(humanTranscript.amdReason?.contains("over ours: initial-silence") == true, "\(humanTranscript.amdReason ?? "nil")")
            #expect(humanTranscript.turns.first?.step == "hello", "\(humanTranscript.turns.map(\.step))")
            #expect(await agent.activeCalls == 0)
        }
        await asterisk.stop()
    }
}

import Foundation
import Logging
import MiniBotARI
import MiniBotAudio
import MiniBotCore
@testable import MiniBotDialer
import MiniBotSpeech
import MiniBotStore
import MiniBotTestSupport
import Testing

/// The campaign end-to-end test of the SIP backend (Tests/MiniBotDialerTests/
/// CampaignEndToEndTests), through a real Asterisk over ARI instead: Local
/// channels answer and play each French persona (Pico voice, timed against the
/// robot's prompts), one plays a voicemail greeting with a beep, one is busy,
/// one never answers. The real whisper.cpp, classifier, scenario and store
/// decide; the outcomes, recordings and transcripts must be the SIP test's.
@Suite("Campaign end to end through Asterisk ARI", .serialized,
       .enabled(if: Asterisk.binary != nil, Comment(rawValue: Asterisk.unavailableReason ?? "")))
struct ARICampaignEndToEndTests {
    struct Persona: Sendable {
        var name: String
        var phone: String
        var greeting: String?
        var answers: [String]
        var hangsUp = false
        var voicemail: String?
        /// The dialplan of a callee that does not answer (busy, ringing).
        var unanswered: String?

        var script: CalleeScript { CalleeScript(greeting: greeting, answers: answers, hangsUp: hangsUp, voicemail: voicemail) }
    }

    static let personas: [Persona] = [
        Persona(name: "interested", phone: "+33600000001", greeting: "Allô ?",
                answers: ["Oui, bien sûr, allez-y.", "Oui, je suis propriétaire.", "Non, pas vraiment.", "Non, pas vraiment.",
                          "Oui, tout à fait, ça m'intéresse beaucoup.", "Le matin, c'est mieux."]),
        Persona(name: "refuses", phone: "+33600000002", greeting: "Allô ?",
                answers: ["Non merci, ça ne m'intéresse pas.", "Non, vraiment pas, au revoir."]),
        Persona(name: "voicemail", phone: "+33600000004", greeting: nil, answers: [],
                voicemail: "Bonjour, vous êtes bien sur la messagerie de Paul Martin. Je ne suis pas disponible pour le moment, laissez-moi un message après le bip."),
        Persona(name: "silent", phone: "+33600000005", greeting: nil, answers: []),
        Persona(name: "hangs up", phone: "+33600000006", greeting: "Allô ?", answers: ["Oui, je vous écoute."], hangsUp: true),
        // The SIP test's sentence reversed: whisper base (audio_ctx fitted to the clip) turns the
        // SIP test's order into "je ne veux pas. Je suis très très…" on this path's clip, which is
        // the same audio to within µ-law noise (37 dB) but 20 ms longer; the SIP run itself only
        // hears its second half. The opt-out words first survive either way.
        Persona(name: "opts out", phone: "+33600000007", greeting: "Allô ?",
                answers: ["Je ne veux plus être appelé, retirez mon numéro de votre liste."]),
        Persona(name: "busy", phone: "+33600000008", answers: [], unanswered: "Busy(10)"),
        Persona(name: "never answers", phone: "+33600000009", answers: [], unanswered: "Ringing()\n same => n,Wait(120)"),
    ]

    @Test func everyCalleeEndsWithTheExpectedOutcome() async throws {
        let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".deps/speech-test/ggml-base.bin").path
        guard FileManager.default.fileExists(atPath: model) else {
            throw TestSetupError("\(model) is missing: run scripts/fetch-test-model (scripts/test does)")
        }
        guard let python = PicoSynthesizer.defaultPython() else { throw TestSetupError("no Python with py-nanotts: run scripts/setup") }
        let folder = temporaryFolder("ari-e2e")
        defer { if ProcessInfo.processInfo.environment["MINIBOT_TEST_KEEP"] == nil { try? FileManager.default.removeItem(atPath: folder) } }
        let pico = PicoSynthesizer(python: python)

        // The robot's prompts and the scenario, as in the SIP test.
        let promptFolder = folder + "/prompts"
        try FileManager.default.createDirectory(atPath: promptFolder, withIntermediateDirectories: true)
        let builtin = try ScenarioLoader.parse(try ScenarioLoader.builtinText)
        var promptLength: [String: Double] = [:]
        for step in builtin.steps.values {
            let audio = try CalleeTrack.telephone(await pico.synthesize(step.prompt.text))
            try WAVFile.writePCM16(audio, to: promptFolder + "/" + step.prompt.file)
            promptLength[step.name] = Double(audio.samples.count) / 8_000
        }
        let scenarioPath = folder + "/universal.yaml"
        try (try ScenarioLoader.builtinText).replacingOccurrences(of: "prompts: .", with: "prompts: \(promptFolder)")
            .write(toFile: scenarioPath, atomically: true, encoding: .utf8)
        let loaded = try ScenarioLoader.load(scenarioPath, defaultPromptDirectory: promptFolder, checkPrompts: true) { _ in
            ListenTimeouts(maxSilenceSeconds: 5, waitBeforeStop: 1.2)
        }

        // The callees, as Asterisk dialplan: each answering one plays its track and hangs up at its end.
        var dialplan = "[general]\n[callees]\n"
        for persona in Self.personas {
            if let unanswered = persona.unanswered {
                dialplan += "exten => \(persona.phone),1,\(unanswered)\n"
                continue
            }
            let voice = folder + "/\(persona.phone.dropFirst())"
            try WAVFile.writePCM16(try await CalleeTrack.build(persona.script, scenario: builtin, promptLength: promptLength, pico: pico), to: voice + ".wav")
            dialplan += "exten => \(persona.phone),1,Answer()\n same => n,Playback(\(voice))\n same => n,Hangup()\n"
        }
        let asterisk = try await Asterisk.start(folder: folder + "/asterisk", dialplan: dialplan, rtpPorts: 45000...45999)
        defer { Task { await asterisk.stop() } }

        try await withFreshStore(.sqlite) { store, _ in
            try await store.importContacts { sink in
                try await sink.upsert(Self.personas.map { ContactUpsert(phone: try! PhoneNumberParser().parse($0.phone), firstName: $0.name) },
                                      at: Date())
            }
            let settings = CampaignSettings.anyTime
            let campaign = Campaign(id: "e2e", name: "e2e", scenario: scenarioPath, settings: settings, createdAt: Date(), updatedAt: Date())
            try await store.createCampaign(campaign)
            #expect(try await store.enqueue(campaignID: "e2e", selection: ContactSelection(statuses: [.new], maxAttempts: 1), at: Date()) == Self.personas.count)

            var config = MiniBotConfig(dataDir: folder + "/data")
            config.telephony = .ari
            config.ari.url = asterisk.url
            config.ari.username = asterisk.username
            config.ari.password = asterisk.password
            config.ari.app = "minibot-e2e"
            config.ari.endpoint = "Local/{number}@callees/n"
            config.ari.rtpPortMin = 48_000
            config.ari.rtpPortMax = 48_999
            config.callerID.number = "+33162000000"
            let agent = try ARIAgent(configuration: ARITelephony.agentConfiguration(config), logger: testLogger)
            let recognizer = try WhisperRecognizer(modelPath: model, configuration: .init(threads: 2, concurrency: 2))
            let files = CallFiles(dataDirectory: config.dataDir)
            try files.prepare()
            let session = CallSession(
                configuration: .init(scenario: loaded, prompts: try PromptSet.load(loaded), settings: settings),
                recognizer: recognizer, classifier: IntentClassifier(), store: store, files: files, logger: Self.logger)
            let runner = CampaignRunner(campaignID: "e2e", worker: "test", store: store, telephony: ARITelephony(agent: agent, config: config),
                                        session: session, callerID: config.callerID,
                                        limits: .init(maxConcurrentCalls: 4, delayBetweenCalls: .milliseconds(200),
                                                      queueCheckInterval: .milliseconds(500), ringTimeout: .seconds(10)),
                                        logger: Self.logger)
            let ending = try await withThrowingTaskGroup(of: CampaignRunner.Ending?.self) { group in
                group.addTask { await agent.run(); return nil }
                group.addTask { try await agent.ready(timeout: .seconds(20)); return try await runner.run() }
                group.addTask {
                    try await Task.sleep(for: .seconds(240))
                    let queue = try await store.queueSummary(campaignID: "e2e")
                    let active = await runner.activeCalls
                    throw TestSetupError("the campaign did not end within 240 s: queue \(queue), in progress \(active.map(\.phone))")
                }
                defer { group.cancelAll() }
                while let result = try await group.next() { if let result { return result } }
                throw TestSetupError("the agent stopped")
            }
            #expect(ending == .completed)

            struct Expected { var status: ContactStatus; var callStatus: CallStatus; var path: [String]? }
            let expected: [String: Expected] = [
                "+33600000001": .init(status: .leads, callStatus: .completed, path: ["hello", "q1", "q2", "q3", "is_leads", "confirm", "bye_success"]),
                "+33600000002": .init(status: .notInterested, callStatus: .completed, path: ["hello", "retry", "bye_failed"]),
                "+33600000004": .init(status: .noAnswer, callStatus: .machine, path: []),
                "+33600000005": .init(status: .noAnswer, callStatus: .completed, path: nil),
                "+33600000006": .init(status: .noAnswer, callStatus: .completed, path: nil),
                "+33600000007": .init(status: .optOut, callStatus: .completed, path: ["hello", "bye_failed"]),
                "+33600000008": .init(status: .noAnswer, callStatus: .busy, path: nil),
                "+33600000009": .init(status: .noAnswer, callStatus: .noAnswer, path: nil),
            ]
            for persona in Self.personas {
                let want = expected[persona.phone]!
                let contact = try #require(try await store.contact(phone: persona.phone))
                let queue = try #require(try await store.queueEntry(campaignID: "e2e", phone: persona.phone))
                let callID = try #require(queue.callID)
                let call = try #require(try await store.call(id: callID))
                #expect(call.status == want.callStatus, "\(persona.name): \(call.status) — \(call.endReason ?? "-")")
                guard persona.unanswered == nil else {
                    #expect(contact.status == want.status, "\(persona.name): \(contact.status)")
                    continue
                }
                let transcriptPath = try #require(call.transcriptPath)
                let transcript = try JSONDecoder.transcript.decode(
                    CallTranscript.self, from: Data(contentsOf: URL(fileURLWithPath: files.absolute(transcriptPath))))
                let said = transcript.turns.map { "\($0.step): \($0.answer ?? "-") → \($0.intent ?? "-")" }.joined(separator: " | ")
                #expect(contact.status == want.status, "\(persona.name): \(said) — \(transcript.endReason)")
                if let path = want.path { #expect(transcript.turns.map(\.step) == path, "\(persona.name): \(said)") }
                let recording = try WAVFile.read(path: files.absolute(try #require(call.recordingPath)))
                #expect(recording.buffer.channels == 2)
                #expect(call.duration > 1)
                #expect(FileManager.default.fileExists(atPath: files.absolute(files.transcriptText(callID: call.callID))))
            }
            let hangUp = try #require(try await store.queueEntry(campaignID: "e2e", phone: "+33600000006"))
            let hangUpCall = try #require(try await store.call(id: hangUp.callID!))
            #expect(hangUpCall.endReason?.hasPrefix("callee hung up during") == true, "\(hangUpCall.endReason ?? "nil")")
            let busyEntry = try #require(try await store.queueEntry(campaignID: "e2e", phone: "+33600000008"))
            let busy = try #require(try await store.call(id: busyEntry.callID!))
            #expect(busy.hangupCause == "busy (17)")
            #expect(try await store.isOptedOut(phone: "+33600000007"))
            let lead = try #require(try await store.queueEntry(campaignID: "e2e", phone: "+33600000001"))
            let answers = try await store.interactions(callID: lead.callID!)
            #expect(answers.map(\.step) == ["hello", "q1", "q2", "q3", "is_leads", "confirm"])
            let counters = try #require(try await store.campaign(id: "e2e")).counters
            #expect(counters.total == Self.personas.count)
            #expect(counters.leads == 1)
            #expect(counters.machine == 1)
            #expect(await agent.activeCalls == 0)
            #expect(agent.tickingSessions == 0)
        }
        await asterisk.stop()
    }

    static let logger: Logger = {
        var logger = Logger(label: "ari-e2e")
        logger.logLevel = ProcessInfo.processInfo.environment["MINIBOT_TEST_LOG"] == nil ? .warning : .debug
        return logger
    }()

}

extension JSONDecoder {
    static var transcript: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

import Foundation
import Logging
import MiniBotAudio
import MiniBotCore
@testable import MiniBotDialer
import MiniBotSIP
import MiniBotSpeech
import MiniBotStore
import MiniBotTestSupport
import Testing

/// A whole campaign over the real stack: the built-in SIP agent dials real
/// baresip callees on loopback, each playing a French "person" (Pico voice)
/// timed against the robot's prompts; the real whisper.cpp transcribes, the
/// real classifier and scenario decide, the real store keeps the outcome.
@Suite("Campaign end to end: the universal scenario against baresip callees", .serialized)
struct CampaignEndToEndTests {
    /// Someone the robot calls, and what they say.
    struct Persona: Sendable {
        var name: String
        var phone: String
        /// Said right after the answer ("Allô ?"); nil: a voicemail greeting or silence.
        var greeting: String?
        /// The answers, one per listening step, in order.
        var answers: [String]
        /// The track ends (and baresip hangs up) right after the last answer.
        var hangsUp = false
        /// A voicemail greeting and beep instead of a person.
        var voicemail: String?

        var script: CalleeScript { CalleeScript(greeting: greeting, answers: answers, hangsUp: hangsUp, voicemail: voicemail) }
    }

    static let personas: [Persona] = [
        Persona(name: "interested", phone: "+33600000001", greeting: "Allô ?",
                // Phrasings the base model hears right through µ-law (a bare "Oui." from Pico it does not).
                answers: ["Oui, bien sûr, allez-y.", "Oui, je suis propriétaire.", "Non, pas vraiment.", "Non, pas vraiment.",
                          "Oui, tout à fait, ça m'intéresse beaucoup.", "Le matin, c'est mieux."]),
        Persona(name: "refuses", phone: "+33600000002", greeting: "Allô ?",
                answers: ["Non merci, ça ne m'intéresse pas.", "Non, vraiment pas, au revoir."]),
        Persona(name: "asks who", phone: "+33600000003", greeting: "Allô ?",
                answers: ["C'est qui ?", "Non merci, ça ne m'intéresse pas."]),
        Persona(name: "voicemail", phone: "+33600000004", greeting: nil, answers: [],
                voicemail: "Bonjour, vous êtes bien sur la messagerie de Paul Martin. Je ne suis pas disponible pour le moment, laissez-moi un message après le bip."),
        Persona(name: "silent", phone: "+33600000005", greeting: nil, answers: []),
        Persona(name: "hangs up", phone: "+33600000006", greeting: "Allô ?", answers: ["Oui, je vous écoute."], hangsUp: true),
        Persona(name: "opts out", phone: "+33600000007", greeting: "Allô ?",
                answers: ["Retirez mon numéro de votre liste, je ne veux plus être appelé."]),
    ]

    static func whisper() throws -> WhisperRecognizer {
        let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".deps/speech-test/ggml-base.bin").path
        guard FileManager.default.fileExists(atPath: model) else {
            throw TestSetupError("\(model) is missing: run scripts/fetch-test-model (scripts/test does)")
        }
        return try WhisperRecognizer(modelPath: model, configuration: .init(threads: 2, concurrency: 2))
    }

    /// Runs a campaign of `personas` (each a baresip callee) to its end with `recognizer`, then `check`s the store.
    static func runCampaign(_ personas: [Persona], recognizer: some SpeechRecognizer,
                            check: (any Store, CallFiles) async throws -> Void) async throws {
        guard let python = PicoSynthesizer.defaultPython() else {
            throw TestSetupError("no Python with py-nanotts: run scripts/setup")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-\(UUID().uuidString.prefix(8))").path
        defer { if ProcessInfo.processInfo.environment["MINIBOT_TEST_KEEP"] == nil { try? FileManager.default.removeItem(atPath: folder) } }
        let pico = PicoSynthesizer(python: python)

        // The robot's prompts, synthesised, and a scenario file pointing at them.
        let promptFolder = folder + "/prompts"
        try FileManager.default.createDirectory(atPath: promptFolder, withIntermediateDirectories: true)
        let builtin = try ScenarioLoader.parse(try ScenarioLoader.builtinText)
        var promptLength: [String: Double] = [:]
        for step in builtin.steps.values {
            let audio = try await CalleeTrack.telephone(pico.synthesize(step.prompt.text))
            try WAVFile.writePCM16(audio, to: promptFolder + "/" + step.prompt.file)
            promptLength[step.name] = Double(audio.samples.count) / 8_000
        }
        let scenarioPath = folder + "/universal.yaml"
        try (try ScenarioLoader.builtinText).replacingOccurrences(of: "prompts: .", with: "prompts: \(promptFolder)")
            .write(toFile: scenarioPath, atomically: true, encoding: .utf8)
        let loaded = try ScenarioLoader.load(scenarioPath, defaultPromptDirectory: promptFolder, checkPrompts: true) { _ in
            ListenTimeouts(maxSilenceSeconds: 5, waitBeforeStop: 1.2)
        }

        // The callees.
        var callees: [String: Baresip] = [:]
        defer { for callee in callees.values { Task { await callee.peer.stop() } } }
        for persona in personas {
            let track = try await CalleeTrack.build(persona.script, scenario: builtin, promptLength: promptLength, pico: pico)
            let voice = folder + "/\(persona.phone).wav"
            try WAVFile.writePCM16(track, to: voice)
            let home = folder + "/callee-\(persona.phone)"
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
            callees[persona.phone] = try await Baresip.start(folder: home, voice: voice, lifetime: 300)
        }

        try await withFreshStore(.sqlite) { store, _ in
            try await store.importContacts { sink in
                try await sink.upsert(personas.map { ContactUpsert(phone: try! PhoneNumberParser().parse($0.phone), firstName: $0.name) },
                                      at: Date())
            }
            let settings = CampaignSettings.anyTime
            let campaign = Campaign(id: "e2e", name: "e2e", scenario: scenarioPath, settings: settings, createdAt: Date(), updatedAt: Date())
            try await store.createCampaign(campaign)
            #expect(try await store.enqueue(campaignID: "e2e", selection: ContactSelection(statuses: [.new], maxAttempts: 1), at: Date()) == personas.count)

            var config = MiniBotConfig(dataDir: folder + "/data")
            config.sip.bindHost = "127.0.0.1"
            config.sip.bindPort = 0
            config.sip.rtpPortMin = 42_000
            config.sip.rtpPortMax = 42_999
            config.callerID.number = "+33162000000"
            for persona in personas { config.sip.routes[persona.phone] = callees[persona.phone]!.uri }
            let agent = SIPAgent(configuration: try SIPTarget.agentConfiguration(config, userAgent: "MiniBotPanel-test"), logger: testLogger)
            let files = CallFiles(dataDirectory: config.dataDir)
            try files.prepare()
            let session = CallSession(
                configuration: .init(scenario: loaded, prompts: try PromptSet.load(loaded), settings: settings),
                recognizer: recognizer, classifier: IntentClassifier(), store: store, files: files, logger: Self.logger)
            let runner = CampaignRunner(campaignID: "e2e", worker: "test", store: store, telephony: SIPTelephony(agent: agent, config: config),
                                        session: session, callerID: config.callerID,
                                        limits: .init(maxConcurrentCalls: 4, delayBetweenCalls: .milliseconds(200),
                                                      queueCheckInterval: .milliseconds(500), ringTimeout: .seconds(10)),
                                        logger: Self.logger)
            let ending = try await withThrowingTaskGroup(of: CampaignRunner.Ending?.self) { group in
                group.addTask { try await agent.run(); return nil }
                group.addTask { _ = try await agent.ready(); return try await runner.run() }
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
            try await check(store, files)
        }
    }

    @Test func everyCalleeEndsWithTheExpectedOutcome() async throws {
        let log = ClipLog(try Self.whisper())
        try await Self.runCampaign(Self.personas, recognizer: log) { store, files in

            struct Expected { var status: ContactStatus; var callStatus: CallStatus; var path: [String]? }
            let expected: [String: Expected] = [
                "+33600000001": .init(status: .leads, callStatus: .completed, path: ["hello", "q1", "q2", "q3", "is_leads", "confirm", "bye_success"]),
                "+33600000002": .init(status: .notInterested, callStatus: .completed, path: ["hello", "retry", "bye_failed"]),
                "+33600000003": .init(status: .notInterested, callStatus: .completed, path: ["hello", "retry", "bye_failed"]),
                "+33600000004": .init(status: .noAnswer, callStatus: .machine, path: []),
                "+33600000005": .init(status: .noAnswer, callStatus: .completed, path: nil),
                "+33600000006": .init(status: .noAnswer, callStatus: .completed, path: nil),
                "+33600000007": .init(status: .optOut, callStatus: .completed, path: ["hello", "bye_failed"]),
            ]
            for persona in Self.personas {
                let contact = try #require(try await store.contact(phone: persona.phone))
                let want = expected[persona.phone]!
                let history = try await store.dialHistory(phone: persona.phone, since: Date().addingTimeInterval(-3600))
                #expect(history.attempts.count == 1, "\(persona.name)")
                let queue = try #require(try await store.queueEntry(campaignID: "e2e", phone: persona.phone))
                let callID = try #require(queue.callID)
                let call = try #require(try await store.call(id: callID))
                let transcriptPath = try #require(call.transcriptPath)
                let transcript = try JSONDecoder.transcript.decode(
                    CallTranscript.self, from: Data(contentsOf: URL(fileURLWithPath: files.absolute(transcriptPath))))
                let said = transcript.turns.map { "\($0.step): \($0.answer ?? "-") → \($0.intent ?? "-")" }.joined(separator: " | ")
                #expect(contact.status == want.status, "\(persona.name): \(said) — \(transcript.endReason)")
                #expect(call.status == want.callStatus, "\(persona.name): \(call.status) — \(transcript.endReason)")
                if let path = want.path { #expect(transcript.turns.map(\.step) == path, "\(persona.name): \(said)") }
                // Every answered call keeps its full-call WAV (stereo: robot left, callee right) and both transcripts.
                let recordingPath = try #require(call.recordingPath)
                let recording = try WAVFile.read(path: files.absolute(recordingPath))
                #expect(recording.buffer.channels == 2)
                #expect(call.duration > 1)
                #expect(FileManager.default.fileExists(atPath: files.absolute(files.transcriptText(callID: call.callID))))
            }
            // The hang-up is recorded as such.
            let hangUp = try #require(try await store.queueEntry(campaignID: "e2e", phone: "+33600000006"))
            let hangUpCall = try #require(try await store.call(id: hangUp.callID!))
            #expect(hangUpCall.endReason?.hasPrefix("callee hung up during") == true, "\(hangUpCall.endReason ?? "nil")")
            // The opt-out lands on the list.
            #expect(try await store.isOptedOut(phone: "+33600000007"))
            // The lead's answers were stored as they came, with their clips.
            let lead = try #require(try await store.queueEntry(campaignID: "e2e", phone: "+33600000001"))
            let answers = try await store.interactions(callID: lead.callID!)
            #expect(answers.map(\.step) == ["hello", "q1", "q2", "q3", "is_leads", "confirm"])
            for answer in answers { #expect(answer.clipPath.map { FileManager.default.fileExists(atPath: files.absolute($0)) } == true) }
            let counters = try #require(try await store.campaign(id: "e2e")).counters
            #expect(counters.total == 7)
            #expect(counters.leads == 1)
            #expect(counters.machine == 1)
        }
        // The voicemail's greeting was transcribed behind the answers; every answer above it.
        #expect(log.greetings >= 1)
        #expect(log.clips.count >= 10, "\(log.clips.count) answers transcribed")
    }

    /// No stand-in: the HTTP engine pointed at a port where nothing listens fails as a dead server does.
    @Test("A recogniser that fails never breaks a call: each answer is unknown with its error stored, and the scenario goes on")
    func aFailingRecogniserLeavesTheScenarioGoingOn() async throws {
        let dead = HTTPTranscriptionRecognizer(configuration: .init(baseURL: URL(string: "http://127.0.0.1:\(PeerProcess.freePort())")!,
                                                                  timeout: .seconds(2), retries: 0))
        let person = Persona(name: "interested", phone: "+33600000011", greeting: "Allô ?",
                             answers: ["Oui, bien sûr, allez-y.", "Oui, je suis propriétaire."])
        try await Self.runCampaign([person], recognizer: dead) { store, files in
            let entry = try #require(try await store.queueEntry(campaignID: "e2e", phone: person.phone))
            let callID = try #require(entry.callID)
            let call = try #require(try await store.call(id: callID))
            #expect(call.status == .completed, "\(call.endReason ?? "-")")
            let answers = try await store.interactions(callID: call.callID)
            // hello: unknown → retry; retry: unknown → bye_failed (the universal scenario's transitions).
            #expect(answers.map(\.step) == ["hello", "retry"])
            for answer in answers {
                #expect(answer.intent == "unknown")
                #expect(answer.error?.hasPrefix("recogniser:") == true, "\(answer.error ?? "nil")")
                #expect(answer.clipPath.map { FileManager.default.fileExists(atPath: files.absolute($0)) } == true)
            }
            let transcriptPath = try #require(call.transcriptPath), recordingPath = try #require(call.recordingPath)
            let transcript = try JSONDecoder.transcript.decode(
                CallTranscript.self, from: Data(contentsOf: URL(fileURLWithPath: files.absolute(transcriptPath))))
            #expect(transcript.turns.map(\.step) == ["hello", "retry", "bye_failed"])
            #expect(try WAVFile.read(path: files.absolute(recordingPath)).buffer.channels == 2)
        }
    }

    @Test("A pause inside an answer starts its transcription early; the rest of the answer replaces it")
    func aPauseInsideAnAnswerDoesNotCutIt() async throws {
        let registry = RecognizerMeterTests.registry
        let log = ClipLog(try Self.whisper())
        let person = Persona(name: "hesitates", phone: "+33600000012", greeting: "Allô ?",
                             answers: ["Non merci. | Enfin si, pourquoi pas, allez-y."])
        try await Self.runCampaign([person], recognizer: log) { store, files in
            let entry = try #require(try await store.queueEntry(campaignID: "e2e", phone: person.phone))
            let answers = try await store.interactions(callID: try #require(entry.callID))
            let first = try #require(answers.first)
            #expect(first.step == "hello")
            let words = WordErrorRate.words(first.transcription)
            #expect(words.contains("allez") || words.contains("pourquoi"), "the answer was cut at its pause: '\(first.transcription)'")
            #expect(first.intent == IntentClassifier().classify(first.transcription).intent.rawValue)
            let whole = try WAVFile.read(path: files.absolute(try #require(first.clipPath))).buffer.samples.count
            // The transcription started at the pause: the first part and its margins, well short of the whole answer.
            let early = log.clips.filter { $0 < whole - Int(CalleeTrack.pauseBetweenParts * 8_000) }
            #expect(!early.isEmpty, "clips transcribed: \(log.clips), the answer's: \(whole)")
        }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self).contains("minibot_answer_wait_seconds_count"))
    }

    static let logger: Logger = {
        var logger = Logger(label: "e2e")
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

/// Notes the length (samples at 8 kHz) and task priority of every clip on its way to the real recogniser.
final class ClipLog: SpeechRecognizer, @unchecked Sendable {
    private let recognizer: any SpeechRecognizer
    private let lock = NSLock()
    private var entries: [(samples: Int, priority: TaskPriority)] = []

    init(_ recognizer: any SpeechRecognizer) { self.recognizer = recognizer }

    /// The answers' clips, in the order asked (not the AMD's greetings).
    var clips: [Int] { lock.withLock { entries.filter { $0.priority > .backgroundTranscription }.map(\.samples) } }
    /// Greetings the AMD asked for, at background priority.
    var greetings: Int { lock.withLock { entries.filter { $0.priority == .backgroundTranscription }.count } }

    func transcribe(_ audio: PCMBuffer, language: String, prompt: String?) async throws -> Transcript {
        lock.withLock { entries.append((audio.samples.count, Task.currentPriority)) }
        return try await recognizer.transcribe(audio, language: language, prompt: prompt)
    }
}

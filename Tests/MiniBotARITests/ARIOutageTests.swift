import Foundation
import MiniBotARI
import MiniBotAudio
import MiniBotCore
@testable import MiniBotDialer
import MiniBotSpeech
import MiniBotStore
import MiniBotTestSupport
import Synchronization
import Testing

/// Asterisk dies in the middle of a campaign: the call in progress ends with
/// the connection's loss as its recorded cause, the runner launches nothing
/// while ARI is down, and dials the next contact once Asterisk is back.
@Suite("Campaign through Asterisk ARI: Asterisk goes away and comes back", .serialized,
       .enabled(if: Asterisk.binary != nil, Comment(rawValue: Asterisk.unavailableReason ?? "")))
struct ARIOutageTests {
    @Test func callInProgressEndsWithTheCauseAndDiallingWaitsForARI() async throws {
        let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".deps/speech-test/ggml-base.bin").path
        guard FileManager.default.fileExists(atPath: model) else {
            throw TestSetupError("\(model) is missing: run scripts/fetch-test-model (scripts/test does)")
        }
        let folder = temporaryFolder("ari-outage")
        // Prompts: short tones (what they say does not matter here).
        let promptFolder = folder + "/prompts"
        try FileManager.default.createDirectory(atPath: promptFolder, withIntermediateDirectories: true)
        let builtin = try ScenarioLoader.parse(try ScenarioLoader.builtinText)
        for step in builtin.steps.values { try WAVFile.writePCM16(Tone.sine(440, seconds: 1.5), to: promptFolder + "/" + step.prompt.file) }
        let scenarioPath = folder + "/universal.yaml"
        try (try ScenarioLoader.builtinText).replacingOccurrences(of: "prompts: .", with: "prompts: \(promptFolder)")
            .write(toFile: scenarioPath, atomically: true, encoding: .utf8)
        let loaded = try ScenarioLoader.load(scenarioPath, defaultPromptDirectory: promptFolder, checkPrompts: true) { _ in
            ListenTimeouts(maxSilenceSeconds: 5, waitBeforeStop: 1.2)
        }
        // Both callees answer and stay silent on the line.
        let dialplan = "[general]\n[callees]\nexten => _+X.,1,Answer()\n same => n,Wait(120)\n"
        let first = try await Asterisk.start(folder: folder + "/asterisk", dialplan: dialplan, rtpPorts: 44000...44999)
        let restarted = Restarted()
        defer { Task { await first.stop(); await restarted.value.withLock { $0 }?.stop() } }

        try await withFreshStore(.sqlite) { store, _ in
            let phones = ["+33600000011", "+33600000012"]
            try await store.importContacts { sink in
                try await sink.upsert(phones.map { ContactUpsert(phone: try! PhoneNumberParser().parse($0)) }, at: Date())
            }
            let settings = CampaignSettings.anyTime
            try await store.createCampaign(Campaign(id: "outage", name: "outage", scenario: scenarioPath, settings: settings,
                                                    createdAt: Date(), updatedAt: Date()))
            _ = try await store.enqueue(campaignID: "outage", selection: ContactSelection(statuses: [.new], maxAttempts: 1), at: Date())

            var config = MiniBotConfig(dataDir: folder + "/data")
            config.telephony = .ari
            config.ari.url = first.url
            config.ari.username = first.username
            config.ari.password = first.password
            config.ari.app = "minibot-outage"
            config.ari.endpoint = "Local/{number}@callees/n"
            config.ari.rtpPortMin = 49_000
            config.ari.rtpPortMax = 49_999
            config.ari.reconnectGrace = 1
            let agent = try ARIAgent(configuration: ARITelephony.agentConfiguration(config), logger: testLogger)
            let files = CallFiles(dataDirectory: config.dataDir)
            try files.prepare()
            let session = CallSession(
                configuration: .init(scenario: loaded, prompts: try PromptSet.load(loaded), settings: settings, maximumDuration: .seconds(60)),
                recognizer: try WhisperRecognizer(modelPath: model, configuration: .init(threads: 2, concurrency: 1)),
                classifier: IntentClassifier(), store: store, files: files, logger: testLogger)
            let runner = CampaignRunner(campaignID: "outage", worker: "test", store: store, telephony: ARITelephony(agent: agent, config: config),
                                        session: session, callerID: config.callerID,
                                        limits: .init(maxConcurrentCalls: 1, delayBetweenCalls: .milliseconds(100),
                                                      queueCheckInterval: .milliseconds(200), ringTimeout: .seconds(10)),
                                        logger: testLogger)
            let ending = try await withThrowingTaskGroup(of: CampaignRunner.Ending?.self) { group in
                group.addTask { await agent.run(); return nil }
                group.addTask { try await agent.ready(timeout: .seconds(20)); return try await runner.run() }
                group.addTask {
                    // The first call is answered: Asterisk dies under it.
                    while await !(runner.activeCalls.first?.answered ?? false) { try await Task.sleep(for: .milliseconds(50)) }
                    let dying = try #require(await runner.activeCalls.first)
                    try await Task.sleep(for: .seconds(1))
                    await first.kill()
                    // Its call ends with the loss as cause; the other contact is not dialled while ARI is down.
                    while await !runner.activeCalls.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
                    let lost = try #require(try await store.call(id: dying.callID))
                    #expect(lost.endReason?.hasPrefix("ARI connection lost") == true, "\(lost.endReason ?? "nil")")
                    #expect(lost.hangupCause?.hasPrefix("ARI connection lost") == true, "\(lost.hangupCause ?? "nil")")
                    try await Task.sleep(for: .seconds(2))
                    #expect(await runner.telephonyDown != nil)
                    let waiting = try await store.queueSummary(campaignID: "outage")
                    #expect(waiting[.pending] == 1 && (waiting[.calling] ?? 0) == 0, "\(waiting)")
                    // Back on the same address: the runner dials again by itself.
                    let again = try await Asterisk.start(folder: first.folder, dialplan: dialplan, rtpPorts: 44000...44999,
                                                         httpPort: first.httpPort, password: first.password)
                    restarted.value.withLock { $0 = again }
                    return nil
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(150))
                    throw TestSetupError("the campaign did not end within 150 s: \(try await store.queueSummary(campaignID: "outage"))")
                }
                defer { group.cancelAll() }
                while let result = try await group.next() { if let result { return result } }
                throw TestSetupError("the agent stopped")
            }
            #expect(ending == .completed)
            #expect(await runner.telephonyDown == nil)
            let calls = try await phones.asyncMap { phone in try await store.queueEntry(campaignID: "outage", phone: phone) }
            #expect(calls.allSatisfy { $0?.status == .completed }, "\(calls.map { $0?.status })")
            let answeredAfter = try await store.call(id: try #require(calls.compactMap { $0?.callID }.last))
            #expect(answeredAfter?.answeredAt != nil)
        }
        await first.stop()
        await restarted.value.withLock { $0 }?.stop()
    }

    final class Restarted: Sendable {
        let value = Mutex<Asterisk?>(nil)
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}

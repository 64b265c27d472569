import Foundation
import Logging
import MiniBotAudio
import MiniBotCore
import MiniBotDialer
import MiniBotSIP
import MiniBotSpeech
import MiniBotStore

/// The whole demo on the embedded defaults: prompts from text, simulated
/// callees, the sample contacts, and a real campaign through the built-in SIP
/// agent, the local recogniser and the SQLite store, in `folder`.
struct DemoRun {
    let runtime: Runtime
    let folder: String
    /// Kept for the campaign: it runs with the demo's own database and data folder.
    let config: MiniBotConfig
    let callees: DemoCallees
    /// Progress lines on standard error.
    let progress: Bool

    static let callerID = "+33162000000"

    /// The demo's configuration: `base` with the demo's database, data folder,
    /// the local recogniser on `model`, loopback SIP, and a quick pace.
    static func configuration(_ base: MiniBotConfig, folder: String, model: String, keepDatabase: Bool) -> MiniBotConfig {
        var config = base
        if !keepDatabase { config.databaseURL = "sqlite://" + folder + "/demo.sqlite" }
        config.dataDir = folder + "/data"
        config.speech.engine = .local
        config.speech.model = model
        config.sip.bindHost = "127.0.0.1"
        config.sip.bindPort = 0
        config.sip.advertisedHost = ""
        config.sip.trunk = ""
        config.sip.register = false
        config.sip.rtpPortMin = 44_000
        config.sip.rtpPortMax = 44_999
        config.callerID.mode = .static
        config.callerID.number = callerID
        config.dialer = .init(maxConcurrentCalls: 6, delayBetweenCalls: 0.3, queueCheckInterval: 0.5, callTimeout: 120,
                              retryDelay: 300, maxAttempts: 1, ringTimeout: 8, leaseSeconds: 60)
        // The timing the callees' tracks are built for (as the end-to-end test's).
        config.listen = .init(defaults: .init(maxSilenceSeconds: 5, waitBeforeStop: 1.2), steps: [:])
        return config
    }

    /// Compliance on, as for a real campaign, except that these loopback
    /// numbers may be called at any hour, any day, without recorded consent.
    static func settings() -> CampaignSettings {
        var settings = CampaignSettings(maxAttempts: 1)
        settings.compliance.enabled = true
        settings.compliance.consentRequired = false
        settings.compliance.callingWindows = [CallingWindow(weekdays: Array(1...7), startMinute: 0, endMinute: 24 * 60)]
        settings.compliance.consentWindows = []
        settings.compliance.skipPublicHolidays = false
        settings.compliance.skipRegionalHolidays = false
        return settings
    }

    static let complianceNote = "compliance rules on (opt-out list, attempt limits, caller ID); calling hours widened to all hours, "
        + "every day, and consent not required, for these loopback numbers only"

    // MARK: Prompts

    /// Synthesises the scenario's prompts into `folder/prompts` (recordings
    /// there win), writes the scenario pointing at them, and returns its path
    /// and each step's prompt length.
    func preparePrompts() async throws -> (scenario: String, results: [PromptSynthesis.Result], lengths: [String: Double]) {
        let promptFolder = folder + "/prompts"
        try FileManager.default.createDirectory(atPath: promptFolder, withIntermediateDirectories: true)
        let text = try ScenarioLoader.builtinText
        let scenarioPath = folder + "/universal.yaml"
        try text.replacingOccurrences(of: "prompts: .", with: "prompts: \(promptFolder)")
            .write(toFile: scenarioPath, atomically: true, encoding: .utf8)
        let loaded = try Runtime(loaded: LoadedConfig(config: config, sources: []), logger: runtime.logger)
            .loadScenario(scenarioPath, checkPrompts: false)
        var synthesis = PromptSynthesis(folder: promptFolder, engine: SynthesisEngine(settings: config.tts, voice: nil), force: false)
        for (step, prompt) in loaded.scenario.promptFiles {
            await synthesis.make(step: step, prompt: prompt, destination: loaded.path(of: prompt))
        }
        _ = try synthesis.save()
        if let failed = synthesis.results.first(where: { $0.problem != nil }) {
            throw DemoError("the prompt of step \(failed.step) could not be made: \(failed.problem ?? "")")
        }
        var lengths: [String: Double] = [:]
        for result in synthesis.results { lengths[result.step] = result.duration }
        return (scenarioPath, synthesis.results, lengths)
    }

    // MARK: Callees

    /// One callee per contact: its voice track, its process, its route.
    func startCallees(contacts: [Contact], scenario: Scenario, lengths: [String: Double]) async throws -> [String: String] {
        let synthesizer = try SynthesisEngine(settings: config.tts, voice: nil).synthesizer.get()
        let voices = DemoVoices(synthesizer: CachingSynthesizer(synthesizer), scenario: scenario, promptLength: lengths)
        var plans: [(phone: String, kind: DemoPersona.Kind, home: String, voice: String?)] = []
        for contact in contacts {
            guard let kind = DemoPersona.byLastName[contact.lastName] else { continue }
            let home = folder + "/callees/" + contact.phone.replacingOccurrences(of: "+", with: "")
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
            var voice: String?
            if kind != .busy {
                let path = home + "/voice.wav"
                try WAVFile.writePCM16(try await voices.track(for: DemoPersona.make(kind)), to: path)
                voice = path
            }
            plans.append((contact.phone, kind, home, voice))
        }
        let callees = self.callees
        return try await withThrowingTaskGroup(of: (String, String).self) { group in
            for (index, plan) in plans.enumerated() {
                group.addTask {
                    // Each baresip gets its own 40 RTP ports.
                    let uri: String
                    if plan.kind == .busy {
                        uri = try await callees.startBusy(folder: plan.home, calls: 1)
                    } else {
                        uri = try await callees.startBaresip(folder: plan.home, voice: plan.voice,
                                                             answerMode: plan.kind == .noAnswer ? "manual" : "auto",
                                                             rtpBase: 30_000 + index * 40)
                    }
                    return (plan.phone, uri)
                }
            }
            var routes: [String: String] = [:]
            for try await (phone, uri) in group { routes[phone] = uri }
            return routes
        }
    }

    // MARK: The campaign

    /// Runs `campaign` through the built-in SIP agent to its end (or `limit`).
    func runCampaign(_ campaign: Campaign, store: any Store, routes: [String: String], limit: Duration) async throws -> CampaignRunner.Ending {
        var config = self.config
        config.sip.routes = routes
        let stackRuntime = Runtime(loaded: LoadedConfig(config: config, sources: []), logger: runtime.logger)
        let stack = try DialerStack(runtime: stackRuntime, campaign: campaign)
        let agent = SIPAgent(configuration: try SIPTarget.agentConfiguration(config, userAgent: "MiniBotPanel/\(MiniBotVersion.current) demo"),
                             logger: runtime.logger)
        let runner = CampaignRunner(campaignID: campaign.id, worker: CampaignRunner.workerName(), store: store,
                                    telephony: SIPTelephony(agent: agent, config: config), session: try stack.session(for: campaign, store: store),
                                    callerID: config.callerID, limits: .init(config.dialer), logger: runtime.logger)
        let progress = self.progress
        return try await withThrowingTaskGroup(of: CampaignRunner.Ending?.self) { group in
            group.addTask { try await agent.run(); return nil }
            group.addTask { _ = try await agent.ready(); return try await runner.run() }
            group.addTask {
                try await Task.sleep(for: limit)
                throw DemoError("the campaign did not end within \(limit)")
            }
            if progress {
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: .seconds(5))
                        let queue = try await store.queueSummary(campaignID: campaign.id)
                        let done = queue.filter { $0.key.isFinal }.values.reduce(0, +)
                        let active = await runner.activeCalls.count
                        Output.error("  \(done)/\(queue.values.reduce(0, +)) contacts done, \(active) calls in progress\n")
                    }
                    return nil
                }
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw DemoError("the SIP agent stopped")
        }
    }
}

/// Each distinct sentence is synthesised once: the callees share their words.
actor CachingSynthesizer: SpeechSynthesizer {
    private let base: any SpeechSynthesizer
    private var cache: [String: PCMBuffer] = [:]

    init(_ base: any SpeechSynthesizer) {
        self.base = base
    }

    func synthesize(_ text: String) async throws -> PCMBuffer {
        if let known = cache[text] { return known }
        let audio = try await base.synthesize(text)
        cache[text] = audio
        return audio
    }
}

struct DemoError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

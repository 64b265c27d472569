import Foundation
import Logging
import MiniBotARI
import MiniBotAudio
import MiniBotCore
import MiniBotDialer
import MiniBotSIP
import MiniBotSpeech
import MiniBotStore
import Synchronization

/// Everything a campaign run needs, built from the configuration: the
/// scenario and its prompts, the recogniser, the SIP agent, the session.
struct DialerStack {
    let runtime: Runtime
    let scenario: LoadedScenario
    let prompts: PromptSet
    let recognizer: any SpeechRecognizer

    /// Loads the scenario and prompts the campaign needs, and opens the recogniser.
    init(runtime: Runtime, campaign: Campaign) throws {
        self.runtime = runtime
        scenario = try runtime.loadScenario(campaign.scenario, checkPrompts: true)
        var optional: Set<String> = []
        if campaign.settings.compliance.recordingNotice { optional.insert("recording_notice") }
        if campaign.settings.machineAction == .voicemail { optional.insert("voicemail") }
        prompts = try PromptSet.load(scenario, including: optional)
        recognizer = try Self.recognizer(runtime.config)
    }

    static func recognizer(_ config: MiniBotConfig) throws -> any SpeechRecognizer {
        let speech = config.speech
        switch speech.engine {
        case .local:
            return try LocalRecognizer.open(model: speech.model, dataDirectory: config.dataDir,
                                            configuration: .init(threads: speech.threads, concurrency: speech.concurrency,
                                                                 timeout: .seconds(speech.timeout)))
        case .http:
            guard let url = URL(string: speech.baseURL), url.scheme != nil else {
                throw ConfigError.invalid("speech.base_url '\(speech.baseURL)' is not a URL (http://host:port)")
            }
            return HTTPTranscriptionRecognizer(configuration: .init(baseURL: url, model: speech.httpModel,
                                                                    apiKey: speech.apiKey.isEmpty ? nil : speech.apiKey,
                                                                    timeout: .seconds(speech.timeout)))
        }
    }

    func session(for campaign: Campaign, store: any Store) throws -> CallSession {
        let config = runtime.config
        let files = CallFiles(dataDirectory: config.dataDir)
        try files.prepare()
        let configuration = CallSession.Configuration(
            scenario: scenario, prompts: prompts, settings: campaign.settings,
            amd: AnsweringMachineDetector.Configuration(config.amd),
            recognitionTimeout: .seconds(config.speech.timeout + 5), speculativePause: config.speech.speculativePauseDuration,
            maximumDuration: .seconds(config.dialer.callTimeout),
            asteriskAMD: config.ari.asteriskAMD)
        return CallSession(configuration: configuration, recognizer: recognizer, classifier: IntentClassifier(), store: store,
                           files: files, logger: runtime.logger)
    }

    /// The configured telephony backend: what dials, the task that keeps it
    /// running, and what to wait for before the first call.
    struct Backend {
        let telephony: any Telephony
        let run: @Sendable () async throws -> Void
        let ready: @Sendable () async throws -> Void
    }

    /// The built-in SIP agent (`telephony: sip`) or Asterisk through ARI (`telephony: ari`).
    static func backend(_ config: MiniBotConfig, logger: Logger) throws -> Backend {
        switch config.telephony {
        case .sip:
            let userAgent = "MiniBotPanel/\(MiniBotVersion.current)"
            let agentConfiguration = try SIPTarget.agentConfiguration(config, userAgent: userAgent)
            let registration = try SIPTarget.registration(config, advertisedHost: agentConfiguration.advertisedHost ?? agentConfiguration.bindHost,
                                                          userAgent: userAgent)
            let agent = SIPAgent(configuration: agentConfiguration, logger: logger)
            return Backend(telephony: SIPTelephony(agent: agent, config: config), run: { try await agent.run() }, ready: {
                _ = try await agent.ready()
                if let registration { _ = try await agent.register(registration) }
            })
        case .ari:
            let agent = try ARIAgent(configuration: ARITelephony.agentConfiguration(config), logger: logger)
            return Backend(telephony: ARITelephony(agent: agent, config: config), run: { await agent.run() }, ready: {
                // Fails at once, in ARI's words, when Asterisk is down or refuses the credentials.
                _ = try await agent.client.info(timeout: .seconds(5))
                try await agent.ready(timeout: .seconds(10))
            })
        }
    }

    /// Runs `campaign` through the configured telephony backend until its queue is done,
    /// it is cancelled, or a signal asks to stop; `observe` is called every second with the runner.
    func run(campaign: Campaign, store: any Store, grace: Duration,
             observe: (@Sendable (CampaignRunner) async -> Void)? = nil) async throws -> CampaignRunner.Ending {
        let config = runtime.config
        let backend = try Self.backend(config, logger: runtime.logger)
        let runner = CampaignRunner(campaignID: campaign.id, worker: CampaignRunner.workerName(), store: store,
                                    telephony: backend.telephony, session: try session(for: campaign, store: store),
                                    callerID: config.callerID, limits: .init(config.dialer), logger: runtime.logger)
        let signals = SignalWatcher { signal in
            Output.error("\n\(signal): no new calls; the calls in progress get \(grace) to finish (again to stop now)\n")
            Task { await runner.shutdown(grace: grace) }
        }
        defer { signals.cancel() }
        return try await withThrowingTaskGroup(of: CampaignRunner.Ending?.self) { group in
            group.addTask { try await backend.run(); return nil }
            group.addTask {
                try await backend.ready()
                return try await runner.run()
            }
            if let observe {
                group.addTask {
                    while !Task.isCancelled {
                        await observe(runner)
                        try? await Task.sleep(for: .seconds(1))
                    }
                    return nil
                }
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result {
                    if let observe { await observe(runner) }
                    return result
                }
            }
            throw SIPAgentError.notRunning
        }
    }
}

/// Calls `handler` on SIGINT and SIGTERM; a second signal exits at once.
final class SignalWatcher: @unchecked Sendable {
    // Set once in init; DispatchSource is thread-safe.
    private let sources: [any DispatchSourceSignal]

    init(_ handler: @escaping @Sendable (String) -> Void) {
        let seen = Mutex(false)
        sources = [(SIGINT, "interrupted"), (SIGTERM, "terminated")].map { number, name in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let again = seen.withLock { seen in
                    let was = seen
                    seen = true
                    return was
                }
                if again { exit(130) }
                handler(name)
            }
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

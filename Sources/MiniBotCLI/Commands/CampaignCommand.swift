import ArgumentParser
import Foundation
import MiniBotCore
import MiniBotDialer
import MiniBotStore

/// `minibot campaign …`: the seed's campaign CLI.
struct CampaignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign",
        abstract: "Launch, watch and steer calling campaigns.",
        subcommands: [CampaignLaunchCommand.self, CampaignCreateCommand.self, CampaignListCommand.self, CampaignShowCommand.self,
                      CampaignPauseCommand.self, CampaignResumeCommand.self, CampaignCancelCommand.self, CampaignSetCommand.self]
    )
}

/// What defines a campaign: its name, scenario, contact selection and rules.
struct CampaignOptions: ParsableArguments {
    @Option(help: "The campaign's name.")
    var name: String

    @Option(parsing: .upToNextOption, help: "Statuses of the contacts to call (default: New).")
    var status: [ContactStatus] = [.new]

    @Option(help: "Call at most this many contacts.")
    var limit: Int?

    @Option(help: "Scenario file, or `universal` (the built-in one).")
    var scenario = ScenarioLoader.builtinName

    @Option(help: "Queue priority of these contacts (higher first).")
    var priority = 0

    @Option(help: "Attempts per contact (default: dialer.max_attempts).")
    var maxAttempts: Int?

    @Flag(help: "Leave a voicemail message (the scenario's voicemail prompt) instead of hanging up on machines.")
    var voicemail = false

    @Flag(help: "Play the recording notice before the first step.")
    var recordingNotice = false

    @Flag(help: "Turn off the French compliance rules (campaigns outside French consumer law only).")
    var noCompliance = false

    @Flag(help: "Call contacts without recorded consent (business numbers, existing customers).")
    var noConsentRequired = false

    func validate() throws {
        if let limit, limit <= 0 { throw ValidationError("--limit must be positive") }
        if let maxAttempts, !(1...20).contains(maxAttempts) { throw ValidationError("--max-attempts must be in 1…20") }
        if name.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--name must not be empty") }
    }

    func selection(_ campaign: Campaign) -> ContactSelection {
        ContactSelection(statuses: status, limit: limit, priority: priority, maxAttempts: campaign.settings.maxAttempts)
    }

    func campaign(_ config: MiniBotConfig, at now: Date) -> Campaign {
        var settings = CampaignSettings(maxAttempts: maxAttempts ?? config.dialer.maxAttempts, retryDelaySeconds: config.dialer.retryDelay,
                                        machineAction: voicemail ? .voicemail : .hangup)
        settings.compliance.enabled = !noCompliance
        settings.compliance.consentRequired = !noConsentRequired
        settings.compliance.recordingNotice = recordingNotice
        return Campaign(id: Self.newID(at: now), name: name, scenario: scenario, settings: settings, createdAt: now, updatedAt: now)
    }

    static func newID(at now: Date) -> String {
        let stamp = ISO8601DateFormatter.string(from: now, timeZone: .gmt, formatOptions: [.withYear, .withMonth, .withDay])
        return "c-\(stamp.replacingOccurrences(of: "-", with: ""))-\(UUID().uuidString.prefix(6).lowercased())"
    }
}

struct CampaignCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a campaign and queue its contacts without dialling; `minibot worker` runs it.",
        discussion: "Prints the campaign's id. The scenario and its prompts are checked first."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: CampaignOptions

    @Flag(help: "Print one JSON object.")
    var json = false

    struct Created: Encodable {
        var id: String
        var queued: Int
    }

    func run() async throws {
        let runtime = try Runtime(global)
        let campaign = options.campaign(runtime.config, at: Date())
        _ = try runtime.loadScenario(campaign.scenario, checkPrompts: true)
        try CampaignChecks.callerID(runtime.config, settings: campaign.settings)
        let queued = try await runtime.withStore { store in
            try await store.createCampaign(campaign)
            return try await store.enqueue(campaignID: campaign.id, selection: options.selection(campaign), at: campaign.createdAt)
        }
        if json { return try Output.json(Created(id: campaign.id, queued: queued)) }
        Output.write("\(campaign.id)\n")
        Output.error("campaign \(campaign.id) \"\(campaign.name)\": \(queued) contacts queued; run it with: minibot worker --campaign \(campaign.id)\n")
    }
}

struct CampaignLaunchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "launch",
        abstract: "Create a campaign from a selection of contacts and run it until its queue is done.",
        discussion: """
        Selects contacts by status (New by default; --status No_answer retries the unanswered), queues them, \
        and dials them through the built-in SIP agent with the configured concurrency and pace, applying the \
        French compliance rules (calling hours, attempt limits, consent, opt-out list). Ctrl-C or SIGTERM stops \
        launching calls and lets the calls in progress finish (--grace); run `minibot worker --campaign ID` to \
        continue later. --dry-run does everything but the calls: it checks the scenario, prompts, recogniser \
        and telephony settings, and says what would happen to each selected contact.
        """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: CampaignOptions

    @Flag(help: "Show a live view: progress, calls in progress, outcomes, calls per minute.")
    var monitor = false

    @Flag(help: "Check everything and report what would happen, without calling.")
    var dryRun = false

    @Option(help: "Seconds the calls in progress get to finish after Ctrl-C or SIGTERM.")
    var grace: Double = 60

    @Flag(help: "Print the result as one JSON object.")
    var json = false

    func run() async throws {
        let runtime = try Runtime(global)
        let campaign = options.campaign(runtime.config, at: Date())
        try await runtime.withStore { store in
            try await launch(campaign, store: store, runtime: runtime)
        }
    }

    private func launch(_ campaign: Campaign, store: any Store, runtime: Runtime) async throws {
        let stack = try DialerStack(runtime: runtime, campaign: campaign)
        try CampaignChecks.callerID(runtime.config, settings: campaign.settings)
        if dryRun {
            let report = try await DryRun.report(store: store, runtime: runtime, selection: options.selection(campaign), settings: campaign.settings)
            if json { return try Output.json(report) }
            return Output.write(report.rendered(scenario: stack.scenario))
        }
        try await store.createCampaign(campaign)
        let queued = try await store.enqueue(campaignID: campaign.id, selection: options.selection(campaign), at: campaign.createdAt)
        Output.error("campaign \(campaign.id) \"\(campaign.name)\": \(queued) contacts queued, scenario \(stack.scenario.source)\n")
        var observe: (@Sendable (CampaignRunner) async -> Void)?
        if monitor {
            let view = CampaignMonitor(campaignID: campaign.id, store: store, queued: queued)
            observe = { runner in await view.draw(runner) }
        }
        let ending = try await stack.run(campaign: campaign, store: store, grace: .seconds(grace), observe: observe)
        try await CampaignReport.print(campaignID: campaign.id, store: store, ending: ending, json: json)
    }
}

struct CampaignListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the campaigns, newest first.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print one JSON array.")
    var json = false

    func run() async throws {
        let runtime = try Runtime(global)
        let campaigns = try await runtime.withStore { try await $0.campaigns() }
        if json { return try Output.json(campaigns) }
        var table = Table(["id", "name", "status", "calls", "leads", "not interested", "no answer", "created"],
                          alignments: [.left, .left, .left, .right, .right, .right, .right, .left])
        for campaign in campaigns {
            let c = campaign.counters
            table.add([campaign.id, campaign.name, campaign.status.rawValue, "\(c.total)", "\(c.leads)", "\(c.notInterested)",
                       "\(c.noAnswer)", ISO8601DateFormatter().string(from: campaign.createdAt)])
        }
        Output.write(table.render())
    }
}

struct CampaignShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a campaign: counters, queue, settings.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The campaign's id.")
    var id: String

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() async throws {
        let runtime = try Runtime(global)
        try await runtime.withStore { store in
            guard try await store.campaign(id: id) != nil else { throw ValidationError("no campaign with id \(id) (minibot campaign list)") }
            try await CampaignReport.print(campaignID: id, store: store, ending: nil, json: json)
        }
    }
}

/// pause / resume / cancel: one status change each.
protocol CampaignStatusCommand: AsyncParsableCommand {
    var global: GlobalOptions { get }
    var id: String { get }
    static var target: CampaignStatus { get }
    static var allowedFrom: Set<CampaignStatus> { get }
}

extension CampaignStatusCommand {
    func run() async throws {
        let runtime = try Runtime(global)
        try await runtime.withStore { store in
            guard let campaign = try await store.campaign(id: id) else { throw ValidationError("no campaign with id \(id) (minibot campaign list)") }
            guard Self.allowedFrom.contains(campaign.status) else {
                throw ValidationError("campaign \(id) is \(campaign.status.rawValue); it cannot become \(Self.target.rawValue)")
            }
            _ = try await store.setCampaignStatus(id: id, Self.target, at: Date())
            Output.write("campaign \(id): \(campaign.status.rawValue) → \(Self.target.rawValue)\n")
        }
    }
}

struct CampaignPauseCommand: CampaignStatusCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Stop launching calls; the calls in progress finish.")
    static let target = CampaignStatus.paused
    static let allowedFrom: Set<CampaignStatus> = [.active]
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The campaign's id.") var id: String
}

struct CampaignResumeCommand: CampaignStatusCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Launch calls again (a running worker picks it up).")
    static let target = CampaignStatus.active
    static let allowedFrom: Set<CampaignStatus> = [.paused]
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The campaign's id.") var id: String
}

struct CampaignCancelCommand: CampaignStatusCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "End the campaign for good; the calls in progress finish.")
    static let target = CampaignStatus.cancelled
    static let allowedFrom: Set<CampaignStatus> = [.active, .paused]
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The campaign's id.") var id: String
}

struct CampaignSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Change a campaign's concurrency or pace, even while it runs (workers apply it within a second).",
        discussion: "`--max-concurrent-calls 0` and `--delay-between-calls -1` go back to the configuration's values."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The campaign's id.")
    var id: String

    @Option(help: "Calls at once for this campaign.")
    var maxConcurrentCalls: Int?

    @Option(help: "Seconds between two call starts.")
    var delayBetweenCalls: Double?

    func validate() throws {
        if maxConcurrentCalls == nil && delayBetweenCalls == nil { throw ValidationError("give --max-concurrent-calls or --delay-between-calls") }
        if let maxConcurrentCalls, !(0...1_000).contains(maxConcurrentCalls) { throw ValidationError("--max-concurrent-calls must be in 0…1000") }
        if let delayBetweenCalls, delayBetweenCalls > 600 { throw ValidationError("--delay-between-calls must be at most 600 s") }
    }

    func run() async throws {
        let runtime = try Runtime(global)
        try await runtime.withStore { store in
            guard var campaign = try await store.campaign(id: id) else { throw ValidationError("no campaign with id \(id) (minibot campaign list)") }
            if let maxConcurrentCalls { campaign.settings.maxConcurrentCalls = maxConcurrentCalls == 0 ? nil : maxConcurrentCalls }
            if let delayBetweenCalls { campaign.settings.delayBetweenCalls = delayBetweenCalls < 0 ? nil : delayBetweenCalls }
            _ = try await store.setCampaignSettings(id: id, campaign.settings, at: Date())
            let concurrency = campaign.settings.maxConcurrentCalls.map(String.init) ?? "\(runtime.config.dialer.maxConcurrentCalls) (configuration)"
            let delay = campaign.settings.delayBetweenCalls.map { "\($0) s" } ?? "\(runtime.config.dialer.delayBetweenCalls) s (configuration)"
            Output.write("campaign \(id): \(concurrency) calls at once, \(delay) between calls\n")
        }
    }
}

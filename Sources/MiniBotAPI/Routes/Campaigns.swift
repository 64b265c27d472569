import Foundation
import Hummingbird
import MiniBotCore
import MiniBotDialer
import MiniBotStore

/// Campaigns: create (and queue a selection), list, show with the queue, change status.
public struct CampaignRoutes: Sendable {
    let environment: APIEnvironment
    var store: any Store { environment.store }

    struct CreateRequest: Decodable {
        var name: String
        var scenario: String?
        var statuses: [String]?
        var limit: Int?
        var priority: Int?
        var maxAttempts: Int?
        var voicemail: Bool?
        var recordingNotice: Bool?
        var compliance: Bool?
        var consentRequired: Bool?

        enum CodingKeys: String, CodingKey {
            case name, scenario, statuses, limit, priority, voicemail, compliance
            case maxAttempts = "max_attempts", recordingNotice = "recording_notice", consentRequired = "consent_required"
        }
    }

    struct Created: ResponseEncodable {
        var campaign: Campaign
        var queued: Int
    }

    /// A campaign with its queue, as `GET /campaigns/{campaign_id}` answers.
    struct Detail: ResponseEncodable {
        var campaign: Campaign
        var queue: [String: Int]

        enum CodingKeys: String, CodingKey { case queue }

        func encode(to encoder: any Encoder) throws {
            try campaign.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(queue, forKey: .queue)
        }
    }

    struct StatusRequest: Decodable {
        var status: String
    }

    struct StatusChange: ResponseEncodable {
        var id: String
        var previous: CampaignStatus
        var status: CampaignStatus
    }

    /// What each requested status (or its verb) becomes, and from which statuses.
    static func transition(_ requested: String) -> (target: CampaignStatus, from: Set<CampaignStatus>)? {
        switch requested.lowercased() {
        case "paused", "pause": (.paused, [.active])
        case "active", "resume": (.active, [.paused])
        case "cancelled", "cancel": (.cancelled, [.active, .paused])
        default: nil
        }
    }

    /// A campaign as the web panel's form describes it; created as `POST /campaigns/create` does.
    public struct Draft: Sendable {
        public var name: String
        public var scenario: String
        public var statuses: [String]
        public var limit: Int?
        public var maxAttempts: Int?
        public var voicemail: Bool
        /// Apply the calling rules (hours, holidays, consent, refusal cooldown).
        public var compliance: Bool

        public init(name: String, scenario: String, statuses: [String], limit: Int? = nil, maxAttempts: Int? = nil, voicemail: Bool = false,
                    compliance: Bool = true) {
            self.name = name
            self.scenario = scenario
            self.statuses = statuses
            self.limit = limit
            self.maxAttempts = maxAttempts
            self.voicemail = voicemail
            self.compliance = compliance
        }
    }

    /// Creates the campaign and queues its selection; throws a ``Problem`` naming the field at fault.
    public static func create(_ draft: Draft, environment: APIEnvironment) async throws -> (campaign: Campaign, queued: Int) {
        let routes = CampaignRoutes(environment: environment)
        let body = CreateRequest(name: draft.name, scenario: draft.scenario, statuses: draft.statuses, limit: draft.limit,
                                 maxAttempts: draft.maxAttempts, voicemail: draft.voicemail, compliance: draft.compliance)
        let created = try await routes.create(body, at: Date())
        return (created.campaign, created.queued)
    }

    /// Pauses, resumes or cancels (`pause`, `resume`, `cancel`); throws a ``Problem`` when the campaign cannot.
    public static func changeStatus(id: String, to requested: String, environment: APIEnvironment) async throws -> CampaignStatus {
        try await CampaignRoutes(environment: environment).changeStatus(id: id, to: requested).status
    }

    func create(_ body: CreateRequest, at now: Date) async throws -> Created {
        let statuses = try statuses(body.statuses)
        let campaign = try campaign(body, at: now)
        let selection = ContactSelection(statuses: statuses, limit: body.limit, priority: body.priority ?? 0,
                                         maxAttempts: campaign.settings.maxAttempts)
        try await store.createCampaign(campaign)
        let queued = try await store.enqueue(campaignID: campaign.id, selection: selection, at: now)
        return Created(campaign: campaign, queued: queued)
    }

    func changeStatus(id: String, to requested: String) async throws -> StatusChange {
        guard let transition = Self.transition(requested) else {
            throw Problem.invalid("status", "must be paused, active or cancelled (or pause, resume, cancel)")
        }
        guard let campaign = try await store.campaign(id: id) else { throw Problem.notFound("no campaign with id \(id)") }
        guard transition.from.contains(campaign.status) else {
            throw Problem(.conflict, "campaign \(id) is \(campaign.status.rawValue); it cannot become \(transition.target.rawValue)")
        }
        _ = try await store.setCampaignStatus(id: id, transition.target, at: Date())
        return StatusChange(id: id, previous: campaign.status, status: transition.target)
    }

    func register(_ routes: RouteTable) {
        routes.add(.post, "/campaigns/create") { request, context -> EditedResponse<Created> in
            var request = request
            let body = try await request.decodeJSON(CreateRequest.self, context: context)
            return EditedResponse(status: .created, response: try await create(body, at: Date()))
        }
        routes.add(.get, "/campaigns") { _, _ in
            ListResponse(items: try await store.campaigns())
        }

        routes.add(.get, "/campaigns/{campaign_id}") { _, context in
            let id = try context.parameters.require("campaign_id")
            guard let campaign = try await store.campaign(id: id) else { throw Problem.notFound("no campaign with id \(id)") }
            let summary = try await store.queueSummary(campaignID: id)
            return Detail(campaign: campaign, queue: Dictionary(uniqueKeysWithValues: summary.map { ($0.key.rawValue, $0.value) }))
        }

        routes.add(.patch, "/campaigns/{campaign_id}/status") { request, context in
            let id = try context.parameters.require("campaign_id")
            var request = request
            let body = try await request.decodeJSON(StatusRequest.self, context: context)
            return try await changeStatus(id: id, to: body.status)
        }
    }

    func statuses(_ names: [String]?) throws -> [ContactStatus] {
        guard let names else { return [.new] }
        return try names.enumerated().map { index, name in
            guard let status = ContactStatus(lenient: name) else {
                throw Problem.invalid("statuses[\(index)]", "unknown contact status '\(name)' (\(ContactStatus.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return status
        }
    }

    func campaign(_ body: CreateRequest, at now: Date) throws -> Campaign {
        let name = body.name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw Problem.invalid("name", "must not be empty") }
        if let limit = body.limit, limit <= 0 { throw Problem.invalid("limit", "must be positive") }
        if let attempts = body.maxAttempts, !(1...20).contains(attempts) { throw Problem.invalid("max_attempts", "must be in 1…20") }
        let scenario = try ScenarioCatalog(environment: environment).path(of: body.scenario ?? ScenarioLoader.builtinName, field: "scenario")
        let config = environment.config
        var settings = CampaignSettings(maxAttempts: body.maxAttempts ?? config.dialer.maxAttempts, retryDelaySeconds: config.dialer.retryDelay,
                                        machineAction: body.voicemail == true ? .voicemail : .hangup)
        settings.compliance.enabled = body.compliance ?? true
        settings.compliance.consentRequired = body.consentRequired ?? true
        settings.compliance.recordingNotice = body.recordingNotice ?? false
        let campaign = Campaign(id: Self.newID(at: now), name: name, scenario: scenario, settings: settings, createdAt: now, updatedAt: now)
        let problems = ScenarioCatalog(environment: environment).check(scenario, checkPrompts: environment.checkPrompts)
        if !problems.isEmpty { throw Problem.invalid("scenario", problems.joined(separator: "; ")) }
        return campaign
    }

    /// `c-YYYYMMDD-xxxxxx`, as `minibot campaign create` names campaigns.
    static func newID(at now: Date) -> String {
        let stamp = ISO8601DateFormatter.string(from: now, timeZone: .gmt, formatOptions: [.withYear, .withMonth, .withDay])
        return "c-\(stamp.replacingOccurrences(of: "-", with: ""))-\(UUID().uuidString.prefix(6).lowercased())"
    }
}

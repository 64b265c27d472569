import Foundation

public enum CampaignStatus: String, Codable, Sendable, CaseIterable {
    case active, paused, completed, cancelled
}

/// Running totals of a campaign's calls, kept by the dialer as calls end.
public struct CampaignCounters: Codable, Sendable, Equatable {
    public var total: Int
    public var answered: Int
    public var machine: Int
    public var leads: Int
    public var notInterested: Int
    public var noAnswer: Int
    public var failed: Int

    public init(total: Int = 0, answered: Int = 0, machine: Int = 0, leads: Int = 0,
                notInterested: Int = 0, noAnswer: Int = 0, failed: Int = 0) {
        self.total = total
        self.answered = answered
        self.machine = machine
        self.leads = leads
        self.notInterested = notInterested
        self.noAnswer = noAnswer
        self.failed = failed
    }

    enum CodingKeys: String, CodingKey {
        case total, answered, machine, leads, failed
        case notInterested = "not_interested", noAnswer = "no_answer"
    }
}

/// A run of calls over a selection of contacts with one scenario.
public struct Campaign: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    /// The scenario's name or file path.
    public var scenario: String
    public var status: CampaignStatus
    public var counters: CampaignCounters
    /// How the campaign dials and the compliance rules it obeys.
    public var settings: CampaignSettings
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, name: String, scenario: String, status: CampaignStatus = .active,
                counters: CampaignCounters = .init(), settings: CampaignSettings = .init(),
                createdAt: Date, updatedAt: Date) {
        self.id = id
        self.name = name
        self.scenario = scenario
        self.status = status
        self.counters = counters
        self.settings = settings
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, scenario, status, counters, settings
        case createdAt = "created_at", updatedAt = "updated_at"
    }
}

extension Campaign {
    /// Campaigns written before settings existed decode with the default settings.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try c.decode(String.self, forKey: .id), name: try c.decode(String.self, forKey: .name),
                  scenario: try c.decode(String.self, forKey: .scenario), status: try c.decode(CampaignStatus.self, forKey: .status),
                  counters: try c.decode(CampaignCounters.self, forKey: .counters),
                  settings: try c.decodeIfPresent(CampaignSettings.self, forKey: .settings) ?? .init(),
                  createdAt: try c.decode(Date.self, forKey: .createdAt), updatedAt: try c.decode(Date.self, forKey: .updatedAt))
    }
}

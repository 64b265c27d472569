import Foundation
import MiniBotCore

/// Which calls ``Store/calls(_:)`` lists, newest first, and which page.
public struct CallQuery: Sendable, Hashable {
    public var campaignID: String?
    public var status: CallStatus?
    /// Only calls to this phone (E.164).
    public var phone: String?
    /// Only calls that made (true) or did not make (false) a lead.
    public var isLead: Bool?
    /// Calls started at or after this time.
    public var from: Date?
    /// Calls started before this time.
    public var to: Date?
    /// Only the calls after this one in the newest-first order: the next
    /// page, whatever its depth, at the cost of the first (use it with an
    /// `offset` of 0).
    public var after: CallCursor?
    public var limit: Int
    /// Calls skipped first: every one is read, so deep pages are slow; prefer ``after``.
    public var offset: Int
    /// False: the page only, ``CallPage/total`` left at 0 (counting every
    /// match costs a scan on a big table; see ``Store/countCalls(_:)``).
    public var countsTotal = true

    public init(campaignID: String? = nil, status: CallStatus? = nil, phone: String? = nil, isLead: Bool? = nil,
                from: Date? = nil, to: Date? = nil, after: CallCursor? = nil, limit: Int = 50, offset: Int = 0) {
        self.campaignID = campaignID
        self.status = status
        self.phone = phone
        self.isLead = isLead
        self.from = from
        self.to = to
        self.after = after
        self.limit = limit
        self.offset = offset
    }
}

extension CallQuery {
    /// The same filters, every match: no place, limit or offset (what
    /// ``Store/countCalls(_:)`` counts, and a key for a kept count).
    public var filterOnly: CallQuery {
        CallQuery(campaignID: campaignID, status: status, phone: phone, isLead: isLead, from: from, to: to, limit: 0, offset: 0)
    }
}

extension CallQuery {
    /// True when the count is in `call_totals` (migration 8), which triggers
    /// keep per status and outcome: no filter, or the status only.
    var countsFromTotals: Bool {
        campaignID == nil && phone == nil && isLead == nil && from == nil && to == nil
    }
}

extension CallQuery {
    /// True when a numbered page can start from the calls kept per hour
    /// (SQLite's `call_hours`, PostgreSQL's `call_page_hours`): the hours newer than the page's are
    /// skipped by their counts, and only the calls of its hour are walked, so
    /// page 2,000 of a million calls costs what the first pages cost. Only the
    /// filters the counts keep (campaign, status) allow it; the others walk
    /// every call skipped.
    var pagesByHour: Bool {
        offset > 0 && after == nil && filtersKeptByHour
    }

    /// No filter but those the hourly counts keep: campaign and status.
    var filtersKeptByHour: Bool {
        phone == nil && isLead == nil && from == nil && to == nil
    }

    /// Seconds in an hourly count's bucket.
    static let hourSeconds: Int64 = 3_600

    /// The same page among the calls started before the end of `hour`
    /// (hours since 1970), once the `skipped` calls of the later hours are
    /// left out (SQLite; PostgreSQL does the same in one statement).
    func within(hour: Int64, skipping skipped: Int) -> CallQuery {
        var query = self
        query.to = Date(timeIntervalSince1970: Double((hour + 1) * Self.hourSeconds))
        query.offset -= skipped
        return query
    }
}

/// One page of calls and how many match in all.
public struct CallPage: Sendable, Equatable {
    public var calls: [Call]
    public var total: Int

    public init(calls: [Call], total: Int) {
        self.calls = calls
        self.total = total
    }
}

/// Totals over every call, for the dashboard.
public struct CallSummary: Sendable, Equatable, Codable {
    public var total: Int
    public var leads: Int
    /// Calls per status; every status is present, zero included.
    public var byStatus: [String: Int]
    /// Calls per outcome, for the calls that have one.
    public var byOutcome: [String: Int]
    /// Mean seconds of the answered calls (zero when none).
    public var averageDuration: Double

    public init(total: Int = 0, leads: Int = 0, byStatus: [String: Int] = [:], byOutcome: [String: Int] = [:], averageDuration: Double = 0) {
        self.total = total
        self.leads = leads
        var all = Dictionary(uniqueKeysWithValues: CallStatus.allCases.map { ($0.rawValue, 0) })
        all.merge(byStatus) { $1 }
        self.byStatus = all
        self.byOutcome = byOutcome
        self.averageDuration = averageDuration
    }

    enum CodingKeys: String, CodingKey {
        case total, leads, byStatus = "by_status", byOutcome = "by_outcome", averageDuration = "average_duration"
    }

    /// Folds rows of (status, outcome, calls, leads, answered calls, seconds answered).
    static func folding(_ rows: [(String, String?, Int, Int, Int, Double)]) -> CallSummary {
        var byStatus: [String: Int] = [:]
        var byOutcome: [String: Int] = [:]
        var total = 0, leads = 0, answered = 0
        var seconds = 0.0
        for (status, outcome, count, lead, answeredCount, duration) in rows {
            byStatus[status, default: 0] += count
            if let outcome { byOutcome[outcome, default: 0] += count }
            total += count
            leads += lead
            answered += answeredCount
            seconds += duration
        }
        return CallSummary(total: total, leads: leads, byStatus: byStatus, byOutcome: byOutcome,
                           averageDuration: answered == 0 ? 0 : seconds / Double(answered))
    }
}

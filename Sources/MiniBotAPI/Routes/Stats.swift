import Foundation
import Hummingbird
import MiniBotStore

/// `GET /stats/summary`'s answer: calls, contacts and campaigns in totals.
struct StatsSummary: ResponseEncodable {
    var calls: CallSummary
    var contacts: ContactStats
    var campaigns: [String: Int]
}

/// `GET /stats/summary`, at most ``APIEnvironment/summaryMaxAge`` old.
struct StatsRoutes {
    let environment: APIEnvironment

    func register(_ routes: RouteTable) {
        routes.add(.get, "/stats/summary") { _, _ in
            let store = environment.store
            return try await environment.recent.summaries.value("summary") {
                var campaigns: [String: Int] = [:]
                for campaign in try await store.campaigns() { campaigns[campaign.status.rawValue, default: 0] += 1 }
                return StatsSummary(calls: try await store.callSummary(), contacts: try await store.contactStats(), campaigns: campaigns)
            }
        }
    }
}

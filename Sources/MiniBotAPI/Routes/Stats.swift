import Foundation
import Hummingbird
import MiniBotStore

/// `GET /stats/summary`: calls, contacts and campaigns in totals.
struct StatsRoutes {
    let environment: APIEnvironment

    struct Summary: ResponseEncodable {
        var calls: CallSummary
        var contacts: ContactStats
        var campaigns: [String: Int]
    }

    func register(_ routes: RouteTable) {
        routes.add(.get, "/stats/summary") { _, _ in
            let store = environment.store
            var campaigns: [String: Int] = [:]
            for campaign in try await store.campaigns() { campaigns[campaign.status.rawValue, default: 0] += 1 }
            return Summary(calls: try await store.callSummary(), contacts: try await store.contactStats(), campaigns: campaigns)
        }
    }
}

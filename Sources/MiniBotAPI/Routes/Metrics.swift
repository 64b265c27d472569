import Foundation
import Hummingbird
import MiniBotCore
import MiniBotStore
import Prometheus

/// `GET /metrics`: Prometheus text. What the process records through
/// swift-metrics (HTTP requests, once `minibot serve` bootstraps the
/// Prometheus factory on this registry) plus gauges read from the store at
/// each scrape: calls in progress, calls by status and outcome, leads, and
/// queue depth per campaign and queue status.
struct MetricsRoutes {
    let environment: APIEnvironment

    func register(_ routes: RouteTable) {
        routes.add(.get, "/metrics") { _, _ -> Response in
            try await refresh()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: environment.metrics.emitToBuffer())))
        }
    }

    func refresh() async throws {
        let registry = environment.metrics
        let store = environment.store
        let summary = try await store.callSummary()
        let inProgress = CallStatus.allCases.filter { !$0.isFinal }.reduce(0) { $0 + (summary.byStatus[$1.rawValue] ?? 0) }
        registry.makeGauge(name: "minibot_active_calls", help: "Calls dialling, ringing or answered").set(Int64(inProgress))
        registry.makeGauge(name: "minibot_leads", help: "Calls that made a lead").set(Int64(summary.leads))
        for (status, count) in summary.byStatus {
            registry.makeGauge(name: "minibot_calls_by_status", labels: [("status", status)], help: "Calls per status").set(Int64(count))
        }
        for (outcome, count) in summary.byOutcome {
            registry.makeGauge(name: "minibot_calls_by_outcome", labels: [("outcome", outcome)], help: "Calls per outcome").set(Int64(count))
        }
        for campaign in try await store.campaigns() where campaign.status == .active || campaign.status == .paused {
            for (status, count) in try await store.queueSummary(campaignID: campaign.id) {
                registry.makeGauge(name: "minibot_queue_depth", labels: [("campaign_id", campaign.id), ("status", status.rawValue)],
                                   help: "Queue rows per campaign and status").set(Int64(count))
            }
        }
    }
}

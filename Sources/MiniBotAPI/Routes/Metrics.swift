import Foundation
import Hummingbird
import MiniBotCore
import MiniBotStore
import Prometheus

/// `GET /metrics`: Prometheus text. What the process records through
/// swift-metrics (HTTP requests, once `minibot serve` bootstraps the
/// Prometheus factory on this registry) plus gauges read from the store at
/// each scrape: calls in progress, calls by status and outcome, leads, and
/// queue depth per campaign and queue status, webhook deliveries per endpoint.
struct MetricsRoutes {
    let environment: APIEnvironment

    func register(_ routes: RouteTable) {
        routes.add(.get, "/metrics") { _, _ -> Response in
            try await refresh()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: environment.metrics.emitToBuffer())))
        }
    }

    /// A gauge named `minibot_<name>`.
    func gauge(_ name: String, _ help: String, _ labels: [(String, String)] = []) -> Gauge {
        environment.metrics.makeGauge(descriptor: MetricNameDescriptor(namespace: "minibot", metricName: name, unitName: "", helpText: help),
                                      labels: labels)
    }

    func refresh() async throws {
        let store = environment.store
        let summary = try await store.callSummary()
        let inProgress = CallStatus.allCases.filter { !$0.isFinal }.reduce(0) { $0 + (summary.byStatus[$1.rawValue] ?? 0) }
        gauge("active_calls", "Calls dialling, ringing or answered").set(Int64(inProgress))
        gauge("leads", "Calls that made a lead").set(Int64(summary.leads))
        for (status, count) in summary.byStatus {
            gauge("calls_by_status", "Calls per status", [("status", status)]).set(Int64(count))
        }
        for (outcome, count) in summary.byOutcome {
            gauge("calls_by_outcome", "Calls per outcome", [("outcome", outcome)]).set(Int64(count))
        }
        for cursor in try await store.webhookCursors() {
            let endpoint = [("endpoint", WebhookService.redacted(cursor.endpoint))]
            gauge("webhook_delivered", "Events an endpoint accepted", endpoint).set(Int64(cursor.delivered))
            gauge("webhook_abandoned", "Events given up after max_attempts", endpoint).set(Int64(cursor.abandoned))
            gauge("webhook_failed_attempts", "Failed attempts at the endpoint's next event", endpoint).set(Int64(cursor.attempts))
        }
        for campaign in try await store.campaigns() where campaign.status == .active || campaign.status == .paused {
            for (status, count) in try await store.queueSummary(campaignID: campaign.id) {
                gauge("queue_depth", "Queue rows per campaign and status", [("campaign_id", campaign.id), ("status", status.rawValue)]).set(Int64(count))
            }
        }
    }
}

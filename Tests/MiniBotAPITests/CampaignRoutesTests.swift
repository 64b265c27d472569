import Foundation
import Hummingbird
import HummingbirdTesting
import MiniBotCore
import MiniBotStore
import MiniBotTestSupport
import Testing
@testable import MiniBotAPI

@Suite("Campaign and stats routes, on SQLite and PostgreSQL")
struct CampaignRoutesTests {
    @Test("POST /campaigns/create creates the campaign and queues the selection", arguments: Backend.available)
    func create(_ backend: Backend) async throws {
        try await withAPI(backend) { api in
            try await seedCalls(api.store)
            let response = try await api.send(.post, "/campaigns/create", key: api.admin,
                                              json: #"{"name":"Rappels","statuses":["New"],"limit":1,"max_attempts":2,"priority":3}"#)
            #expect(response.status == .created && response.object["queued"] as? Int == 1)
            let campaign = try #require(response.object["campaign"] as? [String: Any])
            let id = try #require(campaign["id"] as? String)
            #expect(id.hasPrefix("c-") && campaign["status"] as? String == "active" && campaign["scenario"] as? String == "universal")
            let stored = try #require(try await api.store.campaign(id: id))
            #expect(stored.name == "Rappels" && stored.settings.maxAttempts == 2)
            #expect(try await api.store.queueSummary(campaignID: id)[.pending] == 1)
        }
    }

    @Test("POST /campaigns/create: each invalid field is a 422 naming it",
          arguments: [(#"{"name":"  "}"#, "name"), (#"{}"#, "name"), (#"{"name":"x","limit":0}"#, "limit"),
                      (#"{"name":"x","max_attempts":50}"#, "max_attempts"), (#"{"name":"x","statuses":["Nope"]}"#, "statuses[0]"),
                      (#"{"name":"x","scenario":"../../etc/passwd"}"#, "scenario"), (#"{"name":"x","scenario":"missing"}"#, "scenario"),
                      (#"{"name":"x","limit":"ten"}"#, "limit")])
    func createRefusals(_ body: String, _ field: String) async throws {
        try await withAPI(.sqlite) { api in
            let response = try await api.send(.post, "/campaigns/create", key: api.admin, json: body)
            #expect(response.status == .unprocessableContent && response.isProblem)
            #expect(response.object["field"] as? String == field)
            #expect(try await api.store.campaigns().isEmpty)
        }
    }

    @Test("POST /campaigns/create with prompts checked refuses a scenario whose prompts are missing, without server paths")
    func promptsChecked() async throws {
        try await withAPI(.sqlite, checkPrompts: true) { api in
            let response = try await api.send(.post, "/campaigns/create", key: api.admin, json: #"{"name":"x"}"#)
            #expect(response.status == .unprocessableContent && response.object["field"] as? String == "scenario")
            #expect(!response.text.contains(api.dataDir))
        }
    }

    @Test("GET /campaigns and /campaigns/{id}: list, detail with the queue, 404", arguments: Backend.available)
    func listAndDetail(_ backend: Backend) async throws {
        try await withAPI(backend) { api in
            try await seedCalls(api.store)
            _ = try await api.store.enqueue(campaignID: "c1", selection: ContactSelection(), at: testDate)
            let list = try await api.get("/campaigns")
            #expect(list.status == .ok && Set(list.items.compactMap { $0["id"] as? String }) == ["c1", "c2"])
            let detail = try await api.get("/campaigns/c1")
            #expect(detail.object["id"] as? String == "c1" && detail.object["name"] as? String == "campaign c1")
            let queue = detail.object["queue"] as? [String: Int] ?? [:]
            #expect(queue["pending"] == 2 && queue["completed"] == 0 && queue.count == QueueStatus.allCases.count)
            #expect(try await api.get("/campaigns/nope").status == .notFound)
        }
    }

    @Test("PATCH /campaigns/{id}/status: pause, resume, cancel; refused transitions and values", arguments: Backend.available)
    func status(_ backend: Backend) async throws {
        try await withAPI(backend) { api in
            try await seedCalls(api.store)
            func patch(_ id: String, _ status: String) async throws -> TestResponse {
                try await api.send(.patch, "/campaigns/\(id)/status", key: api.admin, json: #"{"status":"\#(status)"}"#)
            }
            let paused = try await patch("c1", "paused")
            #expect(paused.status == .ok && paused.object["previous"] as? String == "active" && paused.object["status"] as? String == "paused")
            #expect(try await patch("c1", "pause").status == .conflict)
            #expect(try await patch("c1", "resume").status == .ok)
            #expect(try await patch("c1", "cancel").status == .ok)
            #expect(try await api.store.campaign(id: "c1")?.status == .cancelled)
            let again = try await patch("c1", "active")
            #expect(again.status == .conflict && again.isProblem)
            let bad = try await patch("c2", "sleeping")
            #expect(bad.status == .unprocessableContent && bad.object["field"] as? String == "status")
            #expect(try await patch("nope", "paused").status == .notFound)
        }
    }

    @Test("GET /stats/summary: calls, contacts, campaigns", arguments: Backend.available)
    func summary(_ backend: Backend) async throws {
        try await withAPI(backend) { api in
            try await seedCalls(api.store)
            let response = try await api.get("/stats/summary", key: api.read)
            let calls = response.object["calls"] as? [String: Any] ?? [:]
            #expect(calls["total"] as? Int == 3 && calls["leads"] as? Int == 1 && calls["average_duration"] as? Double == 42)
            let contacts = response.object["contacts"] as? [String: Any] ?? [:]
            #expect(contacts["total"] as? Int == 2)
            #expect(response.object["campaigns"] as? [String: Int] == ["active": 2])
        }
    }

    @Test("GET /health: states only, no key, nothing sensitive")
    func health() async throws {
        try await withAPI(.sqlite) { api in
            let response = try await api.send(.get, "/health", key: nil)
            #expect(response.status == .ok && response.object["status"] as? String == "ok")
            #expect((response.object["database"] as? [String: String]) == ["state": "up"])
            #expect((response.object["telephony"] as? [String: String]) == ["state": "idle"])
            #expect(!response.text.contains(api.dataDir) && !response.text.contains("sqlite") && !response.text.contains("version"))
        }
    }
}

@Suite("Metrics")
struct MetricsTests {
    @Test("GET /metrics: Prometheus text with the store's gauges, behind a key", arguments: Backend.available)
    func metrics(_ backend: Backend) async throws {
        try await withAPI(backend) { api in
            try await seedCalls(api.store)
            _ = try await api.store.enqueue(campaignID: "c1", selection: ContactSelection(), at: testDate)
            #expect(try await api.send(.get, "/metrics", key: nil).status == .unauthorized)
            let response = try await api.get("/metrics", key: api.read)
            #expect(response.status == .ok && response.headers[.contentType]?.hasPrefix("text/plain") == true)
            let lines = Set(response.text.split(separator: "\n").map(String.init))
            #expect(lines.contains("minibot_leads 1.0") && lines.contains("minibot_active_calls 0.0"), "\(response.text)")
            #expect(lines.contains(#"minibot_calls_by_status{status="busy"} 1.0"#))
            #expect(lines.contains(#"minibot_calls_by_outcome{outcome="Leads"} 1.0"#))
            #expect(lines.contains(#"minibot_queue_depth{campaign_id="c1",status="pending"} 2.0"#))
        }
    }
}

import Foundation
import Hummingbird
import HummingbirdTesting
import MiniBotCore
import MiniBotStore
import MiniBotTestSupport
import Testing
@testable import MiniBotAPI

@Suite("Calls routes, on SQLite and PostgreSQL")
struct CallRoutesTests {
    func ids(_ response: TestResponse) -> [String] { response.items.compactMap { $0["call_id"] as? String } }

    @Test("GET /calls: newest first, pages, filters by campaign, status, lead, phone and date", arguments: Backend.available)
    func listing(_ backend: Backend) async throws {
        try await withAPI(backend) { api in
            try await seedCalls(api.store)
            let all = try await api.get("/calls")
            #expect(all.status == .ok && ids(all) == ["c", "b", "a"] && all.object["total"] as? Int == 3)
            let page = try await api.get("/calls?page=2&page_size=2")
            #expect(ids(page) == ["a"] && page.object["page"] as? Int == 2 && page.object["page_size"] as? Int == 2)
            #expect(ids(try await api.get("/calls?campaign_id=c1")) == ["b", "a"])
            #expect(ids(try await api.get("/calls?status=busy")) == ["c"])
            #expect(ids(try await api.get("/calls?lead=true")) == ["b"])
            #expect(ids(try await api.get("/calls?phone=06%2011%2011%2011%2011")) == ["c", "a"])
            let day = ISO8601DateFormatter().string(from: testDate.addingTimeInterval(86_400))
            #expect(ids(try await api.get("/calls?from=\(day)")) == ["c"])
            #expect(ids(try await api.get("/calls?to=\(day)&campaign_id=c1&lead=false")) == ["a"])
            let b = try #require(all.items.first { $0["call_id"] as? String == "b" })
            #expect(b["is_lead"] as? Bool == true && b["outcome"] as? String == "Leads" && b["started_at"] is String)
        }
    }

    @Test("GET /calls by cursor: next_cursor until the last page, with filters, the total of every match", arguments: Backend.available)
    func cursorPages(_ backend: Backend) async throws {
        try await withAPI(backend) { api in
            try await seedCalls(api.store)
            let first = try await api.get("/calls?page_size=2")
            #expect(ids(first) == ["c", "b"] && first.object["page"] as? Int == 1)
            let cursor = try #require(first.object["next_cursor"] as? String)
            let second = try await api.get("/calls?page_size=2&cursor=\(cursor)")
            #expect(second.status == .ok && ids(second) == ["a"] && second.object["total"] as? Int == 3)
            #expect(second.object["next_cursor"] == nil && second.object["page"] == nil && second.object["page_size"] as? Int == 2)
            // A page that ends exactly at the last call has no next_cursor either.
            #expect(try await api.get("/calls?page_size=3").object["next_cursor"] == nil)
            let c1 = try await api.get("/calls?campaign_id=c1&page_size=1")
            #expect(ids(c1) == ["b"] && c1.object["total"] as? Int == 2)
            let rest = try await api.get("/calls?campaign_id=c1&page_size=1&cursor=\(try #require(c1.object["next_cursor"] as? String))")
            #expect(ids(rest) == ["a"] && rest.object["next_cursor"] == nil && rest.object["total"] as? Int == 2)
        }
    }

    @Test("GET /calls: a bad parameter is a 422 naming it",
          arguments: ["status=nope", "page=0", "page_size=501", "lead=maybe", "from=yesterday", "phone=12",
                      "cursor=nope", "cursor=djEuMS5h%3D%3D%3D", "page=2&cursor=djEuMS5h"])
    func badParameters(_ query: String) async throws {
        try await withAPI(.sqlite) { api in
            let response = try await api.get("/calls?\(query)")
            #expect(response.status == .unprocessableContent && response.isProblem)
            #expect(response.object["field"] as? String == String(query.prefix { $0 != "=" }))
        }
    }

    @Test("GET /calls/{call_id}: the call with its interactions; 404 as problem+json", arguments: Backend.available)
    func detail(_ backend: Backend) async throws {
        try await withAPI(backend) { api in
            try await seedCalls(api.store)
            let response = try await api.get("/calls/b")
            #expect(response.status == .ok && response.object["call_id"] as? String == "b" && response.object["duration"] as? Double == 42)
            let turns = response.object["interactions"] as? [[String: Any]] ?? []
            #expect(turns.count == 1 && turns.first?["transcription"] as? String == "oui bonjour")
            let missing = try await api.get("/calls/nope")
            #expect(missing.status == .notFound && missing.isProblem && missing.object["title"] as? String == "Not Found")
        }
    }

    @Test("POST /calls/launch queues the number first in its campaign, adding the contact if new", arguments: Backend.available)
    func launch(_ backend: Backend) async throws {
        try await withAPI(backend) { api in
            try await seedCalls(api.store)
            let response = try await api.send(.post, "/calls/launch", key: api.admin, json: #"{"phone":"06 33 33 33 33","campaign_id":"c1"}"#)
            #expect(response.status == .accepted && response.object["phone"] as? String == "+33633333333")
            #expect(response.object["queued"] as? Bool == true && response.object["queue_status"] as? String == "pending")
            let entry = try #require(try await api.store.queueEntry(campaignID: "c1", phone: "+33633333333"))
            #expect(entry.priority == CallRoutes.launchPriority && entry.status == .pending)
            #expect(try await api.store.contact(phone: "+33633333333") != nil)
            let again = try await api.send(.post, "/calls/launch", key: api.admin, json: #"{"phone":"+33633333333","campaign_id":"c1"}"#)
            #expect(again.status == .accepted && again.object["queued"] as? Bool == false)
        }
    }

    @Test("POST /calls/launch: invalid phone, missing field, unknown or cancelled campaign, opted-out number", arguments: Backend.available)
    func launchRefusals(_ backend: Backend) async throws {
        try await withAPI(backend) { api in
            try await seedCalls(api.store)
            let badPhone = try await api.send(.post, "/calls/launch", key: api.admin, json: #"{"phone":"12","campaign_id":"c1"}"#)
            #expect(badPhone.status == .unprocessableContent && badPhone.object["field"] as? String == "phone")
            let missing = try await api.send(.post, "/calls/launch", key: api.admin, json: #"{"phone":"0633333333"}"#)
            #expect(missing.status == .unprocessableContent && missing.object["field"] as? String == "campaign_id")
            let wrongType = try await api.send(.post, "/calls/launch", key: api.admin, json: #"{"phone":6,"campaign_id":"c1"}"#)
            #expect(wrongType.status == .unprocessableContent && wrongType.object["field"] as? String == "phone")
            let notJSON = try await api.send(.post, "/calls/launch", key: api.admin, json: "{")
            #expect(notJSON.status == .badRequest && notJSON.isProblem)
            let unknown = try await api.send(.post, "/calls/launch", key: api.admin, json: #"{"phone":"0633333333","campaign_id":"zz"}"#)
            #expect(unknown.status == .unprocessableContent && unknown.object["field"] as? String == "campaign_id")
            _ = try await api.store.addOptOuts([.number("+33644444444", source: "test", at: testDate)])
            let optedOut = try await api.send(.post, "/calls/launch", key: api.admin, json: #"{"phone":"0644444444","campaign_id":"c1"}"#)
            #expect(optedOut.status == .conflict)
            _ = try await api.store.setCampaignStatus(id: "c2", .cancelled, at: testDate)
            let cancelled = try await api.send(.post, "/calls/launch", key: api.admin, json: #"{"phone":"0633333333","campaign_id":"c2"}"#)
            #expect(cancelled.status == .conflict && cancelled.isProblem)
            #expect(try await api.store.queueEntry(campaignID: "c2", phone: "+33633333333") == nil)
        }
    }
}

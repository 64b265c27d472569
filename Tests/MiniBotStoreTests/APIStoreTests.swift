import Foundation
import MiniBotCore
import MiniBotTestSupport
import Testing
@testable import MiniBotStore

/// What the HTTP API asks of the store: call listings with filters, the call
/// summary, API keys. Every case runs on both backends.
@Suite("API storage, on SQLite and PostgreSQL")
struct APIStoreTests {
    /// Two campaigns and five calls a minute apart: c1 has a, b (lead), c; c2 has d, e.
    func seed(_ store: any Store) async throws {
        try await store.importContacts { sink in
            try await sink.upsert([try upsert("+33611111111"), try upsert("+33622222222")], at: testDate)
        }
        for id in ["c1", "c2"] {
            try await store.createCampaign(Campaign(id: id, name: id, scenario: "universal", createdAt: testDate, updatedAt: testDate))
        }
        let calls: [(String, String, String, CallStatus, Bool)] = [
            ("a", "c1", "+33611111111", .completed, false), ("b", "c1", "+33622222222", .completed, true),
            ("c", "c1", "+33611111111", .noAnswer, false), ("d", "c2", "+33611111111", .busy, false),
            ("e", "c2", "+33622222222", .completed, true),
        ]
        for (n, (id, campaign, phone, status, lead)) in calls.enumerated() {
            let start = testDate.addingTimeInterval(Double(n) * 60)
            try await store.saveCall(Call(callID: id, phone: phone, campaignID: campaign, status: status, isLead: lead,
                                          duration: status == .completed ? 10 : 0, startedAt: start,
                                          answeredAt: status == .completed ? start : nil,
                                          outcome: lead ? .leads : (status == .completed ? .notInterested : nil)))
        }
    }

    @Test("calls: filters, newest first, pages and totals", arguments: Backend.available)
    func callListing(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            try await seed(store)
            let all = try await store.calls(CallQuery())
            #expect(all.calls.map(\.callID) == ["e", "d", "c", "b", "a"] && all.total == 5)
            let page = try await store.calls(CallQuery(limit: 2, offset: 2))
            #expect(page.calls.map(\.callID) == ["c", "b"] && page.total == 5)
            #expect(try await store.calls(CallQuery(campaignID: "c1")).calls.map(\.callID) == ["c", "b", "a"])
            #expect(try await store.calls(CallQuery(status: .completed)).calls.map(\.callID) == ["e", "b", "a"])
            #expect(try await store.calls(CallQuery(phone: "+33622222222")).calls.map(\.callID) == ["e", "b"])
            #expect(try await store.calls(CallQuery(isLead: true)).calls.map(\.callID) == ["e", "b"])
            let window = CallQuery(from: testDate.addingTimeInterval(60), to: testDate.addingTimeInterval(180))
            #expect(try await store.calls(window).calls.map(\.callID) == ["c", "b"])
            let combined = try await store.calls(CallQuery(campaignID: "c1", status: .completed, isLead: false))
            #expect(combined.calls.map(\.callID) == ["a"] && combined.total == 1)
            let none = try await store.calls(CallQuery(campaignID: "nope"))
            #expect(none.calls.isEmpty && none.total == 0)
            #expect(all.calls.last == (try await store.call(id: "a")))
        }
    }

    @Test("calls by cursor: ties on the start time broken by id, filters, the last page; counts ignore the place",
          arguments: Backend.available)
    func callCursor(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            try await seed(store)
            // d1 and d2 start together, a fraction of a millisecond after d
            // (PostgreSQL keeps the microseconds, SQLite rounds to d's start):
            // both orders are e, d2, d1, d, c, b, a.
            for id in ["d1", "d2"] {
                try await store.saveCall(Call(callID: id, phone: "+33611111111", campaignID: "c2", status: .failed,
                                              startedAt: testDate.addingTimeInterval(180.000_123)))
            }
            let expected = ["e", "d2", "d1", "d", "c", "b", "a"]
            #expect(try await store.calls(CallQuery(limit: 10)).calls.map(\.callID) == expected)
            var seen: [String] = []
            var after: CallCursor?
            for _ in 0..<10 {
                let page = try await store.calls(CallQuery(after: after, limit: 2)).calls
                seen += page.map(\.callID)
                guard let last = page.last else { break }
                // Through the token, as a client passes it back.
                after = try #require(CallCursor(token: CallCursor(after: last).token))
                #expect(after == CallCursor(after: last))
            }
            #expect(seen == expected)
            let d2 = try #require(try await store.call(id: "d2"))
            let c2 = try await store.calls(CallQuery(campaignID: "c2", after: CallCursor(after: d2), limit: 10))
            #expect(c2.calls.map(\.callID) == ["d1", "d"] && c2.total == 4)
            let a = try #require(try await store.call(id: "a"))
            #expect(try await store.calls(CallQuery(after: CallCursor(after: a))).calls.isEmpty)
            #expect(try await store.countCalls(CallQuery()) == 7)
            #expect(try await store.countCalls(CallQuery(campaignID: "c2", after: CallCursor(after: d2), limit: 1, offset: 3)) == 4)
            #expect(try await store.countCalls(CallQuery(isLead: true)) == 2)
            #expect(try await store.countCalls(CallQuery(campaignID: "nope")) == 0)
            #expect(CallCursor(token: "") == nil && CallCursor(token: "bm9wZQ") == nil && CallCursor(token: "%%%") == nil)
        }
    }

    @Test("numbered pages skip whole hours by their kept counts: the same calls as walking every one, after inserts, updates and erasures",
          arguments: Backend.available)
    func numberedPagesByHour(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            try await seed(store)
            // 150 more calls over 7 hours, several in the same second, some
            // before the seed's: hours of 0 to 40 calls, campaigns and statuses mixed.
            var generator = SystemRandomNumberGenerator()
            let statuses: [CallStatus] = [.completed, .noAnswer, .busy, .machine]
            for n in 0..<150 {
                let second = Double(Int.random(in: -3 * 3_600 ..< 4 * 3_600, using: &generator))
                try await store.saveCall(Call(callID: String(format: "k%03d", n), phone: n % 3 == 0 ? "+33622222222" : "+33611111111",
                                              campaignID: ["c1", "c2", nil][n % 3], status: statuses[n % 4],
                                              startedAt: testDate.addingTimeInterval(second + (n % 5 == 0 ? 0.25 : 0))))
            }
            func check(_ label: String) async throws {
                for filter in [CallQuery(), CallQuery(campaignID: "c1"), CallQuery(status: .busy), CallQuery(campaignID: "c2", status: .completed)] {
                    var all = filter
                    all.limit = 1_000
                    let expected = try await store.calls(all).calls.map(\.callID)
                    for size in [1, 7, 50] {
                        for offset in stride(from: 1, through: expected.count + 1, by: size == 1 ? 1 : 3) {
                            var page = filter
                            page.limit = size
                            page.offset = offset
                            #expect(page.pagesByHour)
                            let got = try await store.calls(page).calls.map(\.callID)
                            let want = Array(expected.dropFirst(offset).prefix(size))
                            #expect(got == want, "\(label), \(filter), offset \(offset), \(size) a page")
                        }
                    }
                    // The same calls by cursor, 7 a page.
                    var walked: [String] = []
                    var page = filter
                    page.limit = 7
                    for _ in 0...expected.count {
                        let calls = try await store.calls(page).calls
                        walked += calls.map(\.callID)
                        guard let last = calls.last else { break }
                        page.after = CallCursor(after: last)
                    }
                    #expect(walked == expected, "\(label), \(filter), by cursor")
                }
            }
            try await check("as inserted")
            // Statuses and start times change, calls are erased with their contact.
            for id in ["k000", "k004", "k010", "k021", "k033"] {
                var call = try #require(try await store.call(id: id))
                call.status = call.status == .busy ? .completed : .busy
                if id == "k010" { call.startedAt = call.startedAt.addingTimeInterval(-5 * 3_600) }
                try await store.saveCall(call)
            }
            _ = try await store.forgetContact(phone: "+33622222222", at: testDate)
            try await check("after updates and an erasure")
        }
    }

    @Test("call summary: totals by status and outcome, leads, mean answered duration", arguments: Backend.available)
    func summary(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            #expect(try await store.callSummary() == CallSummary())
            try await seed(store)
            let summary = try await store.callSummary()
            #expect(summary.total == 5 && summary.leads == 2 && summary.averageDuration == 10)
            #expect(summary.byStatus["completed"] == 3 && summary.byStatus["busy"] == 1 && summary.byStatus["failed"] == 0)
            #expect(summary.byOutcome == ["Leads": 2, "Not_interested": 1])
        }
    }

    /// The summary as grouping the calls would give it.
    func recount(_ calls: [Call]) -> CallSummary {
        CallSummary.folding(Dictionary(grouping: calls) { "\($0.status.rawValue)|\($0.outcome?.rawValue ?? "")" }.values.map { group in
            let answered = group.filter { $0.answeredAt != nil }
            return (group[0].status.rawValue, group[0].outcome?.rawValue, group.count, group.filter(\.isLead).count,
                    answered.count, answered.reduce(0) { $0 + $1.duration })
        })
    }

    @Test("the kept totals follow calls inserted, updated and erased; counts without filters read them", arguments: Backend.available)
    func totalsFollowWrites(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            try await seed(store)
            var c = try #require(try await store.call(id: "c"))
            c.status = .completed
            c.answeredAt = c.startedAt
            c.duration = 20.5
            c.outcome = .notInterested
            try await store.saveCall(c)
            try await store.markCallFilesPurged(callIDs: ["a"], at: testDate)
            _ = try await store.forgetContact(phone: "+33622222222", at: testDate)
            let calls = try await store.calls(CallQuery(limit: 100)).calls
            #expect(calls.map(\.callID) == ["d", "c", "a"])
            let summary = try await store.callSummary()
            #expect(summary == recount(calls))
            #expect(summary.total == 3 && summary.leads == 0 && summary.averageDuration == 15.25)
            #expect(summary.byOutcome == ["Not_interested": 2] && summary.byStatus["completed"] == 2)
            #expect(try await store.countCalls(CallQuery()) == 3)
            #expect(try await store.countCalls(CallQuery(status: .completed)) == 2)
            #expect(try await store.countCalls(CallQuery(status: .failed)) == 0)
            #expect(try await store.calls(CallQuery(status: .busy)).total == 1)
        }
    }

    @Test("API keys: created, found by hash, listed, revoked once", arguments: Backend.available)
    func apiKeys(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, url in
            let hash = String(repeating: "ab", count: 32)
            let key = APIKeyRecord(id: "k1", name: "panel", scope: .admin, hash: hash, createdAt: testDate)
            try await store.createAPIKey(key)
            try await store.createAPIKey(APIKeyRecord(id: "k2", name: "bi", scope: .read, hash: String(repeating: "cd", count: 32),
                                                      createdAt: testDate.addingTimeInterval(1)))
            #expect(try await store.apiKey(hash: hash) == key)
            #expect(try await store.apiKey(hash: String(repeating: "00", count: 32)) == nil)
            #expect(try await store.apiKeys().map(\.id) == ["k1", "k2"])
            await #expect(throws: StoreError.self) {
                try await store.createAPIKey(APIKeyRecord(id: "k1", name: "again", scope: .read, hash: "x", createdAt: testDate))
            }
            #expect(try await store.revokeAPIKey(id: "k1", at: testDate.addingTimeInterval(5)))
            #expect(try await !store.revokeAPIKey(id: "k1", at: testDate.addingTimeInterval(6)))
            #expect(try await !store.revokeAPIKey(id: "missing", at: testDate))
            #expect(try await store.apiKey(hash: hash)?.revokedAt == testDate.addingTimeInterval(5))
            #expect(try await store.schemaVersion() == (try latestSchemaVersion(url: url)))
        }
    }
}

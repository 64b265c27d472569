import Foundation
import MiniBotCore
import MiniBotTestSupport
import Testing
@testable import MiniBotStore

/// The event log that call completion writes, and the webhook cursors that
/// read it, on both backends.
@Suite("Events and webhook cursors, on SQLite and PostgreSQL")
struct EventStoreTests {
    let dialer = DialerStoreTests()

    /// Dials and completes `phone` as call `id`; a lead when `lead`.
    func complete(_ store: any Store, _ phone: String, id: String, lead: Bool, at date: Date = testDate) async throws {
        try await dialer.dial(store, phone, id: id, at: date)
        var done = dialer.call(id, phone, at: date)
        done.status = .completed
        done.isLead = lead
        done.outcome = lead ? .leads : .notInterested
        done.endedAt = date.addingTimeInterval(30)
        try await store.completeCall(CallCompletion(call: done, contactStatus: done.outcome,
                                                    counters: .init(total: 1, answered: 1, leads: lead ? 1 : 0, notInterested: lead ? 0 : 1)),
                                     worker: "w1", at: date.addingTimeInterval(31))
    }

    @Test(arguments: Backend.available)
    func completionWritesEventsOnce(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            let phones = try await dialer.seed(store, count: 2)
            _ = try await store.enqueue(campaignID: "c1", selection: ContactSelection(), at: testDate)
            #expect(try await store.events(after: 0, limit: 10).isEmpty)
            try await complete(store, phones[0], id: "a", lead: true)
            try await complete(store, phones[1], id: "b", lead: false)
            let events = try await store.events(after: 0, limit: 10)
            #expect(events.map(\.kind) == [.callEnded, .lead, .callEnded])
            #expect(events.map(\.callID) == ["a", "a", "b"])
            #expect(zip(events, events.dropFirst()).allSatisfy { $0.id < $1.id })
            #expect(events[0].createdAt == testDate.addingTimeInterval(31))
            // A completion repeated (a retry after a lost reply) writes nothing more.
            var again = try #require(try await store.call(id: "b"))
            again.endReason = "again"
            try await store.completeCall(CallCompletion(call: again, counters: .init(total: 1)), worker: "w1", at: testDate)
            #expect(try await store.events(after: 0, limit: 10).count == 3)
            #expect(try await store.events(after: events[1].id, limit: 10).map(\.callID) == ["b"])
            #expect(try await store.events(after: 0, limit: 1).count == 1)
            // What `minibot webhooks status` counts: per kind, after a place.
            #expect(try await store.countEvents(after: 0, kinds: CallEventKind.allCases) == 3)
            #expect(try await store.countEvents(after: 0, kinds: [.lead]) == 1)
            #expect(try await store.countEvents(after: events[1].id, kinds: [.lead]) == 0)
            #expect(try await store.countEvents(after: events[1].id, kinds: [.callEnded]) == 1)
            #expect(try await store.countEvents(after: 0, kinds: []) == 0)
        }
    }

    @Test(arguments: Backend.available)
    func cursorsStartAtTheLatestEventAndAreLeased(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            let phones = try await dialer.seed(store, count: 2)
            _ = try await store.enqueue(campaignID: "c1", selection: ContactSelection(), at: testDate)
            try await complete(store, phones[0], id: "a", lead: false)
            let latest = try #require(try await store.events(after: 0, limit: 10).last?.id)
            let url = "http://127.0.0.1:9/hook"
            // A new endpoint hears of what happens from now on.
            var cursor = try #require(try await store.claimWebhookCursor(endpoint: url, owner: "p1", now: testDate, lease: 60))
            #expect(cursor == WebhookCursor(endpoint: url, lastEventID: latest))
            // Another process waits for the lease; the holder renews it.
            #expect(try await store.claimWebhookCursor(endpoint: url, owner: "p2", now: testDate.addingTimeInterval(59), lease: 60) == nil)
            #expect(try await store.claimWebhookCursor(endpoint: url, owner: "p1", now: testDate.addingTimeInterval(30), lease: 60) != nil)

            try await complete(store, phones[1], id: "b", lead: false)
            let next = try #require(try await store.events(after: cursor.lastEventID, limit: 10).first)
            #expect(next.callID == "b")
            cursor.attempts = 3
            cursor.lastError = "HTTP 500"
            cursor.nextAttemptAt = testDate.addingTimeInterval(80)
            #expect(try await store.saveWebhookCursor(cursor, owner: "p1", now: testDate.addingTimeInterval(40), abandoned: nil))
            // A lost lease writes nothing.
            #expect(try await !store.saveWebhookCursor(cursor, owner: "p2", now: testDate.addingTimeInterval(40), abandoned: nil))
            #expect(try await store.webhookCursors() == [cursor])

            // Past the lease, p2 takes over where p1 was; giving an event up lists it.
            var taken = try #require(try await store.claimWebhookCursor(endpoint: url, owner: "p2", now: testDate.addingTimeInterval(100), lease: 60))
            #expect(taken == cursor)
            taken.lastEventID = next.id
            taken.attempts = 0
            taken.abandoned = 1
            let failure = WebhookFailure(endpoint: url, eventID: next.id, attempts: 4, error: "HTTP 500", failedAt: testDate.addingTimeInterval(101))
            #expect(try await store.saveWebhookCursor(taken, owner: "p2", now: testDate.addingTimeInterval(101), abandoned: failure))
            #expect(try await store.webhookFailures(limit: 10) == [failure])
            #expect(try await store.webhookCursors().first?.lastEventID == next.id)
            // A lease of zero gives the cursor back at once.
            #expect(try await store.claimWebhookCursor(endpoint: url, owner: "p2", now: testDate.addingTimeInterval(102), lease: 0) != nil)
            #expect(try await store.claimWebhookCursor(endpoint: url, owner: "p3", now: testDate.addingTimeInterval(102), lease: 60) != nil)
        }
    }

    /// Many workers completing at once: every event is there once, ids unique.
    @Test(arguments: Backend.available)
    func concurrentCompletionsKeepEveryEvent(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            let phones = try await dialer.seed(store, count: 24)
            _ = try await store.enqueue(campaignID: "c1", selection: ContactSelection(), at: testDate)
            let claimed = try await store.claimQueueEntries(campaignID: "c1", worker: "w1", limit: 24, now: testDate, lease: 600)
            #expect(claimed.count == 24)
            for (n, phone) in phones.enumerated() {
                #expect(try await store.beginCall(dialer.call("k\(n)", phone), worker: "w1", now: testDate, lease: 600))
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (n, phone) in phones.enumerated() {
                    group.addTask {
                        var done = dialer.call("k\(n)", phone)
                        done.status = .completed
                        done.isLead = n % 3 == 0
                        try await store.completeCall(CallCompletion(call: done, counters: .init(total: 1)), worker: "w1", at: testDate)
                    }
                }
                try await group.waitForAll()
            }
            let events = try await store.events(after: 0, limit: 100)
            #expect(events.count == 24 + 8)
            #expect(Set(events.map(\.id)).count == events.count)
            #expect(Set(events.filter { $0.kind == .callEnded }.map(\.callID)) == Set((0..<24).map { "k\($0)" }))
        }
    }

    /// Erasing a person takes their calls' events with them (webhooks would pass over them anyway).
    @Test(arguments: Backend.available)
    func forgettingAContactDropsItsEvents(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            let phones = try await dialer.seed(store, count: 2)
            _ = try await store.enqueue(campaignID: "c1", selection: ContactSelection(), at: testDate)
            try await complete(store, phones[0], id: "a", lead: true)
            try await complete(store, phones[1], id: "b", lead: false)
            _ = try await store.forgetContact(phone: phones[0], at: testDate)
            #expect(try await store.events(after: 0, limit: 10).map(\.callID) == ["b"])
        }
    }
}

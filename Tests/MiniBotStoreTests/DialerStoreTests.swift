import Foundation
import MiniBotCore
import MiniBotTestSupport
import PostgresNIO
import Testing
@testable import MiniBotStore

/// What the dialer asks of the store: campaigns, the queue and its leases,
/// call completion, compliance history. Every case runs on both backends.
@Suite("Dialer storage, on SQLite and PostgreSQL")
struct DialerStoreTests {
    static let minute: TimeInterval = 60

    /// `count` new contacts (+33600000000, +33600000001, …) created a second
    /// apart, and an active campaign `c1`.
    @discardableResult
    func seed(_ store: any Store, count: Int, campaign: String = "c1", status: CampaignStatus = .active) async throws -> [String] {
        let phones = (0..<count).map { "+336000\(String(format: "%05d", $0))" }
        try await store.importContacts { sink in
            for (n, phone) in phones.enumerated() {
                try await sink.upsert([try upsert(phone)], at: testDate.addingTimeInterval(Double(n)))
            }
        }
        try await store.createCampaign(Campaign(id: campaign, name: campaign, scenario: "universal", status: status,
                                                createdAt: testDate, updatedAt: testDate))
        return phones
    }

    func call(_ id: String, _ phone: String, campaign: String = "c1", at date: Date = testDate) -> Call {
        Call(callID: id, phone: phone, campaignID: campaign, status: .dialing, startedAt: date)
    }

    /// Claims `phone`'s row and begins its call as `worker`.
    func dial(_ store: any Store, _ phone: String, id: String, worker: String = "w1", at date: Date = testDate) async throws {
        let claimed = try await store.claimQueueEntries(campaignID: "c1", worker: worker, limit: 1, now: date, lease: Self.minute)
        try #require(claimed.map(\.phone) == [phone])
        let begun = try await store.beginCall(call(id, phone, at: date), worker: worker, now: date, lease: Self.minute)
        try #require(begun)
    }

    // MARK: Campaigns

    @Test(arguments: Backend.available)
    func campaignsSettingsAndStatus(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            var settings = CampaignSettings(maxAttempts: 5, retryDelaySeconds: 900, machineAction: .voicemail)
            settings.compliance.consentRequired = false
            settings.compliance.refusalCooldownDays = 90
            let old = Campaign(id: "a", name: "Old", scenario: "s", createdAt: testDate, updatedAt: testDate)
            let new = Campaign(id: "b", name: "New", scenario: "s", settings: settings,
                               createdAt: testDate.addingTimeInterval(10), updatedAt: testDate)
            try await store.createCampaign(old)
            try await store.createCampaign(new)
            #expect(try await store.campaigns() == [new, old])
            #expect(try await store.campaign(id: "b")?.settings == settings)
            #expect(try await store.campaign(id: "a")?.settings == CampaignSettings())

            #expect(try await store.setCampaignStatus(id: "a", .paused, at: testDate.addingTimeInterval(60)))
            #expect(try await !store.setCampaignStatus(id: "nope", .paused, at: testDate))
            let paused = try #require(try await store.campaign(id: "a"))
            #expect(paused.status == .paused && paused.updatedAt == testDate.addingTimeInterval(60))
        }
    }

    // MARK: Filling the queue

    @Test(arguments: Backend.available)
    func enqueueFromASelection(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            let phones = try await seed(store, count: 10)
            try await store.importContacts { sink in
                try await sink.upsert([try upsert("0611111111", status: .noAnswer), try upsert("0622222222", status: .leads)], at: testDate)
            }
            // Oldest contacts first, up to the limit; the rows carry the selection's priority and attempts.
            let selection = ContactSelection(limit: 4, priority: 7, maxAttempts: 2)
            #expect(try await store.enqueue(campaignID: "c1", selection: selection, at: testDate) == 4)
            let first = try #require(try await store.queueEntry(campaignID: "c1", phone: phones[0]))
            #expect(first == QueueEntry(campaignID: "c1", phone: phones[0], priority: 7, maxAttempts: 2,
                                        nextAttemptAt: testDate, updatedAt: testDate))
            #expect(try await store.queueEntry(campaignID: "c1", phone: phones[4]) == nil)
            // Again: the next four, not the same ones; then what is left.
            #expect(try await store.enqueue(campaignID: "c1", selection: selection, at: testDate) == 4)
            #expect(try await store.queueEntry(campaignID: "c1", phone: phones[7]) != nil)
            #expect(try await store.enqueue(campaignID: "c1", selection: ContactSelection(), at: testDate) == 2)
            #expect(try await store.enqueue(campaignID: "c1", selection: ContactSelection(), at: testDate) == 0)
            #expect(try await store.queueSummary(campaignID: "c1")[.pending] == 10)

            // The seed's `--status No_answer` retries, and an explicit list of phones (whatever their status).
            #expect(try await store.enqueue(campaignID: "c1", selection: .init(statuses: [.noAnswer]), at: testDate) == 1)
            #expect(try await store.enqueue(campaignID: "c1", selection: .init(statuses: [], phones: ["+33622222222", "+33699999999"]),
                                            at: testDate) == 1)
            #expect(try await store.queueSummary(campaignID: "c1")[.pending] == 12)

            await #expect(throws: StoreError.notFound("no campaign with the id nope")) {
                _ = try await store.enqueue(campaignID: "nope", selection: ContactSelection(), at: testDate)
            }
        }
    }

    // MARK: Claims

    @Test(arguments: Backend.available)
    func claimsTakeDueRowsByPriorityThenDueTime(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            let p = try await seed(store, count: 6)
            try await store.enqueue([
                QueueEntry(campaignID: "c1", phone: p[0], priority: 0, nextAttemptAt: testDate),
                QueueEntry(campaignID: "c1", phone: p[1], priority: 5, nextAttemptAt: testDate.addingTimeInterval(30)),
                QueueEntry(campaignID: "c1", phone: p[2], priority: 5, nextAttemptAt: testDate.addingTimeInterval(10)),
                QueueEntry(campaignID: "c1", phone: p[3], priority: 9, nextAttemptAt: testDate.addingTimeInterval(3600)),
                QueueEntry(campaignID: "c1", phone: p[4], priority: 1, nextAttemptAt: testDate),
                QueueEntry(campaignID: "c1", phone: p[5], status: .completed, nextAttemptAt: testDate),
            ])
            let now = testDate.addingTimeInterval(60)
            let first = try await store.claimQueueEntries(campaignID: "c1", worker: "w1", limit: 3, now: now, lease: 90)
            #expect(first.map(\.phone) == [p[2], p[1], p[4]])
            #expect(first.allSatisfy { $0.status == .claimed && $0.leaseOwner == "w1" && $0.leaseExpiresAt == now.addingTimeInterval(90) })
            #expect(try await store.queueEntry(campaignID: "c1", phone: p[2])?.status == .claimed)
            // Not due yet (p[3]), done (p[5]) and already claimed rows are not taken.
            let second = try await store.claimQueueEntries(campaignID: "c1", worker: "w2", limit: 10, now: now, lease: 90)
            #expect(second.map(\.phone) == [p[0]])
            #expect(try await store.claimQueueEntries(campaignID: "c1", worker: "w2", limit: 10, now: now, lease: 90).isEmpty)
            #expect(try await store.claimQueueEntries(campaignID: "c1", worker: "w2", limit: 0,
                                                       now: now.addingTimeInterval(7200), lease: 90).isEmpty)
            // A campaign that is not active hands out nothing.
            _ = try await store.setCampaignStatus(id: "c1", .paused, at: now)
            #expect(try await store.claimQueueEntries(campaignID: "c1", worker: "w2", limit: 10,
                                                       now: now.addingTimeInterval(7200), lease: 90).isEmpty)
            _ = try await store.setCampaignStatus(id: "c1", .active, at: now)
            #expect(try await store.claimQueueEntries(campaignID: "c1", worker: "w2", limit: 10,
                                                       now: now.addingTimeInterval(7200), lease: 90).map(\.phone) == [p[3]])
            #expect(try await store.queueSummary(campaignID: "c1") ==
                [.pending: 0, .claimed: 5, .calling: 0, .completed: 1, .skipped: 0, .interrupted: 0])
        }
    }

    /// Two store instances (two connections or pools) claim, dial and
    /// complete 500 rows as fast as they can: each row is claimed and dialled
    /// exactly once.
    @Test(arguments: Backend.available)
    func concurrentWorkersNeverTakeTheSameRow(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, url in
            let phones = try await seed(store, count: 500)
            #expect(try await store.enqueue(campaignID: "c1", selection: ContactSelection(limit: 1000), at: testDate) == 500)
            let first = try await openStore(url: url, logger: testLogger)
            let second = try await openStore(url: url, logger: testLogger)
            let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
                for (worker, instance) in [("w1", first), ("w2", second)] {
                    group.addTask {
                        var mine: [String] = []
                        while true {
                            let rows = try await instance.claimQueueEntries(campaignID: "c1", worker: worker, limit: 3,
                                                                            now: testDate, lease: 300)
                            if rows.isEmpty { return mine }
                            for row in rows {
                                let id = "\(worker)-\(row.phone)"
                                guard try await instance.beginCall(self.call(id, row.phone), worker: worker, now: testDate, lease: 300) else {
                                    Issue.record("\(worker) lost its claim on \(row.phone)")
                                    continue
                                }
                                var done = self.call(id, row.phone)
                                done.status = .noAnswer
                                try await instance.completeCall(CallCompletion(call: done, counters: .init(total: 1, noAnswer: 1)),
                                                                worker: worker, at: testDate)
                                mine.append(row.phone)
                            }
                        }
                    }
                }
                var all: [[String]] = []
                for try await mine in group { all.append(mine) }
                return all
            }
            await first.close()
            await second.close()
            let all = claimed.flatMap { $0 }
            #expect(all.count == 500)
            #expect(Set(all) == Set(phones))
            #expect(try await store.queueSummary(campaignID: "c1")[.completed] == 500)
            #expect(try await store.campaign(id: "c1")?.counters.total == 500)
            let contacts = try await store.contacts(ContactQuery(limit: 1000))
            #expect(contacts.count == 500 && contacts.allSatisfy { $0.attempts == 1 })
        }
    }

    // MARK: Calls

    @Test(arguments: Backend.available)
    func beginCallCountsTheAttemptOnce(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            let p = try await seed(store, count: 1)[0]
            _ = try await store.enqueue(campaignID: "c1", selection: ContactSelection(), at: testDate)
            _ = try await store.claimQueueEntries(campaignID: "c1", worker: "w1", limit: 1, now: testDate, lease: 60)
            // Another worker cannot start a call on w1's row, and writes nothing.
            #expect(try await !store.beginCall(call("x", p), worker: "w2", now: testDate, lease: 60))
            #expect(try await store.call(id: "x") == nil)
            #expect(try await store.contact(phone: p)?.attempts == 0)

            let start = testDate.addingTimeInterval(5)
            #expect(try await store.beginCall(call("a", p, at: start), worker: "w1", now: start, lease: 60))
            #expect(try await store.call(id: "a") == call("a", p, at: start))
            let row = try #require(try await store.queueEntry(campaignID: "c1", phone: p))
            #expect(row.status == .calling && row.attempts == 1 && row.callID == "a" && row.leaseExpiresAt == start.addingTimeInterval(60))
            let contact = try #require(try await store.contact(phone: p))
            #expect(contact.attempts == 1 && contact.lastAttemptAt == start)
            // Once calling, the row cannot be begun again: one dial per attempt.
            #expect(try await !store.beginCall(call("b", p, at: start), worker: "w1", now: start, lease: 60))
            #expect(try await store.call(id: "b") == nil)
            #expect(try await store.contact(phone: p)?.attempts == 1)
            // A call without its campaign is refused.
            await #expect(throws: StoreError.self) {
                _ = try await store.beginCall(Call(callID: "c", phone: p, startedAt: start), worker: "w1", now: start, lease: 60)
            }
        }
    }

    @Test(arguments: Backend.available)
    func completeCallSavesEverythingAndKeepsInteractions(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            let p = try await seed(store, count: 1)[0]
            _ = try await store.enqueue(campaignID: "c1", selection: ContactSelection(), at: testDate)
            try await dial(store, p, id: "a")
            var live = call("a", p)
            live.status = .answered
            live.answeredAt = testDate.addingTimeInterval(4)
            try await store.saveCall(live)
            for (n, step) in ["hello", "q1"].enumerated() {
                try await store.addInteraction(CallInteraction(
                    callID: "a", sequence: n, step: step, prompt: "\(step).wav", transcription: n == 0 ? "oui" : "",
                    intent: n == 0 ? "positive" : nil, startedAt: testDate, endedAt: testDate,
                    error: n == 1 ? "recogniser failed: timeout" : nil, clipPath: "clips/a-\(n).wav"))
            }
            // Saving the call again (as the dialer does on each state change) keeps its interactions.
            try await store.saveCall(live)
            #expect(try await store.interactions(callID: "a").count == 2)

            var done = live
            done.status = .completed
            done.endedAt = testDate.addingTimeInterval(40)
            done.outcome = .leads
            done.isLead = true
            done.endReason = "scenario finished"
            let end = testDate.addingTimeInterval(41)
            try await store.completeCall(CallCompletion(call: done, contactStatus: .leads,
                                                        counters: .init(total: 1, answered: 1, leads: 1)), worker: "w1", at: end)
            #expect(try await store.call(id: "a") == done)
            let turns = try await store.interactions(callID: "a")
            #expect(turns.map(\.step) == ["hello", "q1"])
            #expect(turns[1].error == "recogniser failed: timeout" && turns[1].clipPath == "clips/a-1.wav")
            #expect(try await store.contact(phone: p)?.status == .leads)
            let row = try #require(try await store.queueEntry(campaignID: "c1", phone: p))
            #expect(row.status == .completed && row.lastOutcome == "Leads" && row.leaseOwner == nil && row.updatedAt == end)
            #expect(try await store.campaign(id: "c1")?.counters == CampaignCounters(total: 1, answered: 1, leads: 1))
            #expect(try await !store.isOptedOut(phone: p))
            // The same completion again (a retry after a lost reply) counts nothing twice.
            try await store.completeCall(CallCompletion(call: done, contactStatus: .leads,
                                                        counters: .init(total: 1, answered: 1, leads: 1)), worker: "w1", at: end)
            #expect(try await store.campaign(id: "c1")?.counters == CampaignCounters(total: 1, answered: 1, leads: 1))
            #expect(try await store.queueEntry(campaignID: "c1", phone: p) == row)
        }
    }

    /// No answer twice then busy, with max_attempts 3: retried at the time
    /// given while attempts remain, then completed even though a retry was asked.
    @Test(arguments: Backend.available)
    func retriesStopAtMaxAttempts(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            let p = try await seed(store, count: 1)[0]
            _ = try await store.enqueue(campaignID: "c1", selection: ContactSelection(maxAttempts: 3), at: testDate)
            var now = testDate
            for attempt in 1...3 {
                let claimedEarly = try await store.claimQueueEntries(campaignID: "c1", worker: "w1", limit: 1,
                                                                      now: now.addingTimeInterval(-1), lease: 60)
                #expect(claimedEarly.isEmpty, "attempt \(attempt) was due before its time")
                try await dial(store, p, id: "call\(attempt)", at: now)
                var ended = call("call\(attempt)", p, at: now)
                ended.status = attempt == 3 ? .busy : .noAnswer
                ended.outcome = .noAnswer
                let retryAt = now.addingTimeInterval(300)
                try await store.completeCall(CallCompletion(call: ended, contactStatus: .noAnswer, retryAt: retryAt,
                                                            counters: .init(total: 1, noAnswer: 1)), worker: "w1", at: now)
                let row = try #require(try await store.queueEntry(campaignID: "c1", phone: p))
                #expect(row.attempts == attempt)
                if attempt < 3 {
                    #expect(row.status == .pending && row.nextAttemptAt == retryAt && row.lastOutcome == "No_answer")
                } else {
                    #expect(row.status == .completed)
                }
                now = retryAt
            }
            #expect(try await store.claimQueueEntries(campaignID: "c1", worker: "w1", limit: 1,
                                                       now: now.addingTimeInterval(86_400), lease: 60).isEmpty)
            #expect(try await store.contact(phone: p)?.attempts == 3)
            #expect(try await store.campaign(id: "c1")?.counters.noAnswer == 3)
        }
    }

    @Test(arguments: Backend.available)
    func optOutAnswerListsTheNumberAndIsNeverRetried(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            let p = try await seed(store, count: 1)[0]
            _ = try await store.enqueue(campaignID: "c1", selection: ContactSelection(), at: testDate)
            try await dial(store, p, id: "a")
            var ended = call("a", p)
            ended.status = .completed
            ended.outcome = .optOut
            try await store.completeCall(CallCompletion(call: ended, optOut: true, retryAt: testDate.addingTimeInterval(60),
                                                        counters: .init(total: 1, answered: 1)), worker: "w1", at: testDate)
            let contact = try #require(try await store.contact(phone: p))
            #expect(contact.optOut && contact.status == .optOut)
            #expect(try await store.optOuts(limit: 10, offset: 0) == [.number(p, source: "call", at: testDate)])
            #expect(try await store.isOptedOut(phone: p))
            #expect(try await store.queueEntry(campaignID: "c1", phone: p)?.status == .completed)
        }
    }

    /// A failure in the last statement of completeCall (the campaign's
    /// counters, refused by a trigger the test adds) leaves nothing of it.
    @Test(arguments: Backend.available)
    func completeCallIsAllOrNothing(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, url in
            let p = try await seed(store, count: 1)[0]
            _ = try await store.enqueue(campaignID: "c1", selection: ContactSelection(), at: testDate)
            try await dial(store, p, id: "a")
            try await failCampaignUpdates(backend, url: url)
            var ended = call("a", p)
            ended.status = .completed
            ended.outcome = .optOut
            await #expect(throws: StoreError.self) {
                try await store.completeCall(CallCompletion(call: ended, contactStatus: .optOut, optOut: true,
                                                            counters: .init(total: 1)), worker: "w1", at: testDate)
            }
            #expect(try await store.call(id: "a")?.status == .dialing)
            let contact = try #require(try await store.contact(phone: p))
            #expect(contact.status == .new && !contact.optOut)
            #expect(try await store.optOuts(limit: 10, offset: 0).isEmpty)
            let row = try #require(try await store.queueEntry(campaignID: "c1", phone: p))
            #expect(row.status == .calling && row.leaseOwner == "w1")
            #expect(try await store.campaign(id: "c1")?.counters == CampaignCounters())
        }
    }

    /// Adds a trigger that refuses every update of `campaigns`.
    func failCampaignUpdates(_ backend: Backend, url: String) async throws {
        switch backend {
        case .sqlite:
            guard case .sqlite(let path) = try DatabaseURL(url) else { return }
            try SQLiteConnection(path: path).execute("""
                CREATE TRIGGER refuse_counters BEFORE UPDATE ON campaigns BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;
                """)
        case .postgres:
            try await adminQuery(url, """
                CREATE FUNCTION refuse_counters() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'refused by the test'; END $$
                """)
            try await adminQuery(url, "CREATE TRIGGER refuse_counters BEFORE UPDATE ON campaigns FOR EACH ROW EXECUTE FUNCTION refuse_counters()")
        }
    }

    // MARK: Releasing and skipping

    @Test(arguments: Backend.available)
    func releasedRowsWaitAndSkippedRowsStay(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            let p = try await seed(store, count: 3)
            _ = try await store.enqueue(campaignID: "c1", selection: ContactSelection(), at: testDate)
            #expect(try await store.claimQueueEntries(campaignID: "c1", worker: "w1", limit: 3, now: testDate, lease: 60).count == 3)
            let later = testDate.addingTimeInterval(3600)
            // Outside the calling window: back to the queue until it opens.
            try await store.releaseClaim(campaignID: "c1", phone: p[0], worker: "w1", notBefore: later,
                                         reason: "calling_window: outside Mon-Fri 10:00-13:00, 14:00-20:00")
            // Shutdown: back at once, no reason.
            try await store.releaseClaim(campaignID: "c1", phone: p[1], worker: "w1", notBefore: nil, reason: nil)
            try await store.skipQueueEntry(campaignID: "c1", phone: p[2], worker: "w1",
                                           reason: "no_consent: no recorded prior consent", at: testDate)
            // Someone else's rows are not theirs to release or skip.
            try await store.releaseClaim(campaignID: "c1", phone: p[2], worker: "w2", notBefore: nil, reason: "x")

            let first = try #require(try await store.queueEntry(campaignID: "c1", phone: p[0]))
            #expect(first.status == .pending && first.nextAttemptAt == later && first.attempts == 0 && first.leaseOwner == nil)
            #expect(first.skipReason == "calling_window: outside Mon-Fri 10:00-13:00, 14:00-20:00")
            let skipped = try #require(try await store.queueEntry(campaignID: "c1", phone: p[2]))
            #expect(skipped.status == .skipped && skipped.skipReason == "no_consent: no recorded prior consent")

            #expect(try await store.claimQueueEntries(campaignID: "c1", worker: "w2", limit: 3, now: testDate, lease: 60).map(\.phone) == [p[1]])
            #expect(try await store.claimQueueEntries(campaignID: "c1", worker: "w2", limit: 3, now: later, lease: 60).map(\.phone) == [p[0]])
            #expect(try await store.claimQueueEntries(campaignID: "c1", worker: "w2", limit: 3,
                                                       now: later.addingTimeInterval(86_400), lease: 60).isEmpty)
        }
    }

    // MARK: Leases

    @Test(arguments: Backend.available)
    func expiredLeasesReturnClaimsAndInterruptCalls(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            let p = try await seed(store, count: 4)
            _ = try await store.enqueue(campaignID: "c1", selection: ContactSelection(), at: testDate)
            // w1 claims 0 and 1 and dials 1; w2 claims 2 and 3, dials 3 and keeps renewing.
            #expect(try await store.claimQueueEntries(campaignID: "c1", worker: "w1", limit: 2, now: testDate, lease: 60).count == 2)
            #expect(try await store.beginCall(call("a", p[1]), worker: "w1", now: testDate, lease: 60))
            #expect(try await store.claimQueueEntries(campaignID: "c1", worker: "w2", limit: 2, now: testDate, lease: 60).count == 2)
            #expect(try await store.beginCall(call("b", p[3]), worker: "w2", now: testDate, lease: 60))

            #expect(try await store.recoverExpiredLeases(now: testDate.addingTimeInterval(59)) == LeaseRecovery())
            try await store.renewLeases(worker: "w2", now: testDate.addingTimeInterval(50), lease: 60)
            // w1 died: at 61 s its leases have passed, w2's have not.
            let recovery = try await store.recoverExpiredLeases(now: testDate.addingTimeInterval(61))
            #expect(recovery == LeaseRecovery(returned: 1, interrupted: 1))
            #expect(try await store.recoverExpiredLeases(now: testDate.addingTimeInterval(61)) == LeaseRecovery())

            let returned = try #require(try await store.queueEntry(campaignID: "c1", phone: p[0]))
            #expect(returned.status == .pending && returned.leaseOwner == nil && returned.attempts == 0)
            let interrupted = try #require(try await store.queueEntry(campaignID: "c1", phone: p[1]))
            #expect(interrupted.status == .interrupted && interrupted.attempts == 1 && interrupted.skipReason?.hasPrefix("worker_lost:") == true)
            let lost = try #require(try await store.call(id: "a"))
            #expect(lost.status == .failed && lost.endReason == "worker lost" && lost.endedAt == testDate.addingTimeInterval(61))
            #expect(try await store.queueEntry(campaignID: "c1", phone: p[3])?.status == .calling)
            #expect(try await store.call(id: "b")?.status == .dialing)

            // w1 comes back: its old claim is gone, and the interrupted row is never handed out again.
            #expect(try await !store.beginCall(call("c", p[0]), worker: "w1", now: testDate.addingTimeInterval(62), lease: 60))
            let again = try await store.claimQueueEntries(campaignID: "c1", worker: "w3", limit: 10,
                                                          now: testDate.addingTimeInterval(86_400), lease: 60)
            #expect(again.map(\.phone) == [p[0]])
            // A late completion by w1 keeps the call's real end but leaves the row interrupted.
            var ended = call("a", p[1])
            ended.status = .completed
            ended.outcome = .notInterested
            try await store.completeCall(CallCompletion(call: ended, contactStatus: .notInterested, retryAt: testDate,
                                                        counters: .init(total: 1, answered: 1, notInterested: 1)),
                                         worker: "w1", at: testDate.addingTimeInterval(70))
            #expect(try await store.call(id: "a")?.outcome == .notInterested)
            #expect(try await store.queueEntry(campaignID: "c1", phone: p[1])?.status == .interrupted)
            #expect(try await store.campaign(id: "c1")?.counters == CampaignCounters(total: 1, answered: 1, notInterested: 1))
            try await store.completeCall(CallCompletion(call: ended, counters: .init(total: 1, answered: 1, notInterested: 1)),
                                         worker: "w1", at: testDate.addingTimeInterval(71))
            #expect(try await store.campaign(id: "c1")?.counters.total == 1)
            #expect(try await store.queueSummary(campaignID: "c1") ==
                [.pending: 0, .claimed: 2, .calling: 1, .completed: 0, .skipped: 0, .interrupted: 1])
        }
    }

    // MARK: Compliance history

    @Test(arguments: Backend.available)
    func dialHistoryCountsCallsInAnyCampaign(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            let p = try await seed(store, count: 2)
            try await store.createCampaign(Campaign(id: "c2", name: "c2", scenario: "s", createdAt: testDate, updatedAt: testDate))
            let day: TimeInterval = 86_400
            let refusal = Call(callID: "r", phone: p[0], campaignID: "c2", status: .completed, startedAt: testDate.addingTimeInterval(-90 * day),
                               outcome: .notInterested)
            try await store.saveCall(refusal)
            for (n, daysAgo) in [40.0, 20, 3, 1].enumerated() {
                try await store.saveCall(Call(callID: "n\(n)", phone: p[0], campaignID: n % 2 == 0 ? "c1" : "c2", status: .noAnswer,
                                              startedAt: testDate.addingTimeInterval(-daysAgo * day), outcome: .noAnswer))
            }
            try await store.saveCall(Call(callID: "other", phone: p[1], status: .completed, startedAt: testDate, outcome: .notInterested))
            let history = try await store.dialHistory(phone: p[0], since: testDate.addingTimeInterval(-30 * day))
            #expect(history.attempts == [20.0, 3, 1].map { testDate.addingTimeInterval(-$0 * day) })
            #expect(history.lastRefusalAt == refusal.startedAt)
            #expect(try await store.dialHistory(phone: "+33699999999", since: testDate) == DialHistory())
        }
    }

    // MARK: Opt-out list

    @Test(arguments: Backend.available)
    func optOutListMatchesPlainAndHashedNumbers(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            let plain = "+33611111111", hashedNumber = "+33622222222"
            let hash = OptOutEntry.sha256(of: hashedNumber)
            #expect(hash.count == 64 && hash == hash.lowercased())
            let added = try await store.addOptOuts([
                .number(plain, source: "manual", at: testDate),
                OptOutEntry(key: hash.uppercased(), hashed: true, source: "bloctel", addedAt: testDate.addingTimeInterval(1)),
                .number(plain, source: "again", at: testDate),
            ])
            #expect(added == 2)
            #expect(try await store.addOptOuts([.number(plain, source: "x", at: testDate)]) == 0)
            #expect(try await store.isOptedOut(phone: plain))
            #expect(try await store.isOptedOut(phone: hashedNumber))
            #expect(try await !store.isOptedOut(phone: "+33633333333"))
            // A contact's own opt-out flag counts too.
            try await store.importContacts { try await $0.upsert([try upsert("0633333333", status: .optOut)], at: testDate) }
            #expect(try await store.isOptedOut(phone: "+33633333333"))

            let listed = try await store.optOuts(limit: 10, offset: 0)
            #expect(listed == [OptOutEntry(key: hash, hashed: true, source: "bloctel", addedAt: testDate.addingTimeInterval(1)),
                               .number(plain, source: "manual", at: testDate)])
            #expect(try await store.optOuts(limit: 1, offset: 1).map(\.key) == [plain])

            #expect(try await store.removeOptOut(key: hash.uppercased()))
            #expect(try await !store.removeOptOut(key: hash))
            #expect(try await !store.isOptedOut(phone: hashedNumber))

            await #expect(throws: StoreError.self) {
                _ = try await store.addOptOuts([.number("0611111111", source: "x", at: testDate)])
            }
            await #expect(throws: StoreError.self) {
                _ = try await store.addOptOuts([OptOutEntry(key: "abc", hashed: true, source: "x", addedAt: testDate)])
            }
            #expect(try await store.optOuts(limit: 10, offset: 0).count == 1)
        }
    }

    /// A deep opt-out page costs its page, not its depth: the cursor bounds the
    /// index and its order is the index's, so nothing is sorted.
    @Test func optOutPagesReadTheIndexInItsOrder() async throws {
        try await withFreshStore(.sqlite) { store, _ in
            let sqlite = try #require(store as? SQLiteStore)
            for byCursor in [false, true] {
                let plan = try sqlite.reading { db in
                    try db.prepare("EXPLAIN QUERY PLAN " + SQLiteStore.optOutPage(byCursor: byCursor)).query { $0.text(3) }
                }.joined(separator: "; ")
                #expect(plan.contains("opt_outs_added") && !plan.contains("TEMP B-TREE"), "\(plan)")
                #expect(plan.contains("(added_at,key)<(?,?)") == byCursor, "\(plan)")
            }
        }
    }

    @Test(arguments: Backend.available)
    func optOutFileImport(_ backend: Backend) async throws {
        let folder = temporaryFolder("minibot-optout")
        let hashOf0633 = OptOutEntry.sha256(of: "+33633333333")
        let path = folder + "/bloctel.txt"
        let text = """
            # Bloctel extract
            +33611111111
            06 22 22 22 22

            \(hashOf0633.uppercased())
            0612AB
            \(String(hashOf0633.prefix(63)))
            +33611111111\r
            not a number at all
            """
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        try await withFreshStore(backend) { store, _ in
            let importer = OptOutImporter(store: store, parser: PhoneNumberParser())
            let report = try await importer.importFile(at: path, source: "bloctel", now: testDate)
            #expect(report.entries == 7 && report.numbers == 3 && report.hashes == 1)
            #expect(report.added == 3 && report.alreadyListed == 1)
            #expect(report.rejected.map(\.line) == [6, 7, 9])
            #expect(report.rejected[1].reason.contains("63 hex digits where 64 are needed"))
            for phone in ["+33611111111", "+33622222222", "+33633333333"] {
                #expect(try await store.isOptedOut(phone: phone), "\(phone)")
            }
            #expect(try await store.optOuts(limit: 10, offset: 0).allSatisfy { $0.source == "bloctel" && $0.addedAt == testDate })
            let again = try await importer.importFile(at: path, source: "bloctel", now: testDate)
            #expect(again.added == 0 && again.alreadyListed == 4)
        }
    }

    /// JSON written before consent and settings existed still decodes.
    @Test func olderJSONDecodesWithDefaults() throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let contact = try decoder.decode(Contact.self, from: Data("""
            {"phone":"+33612345678","first_name":"Léa","last_name":"","email":"","company":"","notes":"","status":"New",
             "attempts":0,"opt_out":false,"created_at":"2026-11-28T09:00:00Z","updated_at":"2026-11-28T09:00:00Z"}
            """.utf8))
        #expect(contact.consentAt == nil && contact.consentSource == "" && contact.firstName == "Léa")
        let campaign = try decoder.decode(Campaign.self, from: Data("""
            {"id":"c","name":"n","scenario":"s","status":"paused","counters":{"total":1,"answered":0,"machine":0,"leads":0,
             "not_interested":0,"no_answer":0,"failed":0},"created_at":"2026-11-28T09:00:00Z","updated_at":"2026-11-28T09:00:00Z"}
            """.utf8))
        #expect(campaign.settings == CampaignSettings() && campaign.status == .paused && campaign.counters.total == 1)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        var full = campaign
        full.settings.maxAttempts = 7
        #expect(try decoder.decode(Campaign.self, from: encoder.encode(full)) == full)
    }

    // MARK: Migration

    /// A database written by version 1 (contacts, a campaign, queue rows in
    /// every old state, calls, interactions) migrates with nothing lost.
    @Test(arguments: Backend.available)
    func migratesAVersion1DatabaseWithData(_ backend: Backend) async throws {
        let (url, cleanup) = try await freshDatabase(backend)
        do {
            try await migrateVersion1(backend, url: url)
            try await cleanup()
        } catch {
            try? await cleanup()
            throw error
        }
    }

    func migrateVersion1(_ backend: Backend, url: String) async throws {
        let ms = testDate.millisecondsSince1970
        let inserts = [
            "INSERT INTO contacts (phone, first_name, status, attempts, last_attempt_at, opt_out, created_at, updated_at) VALUES ('+33611111111', 'Léa', 'No_answer', 2, $T, $F, $T, $T)",
            "INSERT INTO contacts (phone, status, opt_out, created_at, updated_at) VALUES ('+33622222222', 'Opt_out', $TRUE, $T, $T)",
            "INSERT INTO campaigns (id, name, scenario, status, total, leads, created_at, updated_at) VALUES ('old', 'Old', 'universal', 'active', 5, 1, $T, $T)",
            "INSERT INTO call_queue (campaign_id, phone, priority, status, attempts, max_attempts, next_attempt_at) VALUES ('old', '+33611111111', 2, 'failed', 3, 3, $T)",
            "INSERT INTO call_queue (campaign_id, phone, status, next_attempt_at, lease_owner, lease_expires_at) VALUES ('old', '+33622222222', 'pending', $T, NULL, NULL)",
            "INSERT INTO calls (call_id, phone, campaign_id, status, is_lead, duration, started_at, hangup_cause) VALUES ('k', '+33611111111', 'old', 'no_answer', $F, 0, $T, '480')",
            "INSERT INTO call_interactions (call_id, sequence, step, prompt, transcription, started_at, ended_at) VALUES ('k', 0, 'hello', 'hello.wav', 'allo', $T, $T)",
        ]
        switch backend {
        case .sqlite:
            guard case .sqlite(let path) = try DatabaseURL(url) else { return }
            let db = try SQLiteConnection(path: path)
            try db.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)")
            try db.execute(SQLiteSchema.migrations[0].sql)
            try db.execute("INSERT INTO schema_migrations VALUES (1, 'v1', 0)")
            for sql in inserts {
                try db.execute(sql.replacingOccurrences(of: "$TRUE", with: "1").replacingOccurrences(of: "$T", with: "\(ms)")
                    .replacingOccurrences(of: "$F", with: "0"))
            }
        case .postgres:
            try await adminQuery(url, "CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)")
            for sql in PostgresSchema.migrations[0].sql { try await adminQuery(url, sql) }
            try await adminQuery(url, "INSERT INTO schema_migrations VALUES (1, 'v1', now())")
            for sql in inserts {
                try await adminQuery(url, sql.replacingOccurrences(of: "$TRUE", with: "true")
                    .replacingOccurrences(of: "$T", with: "to_timestamp(\(testDate.timeIntervalSince1970))")
                    .replacingOccurrences(of: "$F", with: "false"))
            }
        }
        let store = try await openStore(url: url, logger: testLogger)
        #expect(try await store.schemaVersion() == (try latestSchemaVersion(url: url)))
        let lea = try #require(try await store.contact(phone: "+33611111111"))
        #expect(lea.firstName == "Léa" && lea.status == .noAnswer && lea.attempts == 2 && lea.lastAttemptAt == testDate)
        #expect(lea.consentAt == nil && lea.consentSource == "")
        #expect(try await store.isOptedOut(phone: "+33622222222"))
        let campaign = try #require(try await store.campaign(id: "old"))
        #expect(campaign.counters == CampaignCounters(total: 5, leads: 1) && campaign.settings == CampaignSettings())
        let failed = try #require(try await store.queueEntry(campaignID: "old", phone: "+33611111111"))
        #expect(failed.status == .completed && failed.lastOutcome == "Failed" && failed.attempts == 3 && failed.priority == 2)
        #expect(try await store.queueEntry(campaignID: "old", phone: "+33622222222")?.status == .pending)
        let call = try #require(try await store.call(id: "k"))
        #expect(call.status == .noAnswer && call.hangupCause == "480" && call.outcome == nil && call.endReason == nil)
        let turns = try await store.interactions(callID: "k")
        #expect(turns.map(\.transcription) == ["allo"] && turns[0].error == nil && turns[0].clipPath == nil)
        let claimed = try await store.claimQueueEntries(campaignID: "old", worker: "w", limit: 10, now: testDate, lease: 60)
        await store.close()
        #expect(claimed.map(\.phone) == ["+33622222222"])
    }
}

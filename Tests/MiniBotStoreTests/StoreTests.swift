import Foundation
import MiniBotCore
import MiniBotTestSupport
import Testing
@testable import MiniBotStore

@Suite("Store, on SQLite and PostgreSQL")
struct StoreTests {
    @Test(arguments: Backend.available)
    func migrationsAreVersionedAndIdempotent(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, url in
            #expect(try await store.schemaVersion() == (try latestSchemaVersion(url: url)))
            try await store.migrate()
            let again = try await openStore(url: url, logger: testLogger)
            #expect(try await again.schemaVersion() == (try latestSchemaVersion(url: url)))
            await again.close()
        }
    }

    @Test(arguments: Backend.available)
    func importMergesByPhone(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            try await store.importContacts { sink in
                try await sink.upsert([
                    try upsert("0612345678", first: "Léa", last: "Roux", email: "lea@example.fr", notes: "a, \"b\"\nc"),
                    try upsert("0699999999", first: "Max", status: .leads),
                ], at: testDate)
                #expect(try await sink.contactCount() == 2)
            }
            try await store.importContacts { sink in
                // Empty values keep what is stored; non-empty ones replace it.
                try await sink.upsert([try upsert("+33612345678", first: "", last: "Roux-Martin", status: .new)], at: testDate)
                // Only Opt_out changes the status of a known contact.
                try await sink.upsert([try upsert("0699999999", status: .optOut)], at: testDate)
            }
            let lea = try #require(try await store.contact(phone: "+33612345678"))
            #expect(lea.firstName == "Léa" && lea.lastName == "Roux-Martin" && lea.email == "lea@example.fr")
            #expect(lea.notes == "a, \"b\"\nc" && lea.status == .new && !lea.optOut && lea.attempts == 0)
            #expect(lea.createdAt == testDate)
            let max = try #require(try await store.contact(phone: "+33699999999"))
            #expect(max.status == .optOut && max.optOut)
            #expect(try await store.contact(phone: "+33600000000") == nil)
        }
    }

    @Test(arguments: Backend.available)
    func failedImportLeavesNothing(_ backend: Backend) async throws {
        struct Interrupted: Error {}
        try await withFreshStore(backend) { store, _ in
            try await store.importContacts { try await $0.upsert([try upsert("0611111111")], at: testDate) }
            await #expect(throws: Interrupted.self) {
                try await store.importContacts { sink in
                    try await sink.upsert([try upsert("0622222222"), try upsert("0611111111", first: "Changed")], at: testDate)
                    throw Interrupted()
                }
            }
            #expect(try await store.contactStats().total == 1)
            #expect(try await store.contact(phone: "+33611111111")?.firstName == "")
        }
    }

    @Test(arguments: Backend.available)
    func listingSearchAndStats(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            try await store.importContacts { sink in
                try await sink.upsert((10...39).map { n in
                    try! upsert("06123456\(n)", first: "P\(n)", company: n % 2 == 0 ? "Boulangerie" : "Garage",
                                status: n < 15 ? .leads : nil)
                }, at: testDate)
            }
            let page = try await store.contacts(ContactQuery(limit: 10, offset: 5))
            #expect(page.map(\.phone) == (15...24).map { "+336123456\($0)" })
            let leads = try await store.contacts(ContactQuery(filter: .init(status: .leads), limit: 100))
            #expect(leads.count == 5)
            let search = try await store.contacts(ContactQuery(search: "garage", limit: 100))
            #expect(search.count == 15)
            let byPhone = try await store.contacts(ContactQuery(search: "612345633", limit: 100))
            #expect(byPhone.map(\.firstName) == ["P33"])
            let stats = try await store.contactStats()
            #expect(stats.total == 30 && stats.byStatus["Leads"] == 5 && stats.byStatus["New"] == 25 && stats.byStatus["Failed"] == 0)
        }
    }

    @Test(arguments: Backend.available)
    func callsCampaignsAndExportRows(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            try await store.importContacts { sink in
                try await sink.upsert([try upsert("0611111111"), try upsert("0622222222"), try upsert("0633333333")], at: testDate)
            }
            let campaign = Campaign(id: "c1", name: "Test", scenario: "universal", counters: .init(total: 2, leads: 1),
                                    createdAt: testDate, updatedAt: testDate)
            try await store.createCampaign(campaign)
            #expect(try await store.campaign(id: "c1") == campaign)
            try await store.enqueue([
                QueueEntry(campaignID: "c1", phone: "+33611111111", nextAttemptAt: testDate),
                QueueEntry(campaignID: "c1", phone: "+33622222222", nextAttemptAt: testDate),
            ])
            let old = Call(callID: "a", phone: "+33611111111", campaignID: "c1", status: .noAnswer, startedAt: testDate)
            var last = Call(callID: "b", phone: "+33611111111", campaignID: "c1", status: .completed, amdResult: .human,
                            finalIntent: "positive", isLead: true, duration: 42.5, recordingPath: "rec/b.wav",
                            startedAt: testDate.addingTimeInterval(60), answeredAt: testDate.addingTimeInterval(65))
            try await store.saveCall(old)
            try await store.saveCall(last)
            last.endedAt = testDate.addingTimeInterval(108)
            last.hangupCause = "BYE"
            try await store.saveCall(last)
            #expect(try await store.call(id: "b") == last)
            for (index, (step, text)) in [("hello", "oui bonjour"), ("q1", ""), ("is_leads", "oui, ça m'intéresse")].enumerated() {
                try await store.addInteraction(CallInteraction(
                    callID: "b", sequence: index, step: step, prompt: "\(step).wav", transcription: text, intent: "positive",
                    confidence: 0.9, responseDuration: 1.5, startedAt: testDate, endedAt: testDate, transcriptionSeconds: 0.3))
            }
            #expect(try await store.interactions(callID: "b").map(\.step) == ["hello", "q1", "is_leads"])

            let all = try await store.exportPage(.init(), after: nil, limit: 10)
            #expect(all.map(\.contact.phone) == ["+33611111111", "+33622222222", "+33633333333"])
            #expect(all[0].lastCallStatus == .completed && all[0].lastCallIntent == "positive")
            #expect(all[0].lastTranscript == "hello: oui bonjour | is_leads: oui, ça m'intéresse")
            #expect(all[1].lastCallStatus == nil && all[1].lastTranscript == "")
            let inCampaign = try await store.exportPage(.init(campaignID: "c1"), after: "+33611111111", limit: 10)
            #expect(inCampaign.map(\.contact.phone) == ["+33622222222"])
        }
    }

    @Test func schemaFromANewerMinibotIsRefused() async throws {
        try await withFreshStore(.sqlite) { _, url in
            guard case .sqlite(let path) = try DatabaseURL(url) else { return }
            let db = try SQLiteConnection(path: path)
            try db.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)")
            await #expect(throws: StoreError.schemaTooNew(found: 99, known: SQLiteSchema.migrations.last!.version)) {
                _ = try await openStore(url: url, logger: testLogger)
            }
        }
    }

    @Test func unreachableServersAndBadURLsSayWhy() async throws {
        await #expect(throws: StoreError.self) {
            _ = try await openStore(url: "mysql://localhost/db", logger: testLogger)
        }
        do {
            _ = try await openStore(url: "postgres://nobody:pw@127.0.0.1:1/none?sslmode=disable", logger: testLogger)
            Issue.record("a closed port opened a store")
        } catch let error as StoreError {
            #expect(error.description.contains("cannot reach PostgreSQL at 127.0.0.1:1"))
            #expect(!error.description.contains("pw"))
        }
        do {
            _ = try await openStore(url: "sqlite:///proc/forbidden/x.sqlite", logger: testLogger)
            Issue.record("an unwritable folder opened a store")
        } catch let error as StoreError {
            #expect(error.description.contains("/proc/forbidden"))
        }
    }

    @Test func databaseURLs() throws {
        #expect(try DatabaseURL("sqlite:///var/lib/minibot/db.sqlite") == .sqlite(path: "/var/lib/minibot/db.sqlite"))
        guard case .postgres(let s) = try DatabaseURL("postgres://bot:p%40ss@db.example:6543/calls?sslmode=require") else {
            Issue.record("not postgres"); return
        }
        #expect(s.host == "db.example" && s.port == 6543 && s.username == "bot" && s.password == "p@ss" && s.database == "calls" && s.tls == .require)
        guard case .postgres(let socket) = try DatabaseURL("postgresql://bot@/calls?host=/var/run/postgresql") else {
            Issue.record("not postgres"); return
        }
        #expect(socket.unixSocketDirectory == "/var/run/postgresql")
        #expect(socket.maximumConnections == 2 * ProcessInfo.processInfo.activeProcessorCount)
        guard case .postgres(let pooled) = try DatabaseURL("postgres://bot@db/calls?pool_max_conns=3") else {
            Issue.record("not postgres"); return
        }
        #expect(pooled.maximumConnections == 3)
        for bad in ["0", "-1", "many", ""] {
            #expect(throws: StoreError.self) { try DatabaseURL("postgres://bot@db/calls?pool_max_conns=\(bad)") }
        }
        #expect(throws: StoreError.self) { try DatabaseURL("postgres://db.example/calls") }
        #expect(throws: StoreError.self) { try DatabaseURL("postgres://bot@db/calls?sslmode=maybe") }
        #expect(redactedDatabaseURL("postgres://bot:secret@db/calls") == "postgres://bot:***@db/calls")
        #expect(redactedDatabaseURL("sqlite:///x.sqlite") == "sqlite:///x.sqlite")
    }
}

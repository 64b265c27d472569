import Foundation
import MiniBotCore
import MiniBotTestSupport
import Testing
@testable import MiniBotStore

/// What the retention sweep and erasure ask of the store, on both backends.
@Suite("Retention and erasure storage, on SQLite and PostgreSQL")
struct RetentionStoreTests {
    static let day: TimeInterval = 86_400
    let a = "+33611111111", b = "+33622222222"

    /// Contacts a (a lead) and b; calls: a-old (lead, 40 days, files + 2 clips),
    /// b-old (40 days, files), b-noanswer (40 days, no files), b-new (1 day,
    /// files), b-live (40 days, still answered). Each in campaign c1 with a queue row.
    func seed(_ store: any Store) async throws {
        try await store.importContacts { sink in
            try await sink.upsert([try upsert(a, first: "Ann", status: .leads), try upsert(b, first: "Bob")], at: testDate)
        }
        try await store.createCampaign(Campaign(id: "c1", name: "c1", scenario: "universal", createdAt: testDate, updatedAt: testDate))
        try await store.enqueue([QueueEntry(campaignID: "c1", phone: a, nextAttemptAt: testDate),
                                 QueueEntry(campaignID: "c1", phone: b, nextAttemptAt: testDate)])
        let old = testDate.addingTimeInterval(-40 * Self.day)
        func call(_ id: String, _ phone: String, at start: Date, status: CallStatus = .completed, lead: Bool = false, files: Bool = true) -> Call {
            Call(callID: id, phone: phone, campaignID: "c1", status: status, isLead: lead, duration: 30,
                 recordingPath: files ? "assembled/\(id).wav" : nil, transcriptPath: files ? "transcripts/\(id).json" : nil,
                 startedAt: start, answeredAt: start, endedAt: status.isFinal ? start.addingTimeInterval(30) : nil)
        }
        for item in [call("a-old", a, at: old, lead: true), call("b-old", b, at: old), call("b-noanswer", b, at: old, status: .noAnswer, files: false),
                     call("b-new", b, at: testDate.addingTimeInterval(-Self.day)), call("b-live", b, at: old, status: .answered)] {
            try await store.saveCall(item)
        }
        for (sequence, step) in ["hello", "is_leads"].enumerated() {
            try await store.addInteraction(CallInteraction(callID: "a-old", sequence: sequence, step: step, prompt: "p", transcription: "oui",
                                                            startedAt: old, endedAt: old, clipPath: "recordings/a-old_\(sequence)_\(step).wav"))
        }
        try await store.addInteraction(CallInteraction(callID: "b-old", sequence: 0, step: "hello", prompt: "p", transcription: "non",
                                                        startedAt: old, endedAt: old))
    }

    @Test("old finished calls with files, in pages, lead flag until exported", arguments: Backend.available)
    func candidates(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            try await seed(store)
            let cutoff = testDate.addingTimeInterval(-30 * Self.day)
            let all = try await store.callFiles(startedBefore: cutoff, after: nil, limit: 10)
            #expect(all.map(\.callID) == ["a-old", "b-old"])
            #expect(all[0].unexportedLead && !all[1].unexportedLead)
            #expect(all[0].clipPaths == ["recordings/a-old_0_hello.wav", "recordings/a-old_1_is_leads.wav"])
            #expect(all[0].paths == ["assembled/a-old.wav", "transcripts/a-old.json", "transcripts/a-old.txt",
                                     "recordings/a-old_0_hello.wav", "recordings/a-old_1_is_leads.wav"])
            #expect(all[1].clipPaths.isEmpty && all[1].phone == b)
            // Keyset pages.
            let first = try await store.callFiles(startedBefore: cutoff, after: nil, limit: 1)
            let second = try await store.callFiles(startedBefore: cutoff, after: first.last?.callID, limit: 1)
            let third = try await store.callFiles(startedBefore: cutoff, after: second.last?.callID, limit: 1)
            #expect(first.map(\.callID) == ["a-old"] && second.map(\.callID) == ["b-old"] && third.isEmpty)

            // An export after the call clears the flag; one before it would not.
            try await store.markExported(phones: [a], at: testDate.addingTimeInterval(-50 * Self.day))
            #expect(try await store.callFiles(startedBefore: cutoff, after: nil, limit: 10).first?.unexportedLead == true)
            try await store.markExported(phones: [a], at: testDate)
            #expect(try await store.callFiles(startedBefore: cutoff, after: nil, limit: 10).first?.unexportedLead == false)
            try await store.markExported(phones: [], at: testDate)
        }
    }

    @Test("purging clears the paths, keeps the rows and marks them", arguments: Backend.available)
    func purge(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            try await seed(store)
            let purgedAt = testDate.addingTimeInterval(5)
            try await store.markCallFilesPurged(callIDs: ["a-old"], at: purgedAt)
            let call = try #require(try await store.call(id: "a-old"))
            #expect(call.recordingPath == nil && call.transcriptPath == nil && call.filesPurgedAt == purgedAt)
            #expect(call.isLead && call.duration == 30)
            let interactions = try await store.interactions(callID: "a-old")
            #expect(interactions.count == 2 && interactions.allSatisfy { $0.clipPath == nil && $0.transcription == "oui" })
            #expect(try await store.call(id: "b-old")?.filesPurgedAt == nil)
            #expect(try await store.calls(CallQuery(phone: a)).calls.first?.filesPurgedAt == purgedAt)
            let left = try await store.callFiles(startedBefore: testDate, after: nil, limit: 10)
            #expect(left.map(\.callID) == ["b-new", "b-old"])
            // Completing a call again (a late worker) leaves the mark alone.
            var again = call
            again.endReason = "late"
            try await store.saveCall(again)
            #expect(try await store.call(id: "a-old")?.filesPurgedAt == purgedAt)
        }
    }

    @Test("forgetting a number erases its rows and keeps only its hash on the opt-out list", arguments: Backend.available)
    func forget(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            try await seed(store)
            _ = try await store.addOptOuts([.number(b, source: "manual", at: testDate)])
            #expect(try await store.callFiles(phone: b).map(\.callID) == ["b-live", "b-noanswer", "b-old", "b-new"])
            let erased = try await store.forgetContact(phone: b, at: testDate)
            #expect(erased.contact && erased.calls == 4 && erased.interactions == 1 && erased.queueRows == 1 && erased.plainOptOuts == 1)
            #expect(Set(erased.files) == ["assembled/b-old.wav", "transcripts/b-old.json", "transcripts/b-old.txt",
                                          "assembled/b-new.wav", "transcripts/b-new.json", "transcripts/b-new.txt",
                                          "assembled/b-live.wav", "transcripts/b-live.json", "transcripts/b-live.txt"])
            #expect(try await store.contact(phone: b) == nil)
            #expect(try await store.calls(CallQuery(phone: b)).total == 0)
            #expect(try await store.interactions(callID: "b-old").isEmpty)
            #expect(try await store.queueEntry(campaignID: "c1", phone: b) == nil)
            #expect(try await store.dialHistory(phone: b, since: .distantPast) == DialHistory())
            let list = try await store.optOuts(limit: 10, offset: 0)
            #expect(list == [OptOutEntry(key: OptOutEntry.sha256(of: b), hashed: true, source: ErasureSource.optOut, addedAt: testDate)])
            #expect(!list.contains { $0.key.contains("22222222") })
            #expect(try await store.isOptedOut(phone: b))
            // The other contact is untouched.
            #expect(try await store.contact(phone: a)?.firstName == "Ann")
            #expect(try await store.interactions(callID: "a-old").count == 2)
            #expect(try await store.queueEntry(campaignID: "c1", phone: a) != nil)
            #expect(try await !store.isOptedOut(phone: a))
            // Again: nothing left but the hash, which stays once.
            let twice = try await store.forgetContact(phone: b, at: testDate)
            #expect(twice == ContactErasure())
            #expect(try await store.optOuts(limit: 10, offset: 0).count == 1)
        }
    }
}

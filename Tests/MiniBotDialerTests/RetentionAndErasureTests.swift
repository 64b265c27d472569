import Foundation
import MiniBotCore
import MiniBotStore
import MiniBotTestSupport
import Testing
@testable import MiniBotDialer

/// The retention sweep and erasure against real files in a data directory and
/// real rows, on both backends.
@Suite("Retention sweep and erasure, on files and both databases")
struct RetentionAndErasureTests {
    static let day: TimeInterval = 86_400
    let now = testDate
    let lead = "+33611111111", other = "+33622222222", fresh = "+33633333333"

    /// Writes `bytes` bytes at `relative` under `data`.
    func write(_ data: String, _ relative: String, bytes: Int) throws {
        let path = data + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(repeating: 0x2a, count: bytes).write(to: URL(fileURLWithPath: path))
    }

    func exists(_ data: String, _ relative: String) -> Bool { FileManager.default.fileExists(atPath: data + "/" + relative) }

    /// Three contacts with one call each and its files: `lead` (40 days ago,
    /// a lead, 2 clips), `other` (40 days ago; its clip is already gone),
    /// `fresh` (2 days ago). Each file's size is distinct so the byte counts
    /// say which went.
    func seed(_ store: any Store, data: String) async throws {
        try await store.importContacts { sink in
            try await sink.upsert([try upsert(lead, status: .leads), try upsert(other), try upsert(fresh)], at: now)
        }
        try await store.createCampaign(Campaign(id: "c1", name: "c1", scenario: "universal", createdAt: now, updatedAt: now))
        try await store.enqueue([lead, other, fresh].map { QueueEntry(campaignID: "c1", phone: $0, nextAttemptAt: now) })
        let files = CallFiles(dataDirectory: data)
        for (id, phone, age, isLead, clips) in [("call-lead", lead, 40.0, true, 2), ("call-other", other, 40.0, false, 1), ("call-fresh", fresh, 2.0, false, 1)] {
            let start = now.addingTimeInterval(-age * Self.day)
            try await store.saveCall(Call(callID: id, phone: phone, campaignID: "c1", status: .completed, isLead: isLead, duration: 20,
                                          recordingPath: files.fullCall(callID: id), transcriptPath: files.transcriptJSON(callID: id),
                                          startedAt: start, answeredAt: start, endedAt: start.addingTimeInterval(20)))
            try write(data, files.fullCall(callID: id), bytes: 1000)
            try write(data, files.transcriptJSON(callID: id), bytes: 100)
            try write(data, files.transcriptText(callID: id), bytes: 10)
            for n in 0..<clips {
                let clip = files.clip(callID: id, sequence: n, step: n == 0 ? "hello" : "is_leads")
                try await store.addInteraction(CallInteraction(callID: id, sequence: n, step: "hello", prompt: "", transcription: "oui",
                                                                startedAt: start, endedAt: start, clipPath: clip))
                if id != "call-other" { try write(data, clip, bytes: 200) }
            }
        }
    }

    @Test("dry run, then the sweep: old files go, leads wait for their export, rows stay marked", arguments: Backend.available)
    func sweep(_ backend: Backend) async throws {
        let data = temporaryFolder("minibot-retention")
        defer { try? FileManager.default.removeItem(atPath: data) }
        try await withFreshStore(backend) { store, _ in
            try await seed(store, data: data)
            var sweeper = RetentionSweeper(store: store, dataDirectory: data)
            sweeper.batchSize = 1  // every page boundary, the kept lead's included
            let month = RetentionSweeper.Options(olderThan: 30 * Self.day, dryRun: true)

            let dry = try await sweeper.sweep(month, now: now)
            #expect(dry.dryRun && dry.calls == 1 && dry.keptUnexportedLeads == 1 && dry.missingFiles == 1)
            #expect(dry.fullCalls == .init(files: 1, bytes: 1000) && dry.transcripts == .init(files: 2, bytes: 110) && dry.clips == .init())
            #expect(exists(data, "assembled/call-other.wav"))
            #expect(try await store.call(id: "call-other")?.filesPurgedAt == nil)

            var real = month
            real.dryRun = false
            let swept = try await sweeper.sweep(real, now: now)
            #expect(swept.calls == 1 && swept.files == 3 && swept.bytes == 1110 && swept.keptUnexportedLeads == 1 && swept.failures.isEmpty)
            #expect(!exists(data, "assembled/call-other.wav") && !exists(data, "transcripts/call-other.json") && !exists(data, "transcripts/call-other.txt"))
            let purged = try #require(try await store.call(id: "call-other"))
            #expect(purged.filesPurgedAt == now && purged.recordingPath == nil && purged.transcriptPath == nil && purged.duration == 20)
            #expect(try await store.interactions(callID: "call-other").first?.transcription == "oui")
            // The unexported lead and the recent call keep everything.
            for file in ["assembled/call-lead.wav", "transcripts/call-lead.txt", "recordings/call-lead_1_is_leads.wav",
                         "assembled/call-fresh.wav", "recordings/call-fresh_0_hello.wav"] {
                #expect(exists(data, file), "\(file)")
            }
            // Nothing left to do for the same age.
            let again = try await sweeper.sweep(real, now: now)
            #expect(again.calls == 0 && again.files == 0 && again.keptUnexportedLeads == 1)

            // Once exported, the lead's files go too.
            try await store.markExported(phones: [lead], at: now)
            let afterExport = try await sweeper.sweep(real, now: now)
            #expect(afterExport.calls == 1 && afterExport.fullCalls.files == 1 && afterExport.clips == .init(files: 2, bytes: 400))
            #expect(!exists(data, "recordings/call-lead_0_hello.wav") && !exists(data, "assembled/call-lead.wav"))
            #expect(try await store.call(id: "call-lead")?.filesPurgedAt == now)
            #expect(exists(data, "assembled/call-fresh.wav"))
        }
    }

    @Test("--include-unexported-leads deletes a lead's files before its export; paths outside the data directory are refused",
          arguments: Backend.available)
    func includeLeadsAndContainment(_ backend: Backend) async throws {
        let data = temporaryFolder("minibot-retention")
        let outside = temporaryFolder("minibot-outside")
        defer { try? FileManager.default.removeItem(atPath: data); try? FileManager.default.removeItem(atPath: outside) }
        try await withFreshStore(backend) { store, _ in
            try await seed(store, data: data)
            try Data("keep".utf8).write(to: URL(fileURLWithPath: outside + "/victim.wav"))
            let old = now.addingTimeInterval(-90 * Self.day)
            try await store.saveCall(Call(callID: "call-evil", phone: other, campaignID: "c1", status: .completed,
                                          recordingPath: "../\((outside as NSString).lastPathComponent)/victim.wav", startedAt: old))
            let report = try await RetentionSweeper(store: store, dataDirectory: data)
                .sweep(.init(olderThan: 30 * Self.day, includeUnexportedLeads: true), now: now)
            #expect(report.calls == 2 && report.keptUnexportedLeads == 0)
            #expect(report.failures.count == 1 && report.failures[0].contains("not a path inside the data directory"))
            #expect(FileManager.default.fileExists(atPath: outside + "/victim.wav"))
            #expect(try await store.call(id: "call-evil")?.filesPurgedAt == nil)
            #expect(!exists(data, "assembled/call-lead.wav") && exists(data, "assembled/call-fresh.wav"))
        }
    }

    @Test("a call none of whose files is here stays unpurged unless --purge-missing", arguments: Backend.available)
    func filesOnAnotherHost(_ backend: Backend) async throws {
        let data = temporaryFolder("minibot-retention")
        defer { try? FileManager.default.removeItem(atPath: data) }
        try await withFreshStore(backend) { store, _ in
            let old = now.addingTimeInterval(-60 * Self.day)
            try await store.saveCall(Call(callID: "elsewhere", phone: other, status: .completed, recordingPath: "assembled/elsewhere.wav",
                                          transcriptPath: "transcripts/elsewhere.json", startedAt: old, endedAt: old))
            let sweeper = RetentionSweeper(store: store, dataDirectory: data)
            let kept = try await sweeper.sweep(.init(olderThan: 30 * Self.day), now: now)
            #expect(kept.calls == 0 && kept.callsNotHere == 1 && kept.missingFiles == 3 && kept.files == 0)
            #expect(try await store.call(id: "elsewhere")?.filesPurgedAt == nil)
            let marked = try await sweeper.sweep(.init(olderThan: 30 * Self.day, purgeMissing: true), now: now)
            #expect(marked.calls == 1 && marked.callsNotHere == 1)
            #expect(try await store.call(id: "elsewhere")?.filesPurgedAt == now)
        }
    }

    @Test("forget: rows and files gone, other contacts untouched, the hash keeps the dialer away", arguments: Backend.available)
    func forget(_ backend: Backend) async throws {
        let data = temporaryFolder("minibot-forget")
        defer { try? FileManager.default.removeItem(atPath: data) }
        try await withFreshStore(backend) { store, _ in
            try await seed(store, data: data)
            let eraser = ContactEraser(store: store, dataDirectory: data)

            let before = try await eraser.export(phone: lead, now: now)
            #expect(before.contact?.phone == lead && before.calls.count == 1 && before.queue.count == 1 && !before.optOut.optedOut)
            let record = try #require(before.calls.first)
            #expect(record.interactions.count == 2 && record.files.count == 5 && record.files.allSatisfy(\.exists))
            #expect(record.transcript?.count == 10)

            let report = try await eraser.forget(phone: lead, now: now)
            #expect(report.erased.contact && report.erased.calls == 1 && report.erased.interactions == 2 && report.erased.queueRows == 1)
            #expect(report.filesDeleted == 5 && report.filesMissing == 0 && report.failures.isEmpty)
            #expect(report.optOutHash == OptOutEntry.sha256(of: lead))
            for file in ["assembled/call-lead.wav", "transcripts/call-lead.json", "transcripts/call-lead.txt",
                         "recordings/call-lead_0_hello.wav", "recordings/call-lead_1_is_leads.wav"] {
                #expect(!exists(data, file), "\(file)")
            }
            #expect(exists(data, "assembled/call-other.wav") && exists(data, "assembled/call-fresh.wav"))
            #expect(try await store.contact(phone: other) != nil)

            let after = try await eraser.export(phone: lead, now: now)
            #expect(after.contact == nil && after.calls.isEmpty && after.queue.isEmpty && after.optOut.optedOut && !after.optOut.contactFlag)

            // The number comes back in a new contact file: the dialer still refuses it, with and without the French rules.
            try await store.importContacts { sink in try await sink.upsert([try upsert(lead)], at: now) }
            for enabled in [true, false] {
                var settings = ComplianceSettings()
                settings.enabled = enabled
                settings.consentRequired = false
                let decision = try await ComplianceGate.evaluate(phone: lead, settings: settings, store: store, at: now)
                #expect(decision.reason?.rule == ComplianceRuleName.optedOut, "compliance \(enabled): \(decision)")
            }
            var open = ComplianceSettings()
            open.enabled = false
            #expect(try await ComplianceGate.evaluate(phone: other, settings: open, store: store, at: now) == .allowed)
        }
    }

    @Test("forget waits for a call in progress", arguments: Backend.available)
    func forgetRefusesLiveCall(_ backend: Backend) async throws {
        let data = temporaryFolder("minibot-forget")
        defer { try? FileManager.default.removeItem(atPath: data) }
        try await withFreshStore(backend) { store, _ in
            try await seed(store, data: data)
            try await store.saveCall(Call(callID: "live", phone: other, campaignID: "c1", status: .answered, startedAt: now.addingTimeInterval(-60)))
            let eraser = ContactEraser(store: store, dataDirectory: data)
            await #expect(throws: ContactEraser.Refusal.callInProgress(phone: other, callID: "live")) {
                try await eraser.forget(phone: other, now: now)
            }
            #expect(try await store.contact(phone: other) != nil)
            #expect(exists(data, "assembled/call-other.wav"))
            #expect(try await !store.isOptedOut(phone: other))
        }
    }
}

import Foundation
import Hummingbird
import HummingbirdTesting
import MiniBotCore
import MiniBotDialer
import MiniBotStore
import MiniBotTestSupport
import Testing
@testable import MiniBotAPI

/// `DELETE /contacts/{phone}` (GDPR erasure) and the answer for purged call files.
@Suite("Erasure and purged files")
struct ErasureRoutesTests {
    func write(_ dataDir: String, _ relative: String) throws {
        let path = dataDir + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data("RIFF".utf8).write(to: URL(fileURLWithPath: path))
    }

    @Test("admin keys erase a number; read keys and bad numbers are refused", arguments: Backend.available)
    func erase(_ backend: Backend) async throws {
        try await withAPI(backend) { api in
            try await seedCalls(api.store)
            try await api.store.saveCall(Call(callID: "b", phone: "+33622222222", campaignID: "c1", status: .completed, isLead: true,
                                              recordingPath: "assembled/b.wav", transcriptPath: "transcripts/b.json", startedAt: testDate))
            for file in ["assembled/b.wav", "transcripts/b.json", "transcripts/b.txt"] { try write(api.dataDir, file) }

            let reader = try await api.send(.delete, "/contacts/0622222222", key: api.read)
            #expect(reader.status == .forbidden && reader.isProblem)
            #expect(try await api.store.contact(phone: "+33622222222") != nil)
            let invalid = try await api.send(.delete, "/contacts/06%2012", key: api.admin)
            #expect(invalid.status == .unprocessableContent && invalid.object["field"] as? String == "phone")

            let erased = try await api.send(.delete, "/contacts/06%2022%2022%2022%2022", key: api.admin)
            #expect(erased.status == .ok, "\(erased.text)")
            #expect(erased.object["phone"] as? String == "+33622222222" && erased.object["files_deleted"] as? Int == 3)
            #expect(erased.object["opt_out_hash"] as? String == OptOutEntry.sha256(of: "+33622222222"))
            #expect((erased.object["erased"] as? [String: Any])?["calls"] as? Int == 1)
            #expect(!FileManager.default.fileExists(atPath: api.dataDir + "/assembled/b.wav"))
            #expect(try await api.get("/contacts/0622222222").status == .notFound)
            #expect(try await api.get("/calls/b").status == .notFound)
            #expect(try await api.store.isOptedOut(phone: "+33622222222"))
            #expect(try await api.get("/contacts/0611111111").status == .ok)
        }
    }

    @Test("a purged call's files answer 410 Gone, others 404", arguments: Backend.available)
    func purged(_ backend: Backend) async throws {
        try await withAPI(backend) { api in
            let start = Date().addingTimeInterval(-60 * 86_400)
            try await api.store.saveCall(Call(callID: "old-1", phone: "+33611111111", status: .completed, recordingPath: "assembled/old-1.wav",
                                              transcriptPath: "transcripts/old-1.json", startedAt: start, endedAt: start))
            try await api.store.addInteraction(CallInteraction(callID: "old-1", sequence: 0, step: "is_leads", prompt: "", transcription: "oui",
                                                               startedAt: start, endedAt: start, clipPath: "recordings/old-1_0_is_leads.wav"))
            for file in ["assembled/old-1.wav", "transcripts/old-1.json", "transcripts/old-1.txt", "recordings/old-1_0_is_leads.wav"] {
                try write(api.dataDir, file)
            }
            #expect(try await api.get("/calls/transcripts/old-1.json").status == .ok)
            let report = try await RetentionSweeper(store: api.store, dataDirectory: api.dataDir).sweep(.init(olderThan: 30 * 86_400), now: Date())
            #expect(report.calls == 1 && report.files == 4)
            for uri in ["/calls/transcripts/old-1.json", "/calls/transcripts/old-1.txt", "/calls/assembled/old-1.wav",
                        "/calls/recordings/old-1_0_is_leads.wav"] {
                let response = try await api.get(uri)
                #expect(response.status == .gone && response.isProblem, "\(uri): \(response.status)")
                #expect((response.object["detail"] as? String)?.contains("purged") == true)
            }
            #expect(try await api.get("/calls/assembled/unknown.wav").status == .notFound)
            let call = try await api.get("/calls/old-1")
            #expect(call.text.contains("files_purged_at"), "\(call.text)")
        }
    }

    @Test(arguments: [("abc.wav", "abc"), ("abc.json", "abc"), ("5f2c-11_3_is_leads.wav", "5f2c-11"), ("x_0_hello.wav", "x")])
    func callIDOfFile(_ name: String, _ id: String) {
        #expect(CallFileRoutes.callID(ofFile: name) == id)
    }
}

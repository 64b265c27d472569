import Foundation
import MiniBotCore
import MiniBotDialer
import MiniBotStore

/// What the demo did, for the table and for `--json`.
struct DemoReport: Encodable {
    /// One contact's call.
    struct Row: Encodable {
        var name: String
        var phone: String
        var persona: String
        /// The contact's status the demo expects for this persona.
        var expected: String
        /// The contact's status after the campaign.
        var status: String
        var callStatus: String?
        /// The scenario's steps the call went through.
        var path: [String]
        /// Seconds from answer to hang-up.
        var duration: Double
        var endReason: String?
        var recording: String?
        var transcript: String?

        enum CodingKeys: String, CodingKey {
            case name, phone, persona, expected, status, path, transcript, recording
            case callStatus = "call_status", duration = "duration_s", endReason = "end_reason"
        }
    }

    struct Totals: Encodable {
        var contacts: Int
        var calls: Int
        var answered: Int
        var leads: Int
        var averageCallSeconds: Double
        var asExpected: Int

        enum CodingKeys: String, CodingKey {
            case contacts, calls, answered, leads
            case averageCallSeconds = "average_call_s", asExpected = "as_expected"
        }
    }

    var folder: String
    var database: String
    var dataDirectory: String
    var model: String
    var voice: String
    var prompts: String
    var importReport: ContactImportReport
    var rejects: [String]
    var campaignID: String
    var compliance: String
    var ending: String
    var contacts: [Row]
    var totals: Totals
    var wallSeconds: Double
    var next: [String]

    enum CodingKeys: String, CodingKey {
        case folder, database, model, voice, prompts, rejects, compliance, ending, contacts, totals, next
        case dataDirectory = "data_directory", importReport = "import", campaignID = "campaign_id", wallSeconds = "wall_s"
    }

    /// Each persona's contact as the campaign left it.
    static func rows(campaignID: String, personas: [(Contact, DemoPersona.Kind)], store: any Store, files: CallFiles) async throws -> [Row] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var rows: [Row] = []
        for (contact, kind) in personas {
            let now = try await store.contact(phone: contact.phone) ?? contact
            var row = Row(name: "\(contact.firstName) \(contact.lastName)", phone: contact.phone,
                          persona: kind.rawValue, expected: DemoPersona.make(kind).expected.rawValue, status: now.status.rawValue,
                          path: [], duration: 0)
            if let callID = try await store.queueEntry(campaignID: campaignID, phone: contact.phone)?.callID,
               let call = try await store.call(id: callID) {
                row.callStatus = call.status.rawValue
                row.duration = (call.duration * 10).rounded() / 10
                row.endReason = call.endReason ?? call.hangupCause
                row.recording = call.recordingPath.map(files.absolute)
                if let json = call.transcriptPath,
                   let data = FileManager.default.contents(atPath: files.absolute(json)),
                   let transcript = try? decoder.decode(CallTranscript.self, from: data) {
                    row.path = transcript.turns.map(\.step)
                    let text = files.absolute(files.transcriptText(callID: callID))
                    row.transcript = FileManager.default.fileExists(atPath: text) ? text : files.absolute(json)
                }
            }
            rows.append(row)
        }
        return rows
    }

    static func totals(_ rows: [Row]) -> Totals {
        let answered = rows.filter { $0.duration > 0 }
        let average = answered.isEmpty ? 0 : answered.map(\.duration).reduce(0, +) / Double(answered.count)
        return Totals(contacts: rows.count, calls: rows.filter { $0.callStatus != nil }.count, answered: answered.count,
                      leads: rows.filter { $0.status == ContactStatus.leads.rawValue }.count,
                      averageCallSeconds: (average * 10).rounded() / 10,
                      asExpected: rows.filter { $0.status == $0.expected }.count)
    }

    /// The results table and where everything is.
    func rendered() -> String {
        var table = Table(["contact", "phone", "persona", "outcome", "call", "length"],
                          alignments: [.left, .left, .left, .left, .left, .right])
        for row in contacts {
            let outcome = row.status == row.expected ? row.status : "\(row.status) (expected \(row.expected))"
            table.add([row.name, row.phone, row.persona, outcome, row.callStatus ?? "-",
                       row.duration > 0 ? String(format: "%.1f s", row.duration) : "-"])
        }
        // The path goes last and whole (the table cuts long cells).
        let paths = ["path", "────"] + contacts.map { $0.path.isEmpty ? "-" : $0.path.joined(separator: " → ") }
        let lines = table.render().split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let width = lines.map(\.count).max() ?? 0
        var text = zip(lines, paths).map { line, path in line + String(repeating: " ", count: width - line.count) + "  " + path }
            .joined(separator: "\n") + "\n"
        text += "\n\(totals.calls) calls, \(totals.answered) answered, \(totals.leads) leads, average call \(String(format: "%.1f", totals.averageCallSeconds)) s"
        text += "; \(totals.asExpected)/\(totals.contacts) callees ended as their persona should (campaign \(ending), \(String(format: "%.0f", wallSeconds)) s)\n\n"
        text += "Full-call recordings (stereo WAV: robot left, callee right) and transcripts:\n"
        for row in contacts where row.recording != nil || row.transcript != nil {
            text += "  \(row.name): \(row.recording ?? "-")\n  \(String(repeating: " ", count: row.name.count))  \(row.transcript ?? "-")\n"
        }
        text += "\nNext:\n" + next.map { "  \($0)\n" }.joined()
        return text
    }
}

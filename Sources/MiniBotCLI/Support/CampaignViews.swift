import ArgumentParser
import Foundation
import MiniBotCore
import MiniBotDialer
import MiniBotStore
import Synchronization

/// Checks made before a campaign starts.
enum CampaignChecks {
    /// ARCEP's caller-ID ranges: a warning, or a refusal when the campaign's policy says so.
    static func callerID(_ config: MiniBotConfig, settings: CampaignSettings) throws {
        guard settings.compliance.enabled else { return }
        let numbers = config.callerID.mode == .dynamic && !config.callerID.pool.isEmpty ? config.callerID.pool : [config.callerID.number]
        for number in numbers {
            switch CallerIDCheck.check(number.isEmpty ? "(none)" : number, policy: settings.compliance.callerIDPolicy) {
            case .ok: continue
            case .warning(let sentence): Output.error("warning: caller ID: \(sentence)\n")
            case .refused(let sentence): throw ValidationError("caller ID: \(sentence)")
            }
        }
    }
}

/// What a campaign would do, without calling anyone.
struct DryRun: Encodable {
    struct Decision: Encodable {
        var phone: String
        var decision: String
        var rule: String?
        var detail: String?
        var notBefore: Date?

        enum CodingKeys: String, CodingKey {
            case phone, decision, rule, detail
            case notBefore = "not_before"
        }
    }

    var contacts: [Decision]
    var wouldCall: Int
    var deferred: Int
    var skipped: Int

    enum CodingKeys: String, CodingKey {
        case contacts, deferred, skipped
        case wouldCall = "would_call"
    }

    static func report(store: any Store, runtime: Runtime, selection: ContactSelection, settings: CampaignSettings) async throws -> DryRun {
        var phones: [String] = []
        for status in selection.statuses {
            let remaining = selection.limit.map { $0 - phones.count } ?? 1_000_000
            guard remaining > 0 else { break }
            phones += try await store.contacts(ContactQuery(filter: .init(status: status), limit: remaining)).map(\.phone)
        }
        var decisions: [Decision] = []
        let now = Date()
        for phone in phones {
            // The telephony settings must be able to reach the number.
            do {
                _ = try SIPTarget.resolve(phone, config: runtime.config)
            } catch {
                decisions.append(Decision(phone: phone, decision: "unreachable", detail: "\(error)"))
                continue
            }
            switch try await ComplianceGate.evaluate(phone: phone, settings: settings.compliance, store: store, at: now) {
            case .allowed:
                decisions.append(Decision(phone: phone, decision: "call"))
            case .notBefore(let date, let reason):
                decisions.append(Decision(phone: phone, decision: "later", rule: reason.rule, detail: reason.detail, notBefore: date))
            case .never(let reason):
                decisions.append(Decision(phone: phone, decision: "skip", rule: reason.rule, detail: reason.detail))
            }
        }
        return DryRun(contacts: decisions, wouldCall: decisions.filter { $0.decision == "call" }.count,
                      deferred: decisions.filter { $0.decision == "later" }.count,
                      skipped: decisions.filter { $0.decision == "skip" || $0.decision == "unreachable" }.count)
    }

    func rendered(scenario: LoadedScenario) -> String {
        var table = Table(["phone", "decision", "why"])
        for contact in contacts {
            let when = contact.notBefore.map { " (not before \(ISO8601DateFormatter().string(from: $0)))" } ?? ""
            table.add([contact.phone, contact.decision, (contact.detail ?? "") + when])
        }
        return table.render() + """

            dry run: scenario \(scenario.scenario.name) (\(scenario.source)) and its prompts are valid; the recogniser opened.
            \(wouldCall) would be called now, \(deferred) later, \(skipped) skipped. Nothing was stored or dialled.

            """
    }
}

/// The end-of-run (or `campaign show`) report.
enum CampaignReport {
    struct Report: Encodable {
        var campaign: Campaign
        var queue: [String: Int]
        var ending: String?
    }

    static func print(campaignID: String, store: any Store, ending: CampaignRunner.Ending?, json: Bool) async throws {
        guard let campaign = try await store.campaign(id: campaignID) else { return }
        let summary = try await store.queueSummary(campaignID: campaignID)
        let queue = Dictionary(uniqueKeysWithValues: QueueStatus.allCases.map { ($0.rawValue, summary[$0] ?? 0) })
        if json { return try Output.json(Report(campaign: campaign, queue: queue, ending: ending?.rawValue)) }
        let c = campaign.counters
        var table = Table(["", ""], alignments: [.left, .right])
        table.add(["calls", "\(c.total)"])
        table.add(["answered by a person", "\(c.answered)"])
        table.add(["answering machines", "\(c.machine)"])
        table.add(["leads", "\(c.leads)"])
        table.add(["not interested", "\(c.notInterested)"])
        table.add(["no answer", "\(c.noAnswer)"])
        table.add(["failed", "\(c.failed)"])
        var queueTable = Table(["queue", "rows"], alignments: [.left, .right])
        for status in QueueStatus.allCases { queueTable.add([status.rawValue, "\(summary[status] ?? 0)"]) }
        Output.write("campaign \(campaign.id) \"\(campaign.name)\" — \(campaign.status.rawValue)"
                     + (ending.map { " (run ended: \($0.rawValue))" } ?? "") + "\n\n" + table.render() + "\n" + queueTable.render())
    }
}

/// The live terminal view of `campaign launch --monitor`.
final class CampaignMonitor: Sendable {
    let campaignID: String
    let store: any Store
    let queued: Int
    let started = Date()
    private let drawnLines = Mutex(0)
    private let isTerminal = Output.isTerminal

    init(campaignID: String, store: any Store, queued: Int) {
        self.campaignID = campaignID
        self.store = store
        self.queued = queued
    }

    func draw(_ runner: CampaignRunner) async {
        guard let campaign = try? await store.campaign(id: campaignID),
              let summary = try? await store.queueSummary(campaignID: campaignID) else { return }
        let active = await runner.activeCalls
        let done = (summary[.completed] ?? 0) + (summary[.skipped] ?? 0) + (summary[.interrupted] ?? 0)
        let total = max(queued, done)
        let minutes = max(Date().timeIntervalSince(started) / 60, 1.0 / 60)
        let c = campaign.counters
        let width = 30
        let filled = total > 0 ? Int(Double(width) * Double(done) / Double(total)) : 0
        var lines = [
            "\(campaign.name) [\(String(repeating: "█", count: filled))\(String(repeating: "░", count: width - filled))] \(done)/\(total) contacts done",
            String(format: "calls %d · %.1f/min · leads %d · not interested %d · no answer %d · machines %d · failed %d",
                   c.total, Double(c.total) / minutes, c.leads, c.notInterested, c.noAnswer, c.machine, c.failed),
            "in progress (\(active.count)):",
        ]
        for call in active.prefix(12) {
            lines.append(String(format: "  %@  %@  %4.0f s", call.phone, call.answered ? "talking" : "ringing", Date().timeIntervalSince(call.startedAt)))
        }
        if isTerminal {
            let previous = drawnLines.withLock { count in defer { count = lines.count }; return count }
            let up = previous > 0 ? "\u{1B}[\(previous)F" : ""
            Output.write(up + lines.map { $0 + "\u{1B}[K" }.joined(separator: "\n") + "\n\u{1B}[J")
        } else {
            Output.write(lines[0] + " · " + lines[1] + "\n")
        }
    }
}

import Foundation
import Hummingbird
import MiniBotAPI
import MiniBotCore
import MiniBotDialer
import MiniBotStore

extension WebPanel {
    func registerCalls(on router: Router<APIRequestContext>) {
        page(router, "/panel/calls") { panel, _ in
            let strings = Strings.table(panel.language)
            let format = formatter(panel)
            let query = panel.query
            let page = max(1, query.text("page").flatMap(Int.init) ?? 1)
            var filter = CallQuery(limit: Self.pageSize, offset: (page - 1) * Self.pageSize)
            var problem: String?
            filter.campaignID = query.text("campaign_id")
            filter.status = query.text("status").flatMap(CallStatus.init(rawValue:))
            filter.isLead = query.text("lead").flatMap { $0 == "true" ? true : $0 == "false" ? false : nil }
            if let phone = query.text("phone") {
                do { filter.phone = try phoneParser.parse(phone).e164 } catch { problem = Strings.format(panel.language, "invalid_phone", phone) }
            }
            filter.from = query.text("from").flatMap(format.parseDay)
            filter.to = query.text("to").flatMap(format.parseDay).map { $0.addingTimeInterval(86_400) }
            var result = CallPage(calls: [], total: 0)
            if problem == nil { result = try await store.calls(filter) }
            let campaigns = try await store.campaigns()
            let names = Dictionary(campaigns.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
            var context: [String: Any] = [
                "calls": result.calls.map { call -> [String: Any] in
                    ["id": call.callID, "phone": call.phone, "started": format.dateTime(call.startedAt),
                     "campaign": call.campaignID.flatMap { names[$0] } ?? "—", "status": call.status.rawValue,
                     "status_label": strings["status_\(call.status.rawValue)"] ?? call.status.rawValue, "is_lead": call.isLead,
                     "outcome": call.outcome.map { strings["contact_\($0.rawValue)"] ?? $0.rawValue } ?? "", "duration": format.duration(call.duration)]
                },
                "has_calls": !result.calls.isEmpty,
                "total_label": Strings.format(panel.language, "calls_count", format.number(result.total)),
                "campaigns": campaigns.map { ["id": $0.id, "name": $0.name, "selected": $0.id == filter.campaignID] },
                "statuses": CallStatus.allCases.map { ["value": $0.rawValue, "label": strings["status_\($0.rawValue)"] ?? $0.rawValue, "selected": $0 == filter.status] },
                "lead_true": filter.isLead == true, "lead_false": filter.isLead == false,
                "phone": query.text("phone") ?? "", "from": query.text("from") ?? "", "to": query.text("to") ?? "",
                "pager": pager(path: "/panel/calls", query: query, page: page, hasNext: page * Self.pageSize < result.total,
                               pages: (result.total + Self.pageSize - 1) / Self.pageSize),
            ]
            if let problem { context["error"] = problem }
            return render(&panel, template: "calls", title: strings["calls"]!, nav: "calls", context)
        }

        page(router, "/panel/calls/{id}") { panel, context in
            let id = try context.parameters.require("id")
            let strings = Strings.table(panel.language)
            guard let call = try await store.call(id: id) else { throw Problem(.notFound, strings["not_found_text"]) }
            let format = formatter(panel)
            let turns = try await store.interactions(callID: id)
            var campaign: Campaign?
            if let id = call.campaignID { campaign = try await store.campaign(id: id) }
            var page: [String: Any] = [
                "phone": call.phone, "status": call.status.rawValue, "status_label": strings["status_\(call.status.rawValue)"] ?? call.status.rawValue,
                "is_lead": call.isLead, "started": format.dateTime(call.startedAt), "duration": format.duration(call.duration),
                "campaign": campaign?.name ?? "—",
                "has_turns": !turns.isEmpty,
                "turns": turns.map { turn -> [String: Any] in
                    var row: [String: Any] = ["step": turn.step, "step_label": Strings.label(panel.language, "step", turn.step),
                                              "transcription": turn.transcription, "at": format.time(turn.startedAt)]
                    if let intent = turn.intent {
                        row["intent"] = intent
                        row["intent_label"] = Strings.label(panel.language, "intent", intent)
                    }
                    if let confidence = turn.confidence {
                        row["confidence"] = String(format: "%.2f", confidence)
                        row["confidence_percent"] = Int((confidence * 100).rounded())
                    }
                    if let clip = turn.clipPath { row["clip"] = (clip as NSString).lastPathComponent }
                    if let error = turn.error { row["error"] = error }
                    if !turn.prompt.isEmpty, !turn.prompt.hasSuffix(".wav") { row["prompt"] = turn.prompt }
                    return row
                },
            ]
            if let recording = call.recordingPath { page["audio"] = (recording as NSString).lastPathComponent }
            var details: [(String, String)] = [("detail_call_id", call.callID)]
            if let amd = call.amdResult { details.append(("detail_amd", Strings.label(panel.language, "amd", amd.rawValue))) }
            if let intent = call.finalIntent { details.append(("detail_final_intent", Strings.label(panel.language, "intent", intent))) }
            if let outcome = call.outcome { details.append(("outcome", strings["contact_\(outcome.rawValue)"] ?? outcome.rawValue)) }
            if let answered = call.answeredAt { details.append(("detail_answered_at", format.dateTime(answered))) }
            if let ended = call.endedAt { details.append(("detail_ended_at", format.dateTime(ended))) }
            if let cause = call.hangupCause { details.append(("detail_hangup", cause)) }
            if let reason = call.endReason { details.append(("detail_end_reason", reason)) }
            page["details"] = details.map { ["label": strings[$0.0] ?? $0.0, "value": $0.1] }
            return render(&panel, template: "call", title: call.phone, nav: "calls", page)
        }

        // A call's audio for the player, with range requests, through the session instead of an API key.
        for folder in [CallFiles.assembled, CallFiles.recordings] {
            page(router, RouterPath("/panel/files/\(folder)/{name}")) { panel, context in
                let name = try context.parameters.require("name")
                let file = SafeFile(folder: (environment.config.dataDir as NSString).appendingPathComponent(folder))
                guard let path = try? file.resolve(name) else { throw Problem(.notFound, "no such file") }
                return try await FileResponder().respond(path: path, contentType: name.lowercased().hasSuffix(".wav") ? "audio/wav" : "application/octet-stream",
                                                         request: panel.request, context: context)
            }
        }
    }
}

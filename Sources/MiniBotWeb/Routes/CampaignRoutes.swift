import Foundation
import Hummingbird
import MiniBotAPI
import MiniBotCore
import MiniBotStore

extension WebPanel {
    func registerCampaigns(on router: Router<APIRequestContext>) {
        page(router, "/panel/campaigns") { panel, _ in
            try await campaignsPage(&panel, formError: nil)
        }

        action(router, "/panel/campaigns") { panel, form, _ in
            let draft = CampaignRoutes.Draft(name: form.text("name") ?? "", scenario: form.text("scenario") ?? "universal",
                                             statuses: form.all("statuses").isEmpty ? ["New"] : form.all("statuses"),
                                             limit: form.text("limit").flatMap(Int.init), maxAttempts: form.text("max_attempts").flatMap(Int.init),
                                             voicemail: form["voicemail"] == "1", compliance: form["compliance"] == "1")
            do {
                let created = try await CampaignRoutes.create(draft, environment: environment)
                logger.info("campaign created from the panel", metadata: ["campaign": "\(created.campaign.id)", "user": "\(panel.session?.userName ?? "")"])
                return redirect(&panel, to: "/panel/campaigns/\(created.campaign.id)",
                                flash: Strings.format(panel.language, "campaign_created", created.queued))
            } catch let problem as Problem where problem.status.code < 500 {
                return try await campaignsPage(&panel, formError: problem.detail ?? problem.title, status: .unprocessableContent)
            }
        }

        page(router, "/panel/campaigns/{id}") { panel, context in
            let id = try context.parameters.require("id")
            guard let campaign = try await store.campaign(id: id) else { throw Problem(.notFound, Strings.table(panel.language)["not_found_text"]) }
            let strings = Strings.table(panel.language)
            let format = formatter(panel)
            var page = try await campaignProgressContext(campaign, panel)
            page["id"] = campaign.id
            page["name"] = campaign.name
            page["status"] = campaign.status.rawValue
            page["status_label"] = strings["campaign_\(campaign.status.rawValue)"] ?? campaign.status.rawValue
            page["scenario"] = ((campaign.scenario as NSString).lastPathComponent as NSString).deletingPathExtension
            page["created"] = format.dateTime(campaign.createdAt)
            page["can_pause"] = campaign.status == .active
            page["can_resume"] = campaign.status == .paused
            page["can_cancel"] = campaign.status == .active || campaign.status == .paused
            return render(&panel, template: "campaign", title: campaign.name, nav: "campaigns", page)
        }

        action(router, "/panel/campaigns/{id}/status") { panel, form, context in
            let id = try context.parameters.require("id")
            do {
                let status = try await CampaignRoutes.changeStatus(id: id, to: form["status"] ?? "", environment: environment)
                let label = Strings.table(panel.language)["campaign_\(status.rawValue)"] ?? status.rawValue
                return redirect(&panel, to: "/panel/campaigns/\(id)", flash: Strings.format(panel.language, "campaign_now", label.lowercased()))
            } catch let problem as Problem where problem.status == .conflict || problem.status == .unprocessableContent {
                return redirect(&panel, to: "/panel/campaigns/\(id)", flash: problem.detail ?? problem.title, kind: "error")
            }
        }
    }

    func campaignsPage(_ panel: inout PanelRequest, formError: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let strings = Strings.table(panel.language)
        let format = formatter(panel)
        var rows: [[String: Any]] = []
        for campaign in try await store.campaigns() {
            var row = try await queueProgress(campaign.id)
            row["id"] = campaign.id
            row["name"] = campaign.name
            row["status"] = campaign.status.rawValue
            row["status_label"] = strings["campaign_\(campaign.status.rawValue)"] ?? campaign.status.rawValue
            row["total"] = format.number(campaign.counters.total)
            row["leads"] = format.number(campaign.counters.leads)
            row["created"] = format.dateTime(campaign.createdAt)
            rows.append(row)
        }
        let stats = try await store.contactStats()
        let statuses = ContactStatus.allCases.filter { $0 != .optOut && $0 != .invalid }.map { status -> [String: Any] in
            ["value": status.rawValue, "label": strings["contact_\(status.rawValue)"] ?? status.rawValue,
             "count": format.number(stats.byStatus[status.rawValue] ?? 0), "checked": status == .new]
        }
        var context: [String: Any] = [
            "campaigns": rows, "has_campaigns": !rows.isEmpty, "statuses": statuses,
            "scenarios": ScenarioCatalog(environment: environment).names(), "default_attempts": environment.config.dialer.maxAttempts,
        ]
        if let formError { context["form_error"] = formError }
        return render(&panel, template: "campaigns", title: strings["campaigns"]!, nav: "campaigns", status: status, context)
    }

    /// Done and queued rows of a campaign's queue, and the percentage done.
    func queueProgress(_ id: String) async throws -> [String: Any] {
        let queue = try await store.queueSummary(campaignID: id)
        let queued = queue.values.reduce(0, +)
        let done = queue.filter { $0.key.isFinal }.values.reduce(0, +)
        return ["queued": queued, "done": done, "percent": queued == 0 ? 0 : done * 100 / queued, "queue_rows": queue]
    }

    func campaignProgressContext(_ campaign: Campaign, _ panel: PanelRequest) async throws -> [String: Any] {
        let strings = Strings.table(panel.language)
        let format = formatter(panel)
        let progress = try await queueProgress(campaign.id)
        let queue = progress["queue_rows"] as? [QueueStatus: Int] ?? [:]
        let counters = campaign.counters
        let figures: [(String, Int)] = [
            ("counter_total", counters.total), ("counter_answered", counters.answered), ("counter_leads", counters.leads),
            ("counter_not_interested", counters.notInterested), ("counter_machine", counters.machine),
            ("counter_no_answer", counters.noAnswer), ("counter_failed", counters.failed),
        ]
        return [
            "progress": ["percent": progress["percent"] ?? 0, "done": format.number(progress["done"] as? Int ?? 0),
                         "queued": format.number(progress["queued"] as? Int ?? 0)],
            "counters": figures.map { ["label": strings[$0.0] ?? $0.0, "value": format.number($0.1)] },
            "queue": QueueStatus.allCases.map { ["label": strings["queue_\($0.rawValue)"] ?? $0.rawValue, "value": format.number(queue[$0] ?? 0)] },
        ]
    }
}

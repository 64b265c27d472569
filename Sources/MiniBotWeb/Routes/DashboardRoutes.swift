import Foundation
import Hummingbird
import MiniBotAPI
import MiniBotCore
import MiniBotStore

extension WebPanel {
    func registerDashboard(on router: Router<APIRequestContext>) {
        page(router, "/panel") { panel, _ in
            let strings = Strings.table(panel.language)
            let format = formatter(panel)
            let now = Date()
            let activity = try await todaysActivity(panel, now: now)
            var context = try await activeCallsContext(panel)
            let (calls, kpi) = todaysFigures(activity, panel)
            context["today_label"] = format.day(now)
            context["kpi"] = kpi

            context.merge(todaysCharts(activity, calls: calls, panel)) { $1 }

            context.merge(try await latestLeadsContext(panel)) { $1 }
            return render(&panel, template: "dashboard", title: strings["dashboard"]!, nav: "dashboard", context)
        }

        // What the page's script fetches on each event: the active calls and, when asked, a campaign's progress, as HTML.
        page(router, "/panel/live") { panel, _ in
            let strings = Strings.table(panel.language)
            var context = try await activeCallsContext(panel)
            context["t"] = strings
            let activity = try await todaysActivity(panel, now: Date())
            let (calls, kpi) = todaysFigures(activity, panel)
            var charts = todaysCharts(activity, calls: calls, panel)
            charts["t"] = strings
            var leads = try await latestLeadsContext(panel)
            leads["t"] = strings
            var result: [String: Any] = [
                "active_html": renderer.render("active_calls", context),
                "leads_html": renderer.render("latest_leads", leads),
                "active_count": context["active_count"] ?? 0,
                "kpi": kpi,
                "outcomes_html": renderer.render("outcomes", charts),
                "chart_html": charts["chart"] ?? "",
            ]
            if let id = panel.query["campaign"], let campaign = try await store.campaign(id: id) {
                var progress = try await campaignProgressContext(campaign, panel)
                progress["t"] = strings
                result["campaign_html"] = renderer.render("campaign_progress", progress)
                result["campaign_status"] = campaign.status.rawValue
                result["campaign_status_label"] = strings["campaign_\(campaign.status.rawValue)"] ?? campaign.status.rawValue
            }
            let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
            return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                            body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }

        // The API's event stream, for logged-in users (EventSource sends the cookie, not an API key).
        page(router, "/panel/events") { _, _ in
            EventRoutes.stream(environment: environment)
        }
    }

    func todaysActivity(_ panel: PanelRequest, now: Date) async throws -> [CallActivity] {
        let today = formatter(panel).startOfDay(now)
        return try await store.callActivity(from: today, to: today.addingTimeInterval(86_400))
    }

    /// Today's outcome shares (the call's outcome when it has one, else its
    /// status) and calls per hour in the panel's time zone.
    func todaysCharts(_ activity: [CallActivity], calls: Int, _ panel: PanelRequest) -> [String: Any] {
        let strings = Strings.table(panel.language)
        let format = formatter(panel)
        var shares: [String: Int] = [:]
        for row in activity { shares[row.outcome.map { "contact_\($0)" } ?? "status_\(row.status)", default: 0] += row.calls }
        let outcomes = shares.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map { key, count -> [String: Any] in
            let percent = calls == 0 ? 0 : Double(count) * 100 / Double(calls)
            return ["key": cssKey(key), "label": strings[key] ?? key, "count": format.number(count),
                    "percent": String(format: "%.2f", percent), "percent_label": format.percent(count, of: calls)]
        }
        var bars = (0..<24).map { HourlyChart.Bar(hour: $0, calls: 0, leads: 0) }
        for row in activity {
            let hour = format.hourOfDay(row.hour)
            bars[hour].calls += row.calls
            bars[hour].leads += row.leads
        }
        let chart = HourlyChart(bars: bars, title: strings["calls_per_hour"]!, callsLabel: strings["calls"]!.lowercased(),
                                leadsLabel: strings["leads"]!.lowercased()).svg()
        return ["outcomes": outcomes, "has_outcomes": !outcomes.isEmpty, "chart": chart]
    }

    /// Today's calls, answers and leads, written for the page.
    func todaysFigures(_ activity: [CallActivity], _ panel: PanelRequest) -> (calls: Int, kpi: [String: String]) {
        let format = formatter(panel)
        let calls = activity.reduce(0) { $0 + $1.calls }
        let leads = activity.reduce(0) { $0 + $1.leads }
        let answeredStatuses: Set<String> = [CallStatus.answered.rawValue, CallStatus.completed.rawValue]
        let answered = activity.filter { answeredStatuses.contains($0.status) }.reduce(0) { $0 + $1.calls }
        return (calls, ["calls": format.number(calls), "answered": format.number(answered), "answer_rate": format.percent(answered, of: calls),
                        "leads": format.number(leads), "lead_rate": format.percent(leads, of: answered)])
    }

    /// Calls now dialling, ringing or on the line, with the step each is at.
    func activeCallsContext(_ panel: PanelRequest) async throws -> [String: Any] {
        let strings = Strings.table(panel.language)
        var active: [Call] = []
        for status in [CallStatus.answered, .ringing, .dialing] {
            active += try await store.calls(CallQuery(status: status, limit: 50)).calls
        }
        let names = try await campaignNames()
        var rows: [[String: Any]] = []
        for call in active.prefix(50) {
            var step: String?
            if call.status == .answered {
                // A turn is stored once answered: none yet means the first prompt is playing.
                step = try await store.interactions(callID: call.callID).last.map { Strings.label(panel.language, "step", $0.step) } ?? strings["step_start"]
            }
            rows.append(["id": call.callID, "phone": call.phone, "status": call.status.rawValue,
                         "status_label": strings["status_\(call.status.rawValue)"] ?? call.status.rawValue, "step": step ?? "—",
                         "campaign": call.campaignID.flatMap { names[$0] } ?? "—"])
        }
        return ["active": rows, "has_active": !rows.isEmpty, "active_count": active.count]
    }

    /// The last leads, newest first.
    func latestLeadsContext(_ panel: PanelRequest) async throws -> [String: Any] {
        let format = formatter(panel)
        let latest = try await store.calls(CallQuery(isLead: true, limit: 8)).calls
        let names = try await campaignNames()
        return [
            "leads": latest.map { call -> [String: Any] in
                ["id": call.callID, "phone": call.phone, "started": format.dateTime(call.startedAt),
                 "campaign": call.campaignID.flatMap { names[$0] } ?? "—", "duration": format.duration(call.duration)]
            },
            "has_leads": !latest.isEmpty,
        ]
    }

    func campaignNames() async throws -> [String: String] {
        Dictionary(try await store.campaigns().map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    /// A key usable in a CSS class name.
    func cssKey(_ key: String) -> String {
        String(key.lowercased().map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "-" })
    }
}

import Foundation
import Hummingbird
import MiniBotAPI
import MiniBotCore
import MiniBotStore

extension WebPanel {
    func registerOptOuts(on router: Router<APIRequestContext>) {
        page(router, "/panel/optouts") { panel, _ in
            let strings = Strings.table(panel.language)
            let format = formatter(panel)
            let page = max(1, panel.query.text("page").flatMap(Int.init) ?? 1)
            let entries = try await store.optOuts(limit: Self.pageSize + 1, offset: (page - 1) * Self.pageSize)
            var context: [String: Any] = [
                "entries": entries.prefix(Self.pageSize).map { ["key": $0.key, "source": $0.source, "added": format.dateTime($0.addedAt)] },
                "has_entries": !entries.isEmpty,
                "pager": pager(path: "/panel/optouts", query: panel.query, page: page, hasNext: entries.count > Self.pageSize, pages: nil),
            ]
            // A number checked as the dialer checks it before every call: itself, its hash, the contact's own flag.
            if let text = panel.query.text("check"), !text.isEmpty {
                context["check"] = text
                if let phone = try? phoneParser.parse(text).e164 {
                    let listed = try await store.isOptedOut(phone: phone)
                    context["check_result"] = ["text": Strings.format(panel.language, listed ? "opt_out_listed" : "opt_out_not_listed", phone),
                                               "kind": listed ? "error" : "ok"]
                } else {
                    context["check_result"] = ["text": Strings.format(panel.language, "invalid_phone", text), "kind": "error"]
                }
            }
            return render(&panel, template: "optouts", title: strings["opt_outs"]!, nav: "opt_outs", context)
        }

        action(router, "/panel/optouts") { panel, form, _ in
            let text = form.text("phone") ?? ""
            let phone: String
            do { phone = try phoneParser.parse(text).e164 } catch {
                return redirect(&panel, to: "/panel/optouts", flash: Strings.format(panel.language, "invalid_phone", text), kind: "error")
            }
            let added = try await store.addOptOuts([.number(phone, source: "panel:\(panel.session?.userName ?? "")", at: Date())])
            return redirect(&panel, to: "/panel/optouts", flash: Strings.format(panel.language, added > 0 ? "opt_out_added" : "opt_out_known", phone))
        }

        action(router, "/panel/optouts/remove") { panel, form, _ in
            let key = form.text("key") ?? ""
            guard try await store.removeOptOut(key: key) else { throw Problem(.notFound, key) }
            return redirect(&panel, to: "/panel/optouts", flash: Strings.format(panel.language, "opt_out_removed", key))
        }
    }
}

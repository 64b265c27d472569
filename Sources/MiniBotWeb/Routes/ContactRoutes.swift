import Foundation
import Hummingbird
import MiniBotAPI
import MiniBotCore
import MiniBotStore

extension WebPanel {
    static let pageSize = 50

    func registerContacts(on router: Router<APIRequestContext>) {
        page(router, "/panel/contacts") { panel, _ in
            try await contactsPage(&panel, report: nil)
        }

        // A multipart upload: the CSRF token is one of its fields.
        router.post("/panel/contacts/import") { request, context in
            try await guarded(request, context) { panel in
                guard let session = panel.session else { return loginRedirect(request) }
                let body = try await request.body.collect(upTo: context.maxUploadSize)
                guard let boundary = MultipartForm.boundary(contentType: request.headers[.contentType] ?? ""),
                      let form = MultipartForm(body: Data(body.readableBytesView), boundary: boundary),
                      Tokens.matches(form.field("csrf"), expected: session.csrfToken) else { return try forbidden(&panel) }
                guard let file = form.file("file"), !file.data.isEmpty else {
                    return try await contactsPage(&panel, report: nil, error: Strings.table(panel.language)["file_required"]!)
                }
                let folder = FileManager.default.temporaryDirectory.appendingPathComponent("minibot-panel-import-\(UUID().uuidString)").path
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(atPath: folder) }
                let path = folder + "/upload.csv", rejects = folder + "/rejects.csv"
                try file.data.write(to: URL(fileURLWithPath: path))
                do {
                    let report = try await ContactImporter(store: store, parser: phoneParser).importFile(at: path, rejectsPath: rejects)
                    let rejected = FileManager.default.contents(atPath: rejects).map { String(decoding: $0, as: UTF8.self) }
                    logger.info("contacts imported from the panel", metadata: ["imported": "\(report.imported)", "user": "\(session.userName)"])
                    return try await contactsPage(&panel, report: (report, rejected))
                } catch let error as ContactImportError {
                    return try await contactsPage(&panel, report: nil, error: "\(error)".replacingOccurrences(of: path, with: file.filename ?? "CSV"))
                }
            }
        }

        page(router, "/panel/contacts/export") { panel, _ in
            let query = panel.query
            let status = query.text("status").flatMap(ContactStatus.init(lenient:))
            let filter = ContactFilter(status: status, campaignID: query.text("campaign_id"))
            var csv = Data()
            try await ContactExporter(store: store).export(filter: filter) { csv.append($0) }
            let name = "contacts\(status.map { "-" + $0.rawValue.lowercased() } ?? "").csv"
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name)\""],
                            body: .init(byteBuffer: ByteBuffer(bytes: csv)))
        }
    }

    func contactsPage(_ panel: inout PanelRequest, report: (ContactImportReport, String?)?, error: String? = nil) async throws -> Response {
        let strings = Strings.table(panel.language)
        let format = formatter(panel)
        let query = panel.query
        let status = query.text("status").flatMap(ContactStatus.init(lenient:))
        let search = query.text("search")
        let page = max(1, query.text("page").flatMap(Int.init) ?? 1)
        let contacts = try await store.contacts(ContactQuery(filter: ContactFilter(status: status), search: search,
                                                             limit: Self.pageSize + 1, offset: (page - 1) * Self.pageSize))
        let stats = try await store.contactStats()
        var context: [String: Any] = [
            "contacts": contacts.prefix(Self.pageSize).map { contact -> [String: Any] in
                ["phone": contact.phone, "phone_query": contact.phone.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? contact.phone,
                 "name": [contact.firstName, contact.lastName].filter { !$0.isEmpty }.joined(separator: " "), "company": contact.company,
                 "status_key": cssKey(contact.status.rawValue), "status_label": strings["contact_\(contact.status.rawValue)"] ?? contact.status.rawValue,
                 "attempts": contact.attempts]
            },
            "has_contacts": !contacts.isEmpty,
            "search": search ?? "",
            "total_label": Strings.format(panel.language, "contacts_count", format.number(stats.total)),
            "statuses": ContactStatus.allCases.map { item -> [String: Any] in
                ["value": item.rawValue, "label": strings["contact_\(item.rawValue)"] ?? item.rawValue, "selected": item == status,
                 "count": format.number(stats.byStatus[item.rawValue] ?? 0)]
            },
            "pager": pager(path: "/panel/contacts", query: query, page: page, hasNext: contacts.count > Self.pageSize, pages: nil),
        ]
        if let imported = report {
            let (report, rejects) = imported
            var summary: [String: Any] = ["rows": report.rows, "imported": report.imported, "updated": report.updated,
                                          "duplicates": report.duplicates, "rejected": report.rejected,
                                          "has_rejects": !(rejects ?? "").isEmpty, "rejects": rejects ?? ""]
            // Absent, not empty: Mustache shows a section for an empty string.
            if !report.unknownColumns.isEmpty { summary["unknown_columns"] = report.unknownColumns.joined(separator: ", ") }
            context["report"] = summary
        }
        if let error { panel.flash = Flash(kind: "error", text: error) }
        return render(&panel, template: "contacts", title: strings["contacts"]!, nav: "contacts", context)
    }

    /// Previous and next links keeping the page's other query fields.
    func pager(path: String, query: FormFields, page: Int, hasNext: Bool, pages: Int?) -> [String: Any] {
        func link(_ number: Int) -> String {
            var items = query.values.filter { $0.key != "page" && $0.key != "lang" }
                .flatMap { key, values in values.map { "\(encode(key))=\(encode($0))" } }.sorted()
            items.append("page=\(number)")
            return path + "?" + items.joined(separator: "&")
        }
        var pager: [String: Any] = ["page": page]
        if page > 1 { pager["prev"] = link(page - 1) }
        if hasNext { pager["next"] = link(page + 1) }
        if let pages { pager["pages"] = pages }
        return pager
    }

    func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_."))) ?? ""
    }
}

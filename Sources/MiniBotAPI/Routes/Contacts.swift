import Foundation
import Hummingbird
import MiniBotCore
import MiniBotDialer
import MiniBotStore

/// Contacts: import a CSV upload (the body, `text/csv`), list, show one, export as CSV.
struct ContactRoutes {
    let environment: APIEnvironment
    var store: any Store { environment.store }

    /// The import report, with the rejected rows themselves instead of a server path.
    struct ImportResult: ResponseEncodable {
        var report: ContactImportReport
        /// The rejected rows as the CLI writes them (CSV: line, reason, then the row), if any.
        var rejects: String?

        enum CodingKeys: String, CodingKey { case rejects = "rejected_rows" }

        func encode(to encoder: any Encoder) throws {
            var report = report
            report.rejectsFile = nil
            try report.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(rejects, forKey: .rejects)
        }
    }

    func register(_ routes: RouteTable) {
        routes.add(.post, "/contacts/import") { request, context in
            let q = QueryParameters(request: request)
            let policy = try q.enumeration("unknown_columns", UnknownColumnPolicy.self) ?? .ignore
            let buffer = try await request.body.collect(upTo: context.maxUploadSize)
            guard buffer.readableBytes > 0 else { throw Problem.invalid("body", "the CSV file is empty") }
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("minibot-import-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let file = folder + "/upload.csv", rejects = folder + "/rejects.csv"
            try Data(buffer.readableBytesView).write(to: URL(fileURLWithPath: file))
            do {
                let report = try await ContactImporter(store: store, parser: environment.phoneParser, unknownColumns: policy)
                    .importFile(at: file, rejectsPath: rejects)
                let rejected = FileManager.default.contents(atPath: rejects).map { String(decoding: $0, as: UTF8.self) }
                return ImportResult(report: report, rejects: rejected)
            } catch let error as ContactImportError {
                throw Problem.invalid("body", "\(error)".replacingOccurrences(of: file, with: "upload"))
            }
        }

        routes.add(.get, "/contacts") { request, _ in
            let q = QueryParameters(request: request)
            let page = try q.page()
            let cursor = try q.cursor(ContactCursor.init(token:))
            let filter = ContactFilter(status: try status(q.string("status")), campaignID: q.string("campaign_id"))
            let reading = page.reading(byCursor: cursor != nil)
            let contacts = try await store.contacts(ContactQuery(filter: filter, search: q.string("search"), after: cursor,
                                                                 limit: reading.limit, offset: reading.offset))
            return PageResponse(readingOneMore: contacts, page: page, byCursor: cursor != nil) { ContactCursor(phone: $0.phone).token }
        }

        routes.add(.get, "/contacts/export") { request, _ -> Response in
            let q = QueryParameters(request: request)
            let filter = ContactFilter(status: try status(q.string("status")), campaignID: q.string("campaign_id"))
            let store = store
            // Streamed a page of contacts at a time: a million contacts are never in memory at once.
            // A failure past the first bytes can only cut the answer short (the status is sent).
            let body = ResponseBody { writer in
                let exported = try await ContactExporter(store: store).exportCollectingLeads(filter: filter) { data in
                    try await writer.write(ByteBuffer(bytes: data))
                }
                // The retention sweep keeps a lead's call files until it has been exported.
                try await store.markExported(phones: exported.leads, at: Date())
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8",
                                                   .contentDisposition: "attachment; filename=\"contacts.csv\""],
                            body: body)
        }

        routes.add(.get, "/contacts/{phone}") { _, context in
            let phone = try environment.parsePhone(try context.decodedParameter("phone"), field: "phone")
            guard let contact = try await store.contact(phone: phone) else { throw Problem.notFound("no contact with phone \(phone)") }
            return JSONBody(contact)
        }

        // GDPR erasure (admin keys only, as every change): as `minibot contacts forget --yes`.
        routes.add(.delete, "/contacts/{phone}") { _, context in
            let phone = try environment.parsePhone(try context.decodedParameter("phone"), field: "phone")
            let report: ContactEraser.Report
            do {
                report = try await ContactEraser(store: store, dataDirectory: environment.config.dataDir).forget(phone: phone, now: Date())
            } catch let refusal as ContactEraser.Refusal {
                throw Problem(.conflict, "\(refusal)")
            }
            if !report.failures.isEmpty {
                environment.logger.error("erasure left files behind", metadata: ["files": "\(report.failures)"])
            }
            return JSONBody(report)
        }
    }

    func status(_ text: String?) throws -> ContactStatus? {
        guard let text else { return nil }
        guard let status = ContactStatus(lenient: text) else {
            throw Problem.invalid("status", "must be one of \(ContactStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return status
    }
}

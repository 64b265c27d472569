import Foundation
import Hummingbird
import MiniBotStore

/// The opt-out list (Bloctel-style): list, check a number, add a number, remove a number or hash.
struct OptOutRoutes {
    let environment: APIEnvironment
    var store: any Store { environment.store }

    struct AddRequest: Decodable {
        var phone: String
        var source: String?
    }

    struct Added: ResponseEncodable {
        var key: String
        var added: Bool
    }

    struct Checked: ResponseEncodable {
        var phone: String
        var optedOut: Bool
        enum CodingKeys: String, CodingKey { case phone, optedOut = "opted_out" }
    }

    func register(_ routes: RouteTable) {
        routes.add(.get, "/optouts") { request, _ in
            let q = QueryParameters(request: request)
            let page = try q.page()
            let cursor = try q.cursor(OptOutCursor.init(token:))
            let reading = page.reading(byCursor: cursor != nil)
            let entries = try await store.optOuts(after: cursor, limit: reading.limit, offset: reading.offset)
            return PageResponse(readingOneMore: entries, page: page, byCursor: cursor != nil) { OptOutCursor(after: $0).token }
        }

        routes.add(.post, "/optouts") { request, context -> EditedResponse<Added> in
            var request = request
            let body = try await request.decodeJSON(AddRequest.self, context: context)
            let phone = try environment.parsePhone(body.phone, field: "phone")
            let added = try await store.addOptOuts([.number(phone, source: body.source ?? "api", at: Date())])
            return EditedResponse(status: added > 0 ? .created : .ok, response: Added(key: phone, added: added > 0))
        }

        // What the dialer checks before every call: the number, its hash, the contact's own flag.
        routes.add(.get, "/optouts/{key}") { _, context -> Checked in
            let text = try context.decodedParameter("key")
            guard !OptOutEntry.isHash(text) else { throw Problem.invalid("key", "a hash cannot be checked: give the phone number") }
            let phone = try environment.parsePhone(text, field: "key")
            return Checked(phone: phone, optedOut: try await store.isOptedOut(phone: phone))
        }

        routes.add(.delete, "/optouts/{key}") { _, context -> Response in
            let text = try context.decodedParameter("key")
            let key = OptOutEntry.isHash(text) ? text : try environment.parsePhone(text, field: "key")
            guard try await store.removeOptOut(key: key) else { throw Problem.notFound("\(key) is not on the opt-out list") }
            return Response(status: .noContent)
        }
    }
}

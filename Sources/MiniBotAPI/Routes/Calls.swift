import Foundation
import Hummingbird
import MiniBotCore
import MiniBotStore

/// The calls: list with filters, one with its interactions, and launching
/// one call (queued first in its campaign).
struct CallRoutes {
    let environment: APIEnvironment
    var store: any Store { environment.store }

    /// A call with its turns, as `GET /calls/{call_id}` answers: the call's
    /// members with `interactions` among them.
    struct CallDetail: JSONWritable {
        var call: Call
        var interactions: [CallInteraction]

        func write(to json: inout JSONWriter) {
            call.write(to: &json, interactions: interactions)
        }
    }

    struct LaunchRequest: Decodable {
        var phone: String
        var campaignID: String
        enum CodingKeys: String, CodingKey { case phone, campaignID = "campaign_id" }
    }

    struct Launched: ResponseEncodable {
        var campaignID: String
        var phone: String
        var queued: Bool
        var queueStatus: QueueStatus?
        enum CodingKeys: String, CodingKey { case phone, queued, campaignID = "campaign_id", queueStatus = "queue_status" }
    }

    /// Priority of a call launched by hand: ahead of any campaign's own rows.
    static let launchPriority = 1_000_000

    func register(_ routes: RouteTable) {
        routes.add(.get, "/calls") { request, _ in
            let q = QueryParameters(request: request)
            let page = try q.page()
            let cursor = try q.cursor(CallCursor.init(token:))
            var phone: String?
            if let lead = q.string("phone") {
                phone = try environment.parsePhone(lead, field: "phone")
            }
            let reading = page.reading(byCursor: cursor != nil)
            var query = CallQuery(campaignID: q.string("campaign_id"), status: try q.enumeration("status", CallStatus.self),
                                  phone: phone, isLead: try q.bool("lead"), from: try q.date("from"), to: try q.date("to"),
                                  after: cursor, limit: reading.limit, offset: reading.offset)
            query.countsTotal = false
            var response = PageResponse(readingOneMore: try await store.calls(query).calls, page: page, byCursor: cursor != nil) {
                CallCursor(after: $0).token
            }
            // The total, at most summaryMaxAge old: counting a million rows on every page is what makes listings slow.
            let filter = query.filterOnly
            let total = try await environment.recent.totals.value(filter) { try await store.countCalls(filter) }
            response.total = cursor == nil ? max(total, page.offset + response.items.count) : total
            return JSONResponse(response)
        }

        routes.add(.get, "/calls/{call_id}") { _, context in
            let id = try context.parameters.require("call_id")
            guard let call = try await store.call(id: id) else { throw Problem.notFound("no call with id \(id)") }
            return JSONResponse(CallDetail(call: call, interactions: try await store.interactions(callID: id)))
        }

        routes.add(.post, "/calls/launch") { request, context -> EditedResponse<Launched> in
            var request = request
            let body = try await request.decodeJSON(LaunchRequest.self, context: context)
            let phone = try environment.parsePhone(body.phone, field: "phone")
            guard let campaign = try await store.campaign(id: body.campaignID) else {
                throw Problem.invalid("campaign_id", "no campaign with id \(body.campaignID)")
            }
            guard campaign.status == .active || campaign.status == .paused else {
                throw Problem(.conflict, "campaign \(campaign.id) is \(campaign.status.rawValue): it places no more calls")
            }
            if try await store.isOptedOut(phone: phone) {
                throw Problem(.conflict, "\(phone) is on the opt-out list")
            }
            if try await store.contact(phone: phone) == nil {
                let parsed = try environment.phoneParser.parse(phone)
                try await store.importContacts { sink in try await sink.upsert([ContactUpsert(phone: parsed)], at: Date()) }
            }
            let queued = try await store.enqueue(campaignID: campaign.id, selection: ContactSelection(
                statuses: [], phones: [phone], priority: Self.launchPriority, maxAttempts: campaign.settings.maxAttempts), at: Date())
            let entry = try await store.queueEntry(campaignID: campaign.id, phone: phone)
            return EditedResponse(status: .accepted, response: Launched(campaignID: campaign.id, phone: phone, queued: queued > 0,
                                                                        queueStatus: entry?.status))
        }
    }
}

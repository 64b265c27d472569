import Foundation
import MiniBotCore

/// One server-sent event: its name and its JSON data.
struct LiveEvent: Equatable {
    var name: String
    var data: String

    /// The event as `text/event-stream` writes it.
    var wireFormat: String { "event: \(name)\ndata: \(data)\n\n" }
}

/// Turns successive snapshots of the store (the latest calls, the campaigns)
/// into events: a call that appeared or changed status, a campaign whose
/// status or counters changed. The first snapshot is the baseline and gives
/// no events. A value type fed snapshots, so it is tested without a store.
struct LiveEventTracker {
    private var calls: [String: CallStatus]?
    private var campaigns: [String: Campaign] = [:]

    mutating func update(calls latest: [Call], campaigns current: [Campaign]) -> [LiveEvent] {
        defer {
            calls = Dictionary(latest.map { ($0.callID, $0.status) }, uniquingKeysWith: { first, _ in first })
            campaigns = Dictionary(current.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        }
        guard let known = calls else { return [] }
        var events: [LiveEvent] = []
        for campaign in current {
            let before = campaigns[campaign.id]
            if before == nil || before?.status != campaign.status || before?.counters != campaign.counters {
                events.append(LiveEvent(name: "campaign", data: Self.json(campaign)))
            }
        }
        for call in latest.reversed() where known[call.callID] != call.status {
            events.append(LiveEvent(name: "call", data: Self.json(call)))
        }
        return events
    }

    static func json(_ value: some Encodable) -> String {
        var encoder: JSONEncoder { APIJSON.encoder }
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

import Foundation
import Hummingbird
import HummingbirdTesting
import MiniBotCore
import MiniBotStore
import MiniBotTestSupport
import Testing
@testable import MiniBotAPI

@Suite("Live events")
struct EventTests {
    func call(_ id: String, _ status: CallStatus) -> Call {
        Call(callID: id, phone: "+33611111111", campaignID: "c1", status: status, startedAt: testDate)
    }

    @Test("the tracker: a baseline, then new calls, status changes and campaign changes")
    func tracker() {
        var tracker = LiveEventTracker()
        let campaign = Campaign(id: "c1", name: "c1", scenario: "universal", createdAt: testDate, updatedAt: testDate)
        #expect(tracker.update(calls: [call("a", .dialing)], campaigns: [campaign]).isEmpty)
        #expect(tracker.update(calls: [call("a", .dialing)], campaigns: [campaign]).isEmpty)
        let events = tracker.update(calls: [call("b", .dialing), call("a", .answered)], campaigns: [campaign])
        #expect(events.map(\.name) == ["call", "call"] && events[0].data.contains(#""call_id":"a""#) && events[1].data.contains(#""call_id":"b""#))
        var paused = campaign
        paused.status = .paused
        let changed = tracker.update(calls: [call("b", .dialing), call("a", .answered)], campaigns: [paused])
        #expect(changed.map(\.name) == ["campaign"] && changed[0].data.contains(#""status":"paused""#))
        #expect(changed[0].wireFormat.hasPrefix("event: campaign\ndata: {") && changed[0].wireFormat.hasSuffix("}\n\n"))
    }

    @Test("GET /events streams a call as it is saved", arguments: Backend.available)
    func stream(_ backend: Backend) async throws {
        try await withAPI(backend) { api in
            try await seedCalls(api.store)
            let store = api.store
            let writer = Task {
                try await Task.sleep(for: .milliseconds(1500))
                try await store.saveCall(Call(callID: "live", phone: "+33622222222", campaignID: "c1", status: .ringing, startedAt: Date()))
            }
            let response = try await api.get("/events?max_events=1", key: api.read)
            try await writer.value
            #expect(response.status == .ok && response.headers[.contentType] == "text/event-stream")
            #expect(response.text.hasPrefix(": connected\n\nevent: call\ndata: {") && response.text.contains(#""call_id":"live""#), "\(response.text)")
        }
    }
}

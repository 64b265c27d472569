import Foundation
import Hummingbird
import MiniBotStore
import ServiceLifecycle

/// `GET /events`: a server-sent event stream of call and campaign changes,
/// read from the store every ``APIEnvironment/eventInterval`` (so it sees
/// what every worker does). `max_events` ends the stream after that many.
public struct EventRoutes: Sendable {
    let environment: APIEnvironment

    func register(_ routes: RouteTable) {
        routes.add(.get, "/events") { request, _ -> Response in
            let limit = try QueryParameters(request: request).int("max_events", default: .max, in: 1...Int.max)
            return Self.stream(environment: environment, limit: limit)
        }
    }

    /// The event stream as a response; the web panel serves the same one to its logged-in users.
    public static func stream(environment: APIEnvironment, limit: Int = .max) -> Response {
        let body = ResponseBody { writer in
            var tracker = LiveEventTracker()
            var sent = 0
            var quiet = Duration.zero
            try await writer.write(ByteBuffer(string: ": connected\n\n"))
            while sent < limit && !Task.isCancelled && !Task.isShuttingDownGracefully {
                let calls = try await environment.store.calls(CallQuery(limit: 100)).calls
                let events = tracker.update(calls: calls, campaigns: try await environment.store.campaigns())
                for event in events.prefix(limit - sent) {
                    try await writer.write(ByteBuffer(string: event.wireFormat))
                    sent += 1
                }
                if sent >= limit { break }
                quiet = events.isEmpty ? quiet + environment.eventInterval : .zero
                if quiet >= .seconds(15) {
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    quiet = .zero
                }
                try? await Task.sleep(for: environment.eventInterval)
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }
}

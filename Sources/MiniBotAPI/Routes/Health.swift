import Foundation
import Hummingbird

/// `GET /health`: the database's and telephony's states, without a key and
/// without anything sensitive (no versions, URLs, paths or errors).
struct HealthRoutes {
    let environment: APIEnvironment

    struct Health: ResponseEncodable {
        struct Part: Codable { var state: ComponentState }
        var status: String
        var database: Part
        var telephony: Part
    }

    func register(_ routes: RouteTable) {
        routes.add(.get, "/health") { _, _ -> Response in
            let database: ComponentState = (try? await environment.store.schemaVersion()) != nil ? .up : .down
            let telephony = await environment.telephony()
            let health = Health(status: database == .up && telephony != .down ? "ok" : "degraded",
                                database: .init(state: database), telephony: .init(state: telephony))
            let data = try APIJSON.encoder.encode(health)
            return Response(status: database == .up ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }
}

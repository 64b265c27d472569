import Foundation
import Hummingbird
import MiniBotTestSupport
import Testing
@testable import MiniBotAPI

/// API keys: who may call what.
@Suite("API keys and scopes")
struct AuthTests {
    @Test("public routes answer without a key", arguments: ["/health", "/openapi.json", "/docs", "/redoc"])
    func publicRoutes(_ path: String) async throws {
        try await withAPI(.sqlite) { api async throws in
            #expect(try await api.send(.get, path, key: nil).status == .ok)
        }
    }

    @Test("every other documented route refuses a request without a key, as problem+json", arguments: Backend.available)
    func everyRouteNeedsAKey(_ backend: Backend) async throws {
        try await withAPI(backend) { api in
            for route in api.routes where !APIKeyAuth.isPublic(route.path) {
                let uri = route.path.replacingOccurrences(of: "{call_id}", with: "x").replacingOccurrences(of: "{campaign_id}", with: "x")
                    .replacingOccurrences(of: "{filename}", with: "x.wav").replacingOccurrences(of: "{phone}", with: "0612345678")
                    .replacingOccurrences(of: "{key}", with: "0612345678").replacingOccurrences(of: "{name}", with: "universal")
                let response = try await api.send(HTTPRequest.Method(route.method)!, uri, key: nil)
                #expect(response.status == .unauthorized, "\(route)")
                #expect(response.isProblem && response.headers[.wwwAuthenticate] == "Bearer", "\(route)")
            }
        }
    }

    @Test("a wrong scheme, an unknown key and a revoked key are refused", arguments: Backend.available)
    func badKeys(_ backend: Backend) async throws {
        try await withAPI(backend) { api in
            let basic = try await api.send(.get, "/calls", key: nil, headers: [.authorization: "Basic \(api.admin)"])
            #expect(basic.status == .unauthorized && basic.object["status"] as? Int == 401)
            #expect(try await api.send(.get, "/calls", key: "mbk_" + String(repeating: "0", count: 64)).status == .unauthorized)
            #expect(try await api.send(.get, "/calls", key: "").status == .unauthorized)
            #expect(try await api.get("/calls").status == .ok)
            let id = try #require(try await api.store.apiKeys().first { $0.name == "admin" }?.id)
            #expect(try await api.store.revokeAPIKey(id: id, at: Date()))
            #expect(try await api.get("/calls").status == .unauthorized)
        }
    }

    @Test("a valid key is kept a while: revoked elsewhere it is refused once that while is over, revoked here at once",
          arguments: Backend.available)
    func keptKeys(_ backend: Backend) async throws {
        let cache = APIKeyCache(maxAge: .seconds(600))
        try await withAPI(backend, configure: { $0.apiKeys = cache }) { api in
            #expect(try await api.get("/calls").status == .ok)
            let admin = try #require(try await api.store.apiKeys().first { $0.name == "admin" })
            #expect(try await api.store.revokeAPIKey(id: admin.id, at: Date()))
            #expect(try await api.get("/calls").status == .ok, "kept: no lookup")
            cache.forget(id: admin.id)
            #expect(try await api.get("/calls").status == .unauthorized)
            #expect(try await api.get("/calls").status == .unauthorized, "a refused key is not kept")
        }
        try await withAPI(backend, configure: { $0.apiKeys = APIKeyCache(maxAge: .milliseconds(200)) }) { api in
            #expect(try await api.get("/calls", key: api.read).status == .ok)
            let reader = try #require(try await api.store.apiKeys().first { $0.name == "reader" })
            #expect(try await api.store.revokeAPIKey(id: reader.id, at: Date()))
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await api.get("/calls", key: api.read).status == .unauthorized)
        }
    }

    @Test("a read key reads but cannot change anything", arguments: Backend.available)
    func readScope(_ backend: Backend) async throws {
        try await withAPI(backend) { api in
            try await seedCalls(api.store)
            #expect(try await api.get("/calls", key: api.read).status == .ok)
            #expect(try await api.get("/campaigns/c1", key: api.read).status == .ok)
            let writes: [(HTTPRequest.Method, String, String)] = [
                (.post, "/calls/launch", #"{"phone":"0611111111","campaign_id":"c1"}"#),
                (.post, "/campaigns/create", #"{"name":"x"}"#),
                (.patch, "/campaigns/c1/status", #"{"status":"paused"}"#),
                (.post, "/optouts", #"{"phone":"0611111111"}"#),
                (.delete, "/optouts/0611111111", ""),
                (.post, "/contacts/import", "phone\n0633333333\n"),
            ]
            for (method, path, body) in writes {
                let response = try await api.send(method, path, key: api.read, json: body)
                #expect(response.status == .forbidden && response.isProblem, "\(method) \(path)")
            }
            #expect(try await api.store.campaign(id: "c1")?.status == .active)
            #expect(try await api.store.queueSummary(campaignID: "c1")[.pending] == 0)
            #expect(try await api.store.optOuts(limit: 10, offset: 0).isEmpty)
            // The admin key may.
            #expect(try await api.send(.patch, "/campaigns/c1/status", key: api.admin, json: #"{"status":"paused"}"#).status == .ok)
        }
    }

    @Test("keys are stored as the SHA-256 of a 32-byte secret")
    func hashing() {
        let (record, secret) = APIKeySecret.generate(name: "n", scope: .read)
        #expect(secret.hasPrefix("mbk_") && secret.count == 4 + 64)
        #expect(record.hash == APIKeySecret.hash(secret) && record.hash.count == 64 && !record.hash.contains(secret))
        #expect(APIKeySecret.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(APIKeySecret.generate(name: "n", scope: .read).secret != secret)
    }
}

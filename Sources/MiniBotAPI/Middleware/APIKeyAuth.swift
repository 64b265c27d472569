import Crypto
import Foundation
import Hummingbird
import MiniBotStore

/// Requires `Authorization: Bearer KEY` on every route but the public ones;
/// keys with the `read` scope may only GET (and HEAD).
struct APIKeyAuth: RouterMiddleware {
    typealias Context = APIRequestContext
    let store: any Store
    let cache: APIKeyCache

    /// Routes anyone may call: they tell nothing sensitive.
    static let publicPaths: Set<String> = ["/health", "/openapi.json", "/docs", "/redoc"]

    /// A public route, or one of the documentation pages' files.
    static func isPublic(_ path: String) -> Bool {
        publicPaths.contains(path) || path.hasPrefix("/docs/assets/")
    }

    /// The web panel's pages (MiniBotWeb): they check their own session cookie instead of a key.
    static func isPanelPath(_ path: String) -> Bool {
        path == "/" || path == "/panel" || path.hasPrefix("/panel/")
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.isPublic(request.uri.path) || Self.isPanelPath(request.uri.path) { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            throw Problem(.unauthorized, "an API key is required: Authorization: Bearer KEY (minibot apikey create)")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Problem(.unauthorized, "the Authorization header must be: Bearer KEY")
        }
        let secret = parts[1].trimmingCharacters(in: .whitespaces)
        guard !secret.isEmpty, let key = try await validKey(hash: APIKeySecret.hash(secret)) else {
            throw Problem(.unauthorized, "unknown or revoked API key")
        }
        if key.scope == .read && request.method != .get && request.method != .head {
            throw Problem(.forbidden, "this API key has the read scope; changes need an admin key")
        }
        var context = context
        context.apiKey = key
        return try await next(request, context)
    }

    /// The unrevoked key with this hash: from the cache, else from the store (and then kept).
    func validKey(hash: String) async throws -> APIKeyRecord? {
        if let key = cache.key(hash: hash, now: .now) { return key }
        guard let key = try await store.apiKey(hash: hash), key.revokedAt == nil else { return nil }
        cache.remember(key, hash: hash, now: .now)
        return key
    }
}

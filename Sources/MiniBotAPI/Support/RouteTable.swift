import Hummingbird

/// Adds routes to the router and remembers each (method, path), so the
/// contract test can hold the served routes against the OpenAPI document.
final class RouteTable: @unchecked Sendable {
    // Filled while the router is built, on one task, then only read.
    let router: Router<APIRequestContext>
    private(set) var routes: [RouteDescription] = []

    init(router: Router<APIRequestContext>) {
        self.router = router
    }

    func add<Output: ResponseGenerator>(
        _ method: HTTPRequest.Method, _ path: String,
        _ handler: @escaping @Sendable (Request, APIRequestContext) async throws -> Output
    ) {
        routes.append(RouteDescription(method: method.rawValue, path: path))
        router.on(RouterPath(path), method: method, use: handler)
    }
}

/// A served route, written as the OpenAPI document writes paths (`/calls/{call_id}`).
public struct RouteDescription: Hashable, Sendable, CustomStringConvertible {
    public var method: String
    public var path: String
    public var description: String { "\(method) \(path)" }
}

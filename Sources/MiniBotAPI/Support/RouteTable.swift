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

    /// The methods served at a concrete path (`/calls/c-1` matches `/calls/{call_id}`), sorted.
    /// As in the router, a literal segment wins over a parameter at the same
    /// place: `/calls/launch` is `POST /calls/launch`, not `GET /calls/{call_id}`.
    func methods(servedAt path: String) -> [String] {
        let matching = routes.filter { $0.matches(path) }
        guard let best = matching.map(\.literalSegments).max(by: { $0.lexicographicallyPrecedes($1) }) else { return [] }
        return Set(matching.filter { $0.literalSegments == best }.map(\.method)).sorted()
    }
}

/// A served route, written as the OpenAPI document writes paths (`/calls/{call_id}`).
public struct RouteDescription: Hashable, Sendable, CustomStringConvertible {
    public var method: String
    public var path: String
    public var description: String { "\(method) \(path)" }

    /// True when a concrete path fits this route's template: a `{name}` stands
    /// for one non-empty segment, or for its middle when text surrounds it
    /// (`{call_id}.json`).
    /// 1 for each literal segment, 0 for each parameter.
    var literalSegments: [Int] {
        path.split(separator: "/", omittingEmptySubsequences: false).map { $0.contains("{") ? 0 : 1 }
    }

    func matches(_ concrete: String) -> Bool {
        let template = path.split(separator: "/", omittingEmptySubsequences: false)
        let given = concrete.split(separator: "/", omittingEmptySubsequences: false)
        guard template.count == given.count else { return false }
        return zip(template, given).allSatisfy { pattern, segment in
            guard let open = pattern.firstIndex(of: "{"), let close = pattern.firstIndex(of: "}") else { return pattern == segment }
            let prefix = pattern[..<open], suffix = pattern[pattern.index(after: close)...]
            return segment.count > prefix.count + suffix.count && segment.hasPrefix(prefix) && segment.hasSuffix(suffix)
        }
    }
}

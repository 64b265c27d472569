import Hummingbird
import Logging

/// The API's router: problem+json errors, API keys, and every route.
public struct APIRouter {
    public let router: Router<APIRequestContext>
    /// Every route served, as the OpenAPI document writes them.
    public let routes: [RouteDescription]

    public init(environment: APIEnvironment) {
        let router = Router(context: APIRequestContext.self)
        let table = RouteTable(router: router)
        router.add(middleware: ProblemMiddleware(logger: environment.logger, routes: table))
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: APIKeyAuth(store: environment.store, cache: environment.apiKeys))
        HealthRoutes(environment: environment).register(table)
        DocsRoutes(environment: environment).register(table)
        CallRoutes(environment: environment).register(table)
        CallFileRoutes(environment: environment).register(table)
        CampaignRoutes(environment: environment).register(table)
        StatsRoutes(environment: environment).register(table)
        ContactRoutes(environment: environment).register(table)
        OptOutRoutes(environment: environment).register(table)
        ScenarioRoutes(environment: environment).register(table)
        MetricsRoutes(environment: environment).register(table)
        EventRoutes(environment: environment).register(table)
        self.router = router
        self.routes = table.routes
    }
}

/// The HTTP server for `minibot serve`, a service for a ServiceGroup.
/// `extraRoutes` adds routes beside the API's (the web panel, under `/panel`).
public func makeAPIApplication(environment: APIEnvironment, host: String, port: Int,
                               extraRoutes: (Router<APIRequestContext>) -> Void = { _ in }) -> some ApplicationProtocol {
    let router = APIRouter(environment: environment).router
    extraRoutes(router)
    return Application(router: router,
                configuration: .init(address: .hostname(host, port: port), serverName: "MiniBotPanel"),
                logger: environment.logger)
}

import Foundation
import Logging
import MiniBotCore
import MiniBotStore
import Prometheus

/// What the routes need, passed in by whoever runs the API (`minibot serve`, the tests).
public struct APIEnvironment: Sendable {
    public var store: any Store
    public var config: MiniBotConfig
    /// The telephony side's state, as ``/health`` reports it.
    public var telephony: @Sendable () async -> ComponentState
    /// Check that a scenario's prompt files exist when a campaign is created
    /// through the API (as `minibot campaign create` does).
    public var checkPrompts: Bool
    public var logger: Logger
    /// Where `/metrics` reads from; `minibot serve` bootstraps swift-metrics on the same registry.
    public var metrics: PrometheusCollectorRegistry
    /// The folder with Swagger UI's and ReDoc's files (`scripts/setup` puts
    /// them in `.deps/api-docs`); nil: `/docs` and `/redoc` are plain lists.
    public var docsAssets: String? = CheckoutFile.locate(".deps/api-docs/swagger-ui-bundle.js")
        .map { ($0 as NSString).deletingLastPathComponent }
    /// How often `/events` reads the store for changes.
    public var eventInterval: Duration = .seconds(1)
    /// How old `/stats/summary` and a call listing's total may be (they are
    /// refreshed in the background; see ``RecentAnswers``); zero: always fresh.
    public var summaryMaxAge: Duration = .seconds(2) {
        didSet { recent = Recent(maxAge: summaryMaxAge) }
    }
    /// Valid API keys, kept a second (``APIKeyCache``): a key revoked by
    /// another process is refused within that second; zero: looked up on every request.
    public var apiKeys = APIKeyCache(maxAge: .seconds(1))
    /// The kept answers.
    var recent = Recent(maxAge: .seconds(2))

    struct Recent: Sendable {
        let summaries: RecentAnswers<String, StatsSummary>
        /// A listing's total, by its filters.
        let totals: RecentAnswers<CallQuery, Int>
        init(maxAge: Duration) {
            summaries = RecentAnswers(maxAge: maxAge, capacity: 1)
            totals = RecentAnswers(maxAge: maxAge)
        }
    }

    public init(store: any Store, config: MiniBotConfig, checkPrompts: Bool = true, logger: Logger,
                metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
                telephony: @escaping @Sendable () async -> ComponentState = { .unknown }) {
        self.metrics = metrics
        self.store = store
        self.config = config
        self.checkPrompts = checkPrompts
        self.logger = logger
        self.telephony = telephony
    }

    var phoneParser: PhoneNumberParser {
        PhoneNumberParser(defaultRegion: NumberingRegion.named(config.phone.defaultRegion) ?? .named("FR")!,
                          rejectPremiumRate: config.phone.rejectPremiumRate)
    }

    /// `text` as an E.164 number, or a 422 naming `field`.
    func parsePhone(_ text: String, field: String) throws -> String {
        do {
            return try phoneParser.parse(text).e164
        } catch {
            throw Problem.invalid(field, "\(error)")
        }
    }
}

/// The state of one part of the service, as ``/health`` reports it.
public enum ComponentState: String, Codable, Sendable {
    case up, down, idle, unknown
}

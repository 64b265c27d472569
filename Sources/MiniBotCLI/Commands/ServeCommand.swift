import ArgumentParser
import Foundation
import Logging
import MiniBotAPI
import MiniBotCore
import MiniBotStore
import Metrics
import Prometheus
import ServiceLifecycle
import Synchronization

/// `minibot serve`: the HTTP API and the dialer, as services of one group
/// that SIGTERM or Ctrl-C shuts down gracefully.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API and dial the active campaigns.",
        discussion: """
        The API listens on api.host:api.port (127.0.0.1:8000 unless configured); every route but /health, \
        /openapi.json, /docs and /redoc needs an API key (minibot apikey create). The dialer works like \
        `minibot worker`: active campaigns oldest first, then waits for new ones. SIGTERM or Ctrl-C stops \
        accepting requests and new calls; the calls in progress get --grace to finish.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Address to listen on (default: api.host).")
    var host: String?

    @Option(help: "Port to listen on (default: api.port).")
    var port: Int?

    @Flag(help: "Serve the API only; do not dial.")
    var noDialer = false

    @Option(help: "Seconds the calls in progress get to finish after Ctrl-C or SIGTERM.")
    var grace: Double = 60

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be in 0…65535") }
    }

    func run() async throws {
        let runtime = try Runtime(global)
        let host = host ?? runtime.config.api.host
        let port = port ?? runtime.config.api.port
        try await runtime.withStore { store in
            let dialer = noDialer ? nil : DialerService(runtime: runtime, store: store, grace: .seconds(grace))
            // Only the executable chooses the metrics backend: Prometheus, read by GET /metrics.
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            let environment = APIEnvironment(store: store, config: runtime.config, logger: runtime.logger, metrics: registry) {
                dialer?.state.withLock { $0 } ?? .unknown
            }
            let api = makeAPIApplication(environment: environment, host: host, port: port)
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: api, serviceName: "api")]
            if let dialer {
                // A dialer that stops (its grace spent) must not take the API down before the group does.
                services.append(.init(service: dialer, successTerminationBehavior: .gracefullyShutdownGroup,
                                      failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: "dialer"))
            }
            Output.error("minibot serve: API on http://\(host):\(port)\(noDialer ? "" : ", dialing active campaigns")\n")
            let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint],
                                                          logger: runtime.logger))
            try await group.run()
        }
    }
}

/// The dialer as a service: like `minibot worker`, one active campaign at a
/// time, oldest first; waits for campaigns when there are none. Its state
/// is what `/health` reports for telephony.
final class DialerService: Service, Sendable {
    let runtime: Runtime
    let store: any Store
    let grace: Duration
    let state = Mutex(ComponentState.idle)

    init(runtime: Runtime, store: any Store, grace: Duration) {
        self.runtime = runtime
        self.store = store
        self.grace = grace
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let active = try await store.campaigns().filter { $0.status == .active }
            guard let next = active.min(by: { $0.createdAt < $1.createdAt }) else {
                state.withLock { $0 = .idle }
                try? await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: .seconds(self.runtime.config.dialer.queueCheckInterval))
                }
                continue
            }
            do {
                let stack = try DialerStack(runtime: runtime, campaign: next)
                state.withLock { $0 = .up }
                runtime.logger.info("dialing", metadata: ["campaign_id": "\(next.id)"])
                // DialerStack watches SIGTERM/SIGINT itself and lets the calls in progress finish.
                let ending = try await stack.run(campaign: next, store: store, grace: grace)
                Self.keepSignalsForTheGroup()
                if ending == .stopped { break }
            } catch {
                Self.keepSignalsForTheGroup()
                state.withLock { $0 = .down }
                runtime.logger.error("dialer failed; retrying", metadata: ["campaign_id": "\(next.id)", "error": "\(error)"])
                try? await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: .seconds(max(5, self.runtime.config.dialer.queueCheckInterval)))
                }
            }
        }
        state.withLock { $0 = .idle }
    }

    /// DialerStack's signal watcher restores the default actions when a run
    /// ends, which would make the next SIGTERM kill the process outright;
    /// ignoring them again leaves them to the ServiceGroup's handlers.
    static func keepSignalsForTheGroup() {
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
    }
}

import ArgumentParser
import Foundation
import Logging
import MiniBotAPI
import MiniBotCore
import MiniBotDialer
import MiniBotStore
import MiniBotWeb
import Metrics
import Prometheus
import ServiceLifecycle
import Synchronization

/// `minibot serve`: the HTTP API, the dialer and webhook delivery, as services of one group
/// that SIGTERM or Ctrl-C shuts down gracefully.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API and dial the active campaigns.",
        discussion: """
        The API listens on api.host:api.port (127.0.0.1:8000 unless configured); every route but /health, \
        /openapi.json, /docs and /redoc needs an API key (minibot apikey create). The dialer works like \
        `minibot worker`: active campaigns oldest first, then waits for new ones. Once a day it deletes the files of \
        calls older than retention.days (as `minibot cleanup`; retention.days 0 turns this off). With `webhooks:` \
        configured, it also posts each ended call and lead to them, from the event log in the database. SIGTERM or \
        Ctrl-C stops accepting requests and new calls; the calls in progress get --grace to finish.
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

    @Flag(help: "Believe X-Forwarded-Proto: https from a reverse proxy that ends TLS (the panel's cookies become Secure).")
    var trustForwardedProto = false

    @Flag(help: "Mark the panel's cookies Secure on every request (the panel is only reached over HTTPS).")
    var secureCookies = false

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be in 0…65535") }
    }

    func run() async throws {
        let runtime = try Runtime(global)
        let host = host ?? runtime.config.api.host
        let port = port ?? runtime.config.api.port
        try await runtime.withStore { store in
            let relay = ShutdownSignals()
            let dialer = noDialer ? nil : DialerService(runtime: runtime, store: store, grace: .seconds(grace), signals: relay)
            // Only the executable chooses the metrics backend: Prometheus, read by GET /metrics.
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            let environment = APIEnvironment(store: store, config: runtime.config, logger: runtime.logger, metrics: registry) {
                dialer?.state.withLock { $0 } ?? .unknown
            }
            let panel = try WebPanel(environment: environment, configuration: PanelConfiguration(
                runtime.config.panel, cookies: CookiePolicy(trustForwardedProto: trustForwardedProto, alwaysSecure: secureCookies)))
            let api = makeAPIApplication(environment: environment, host: host, port: port) { panel.register(on: $0) }
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: api, serviceName: "api")]
            if let dialer {
                // A dialer that stops (its grace spent) must not take the API down before the group does.
                services.append(.init(service: dialer, successTerminationBehavior: .gracefullyShutdownGroup,
                                      failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: "dialer"))
            }
            if !runtime.config.webhooks.isEmpty {
                let owner = "\(ProcessInfo.processInfo.hostName)-\(getpid())"
                services.append(.init(service: WebhookService(store: store, endpoints: runtime.config.webhooks, owner: owner,
                                                              logger: runtime.logger), serviceName: "webhooks"))
            }
            if runtime.config.retention.days > 0 {
                // Last in the list, so it is the first to stop on shutdown.
                let sweeper = RetentionSweeper(store: store, dataDirectory: runtime.config.dataDir)
                services.append(.init(service: RetentionService(sweeper: sweeper, days: runtime.config.retention.days, logger: runtime.logger),
                                      successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore,
                                      serviceName: "retention"))
            }
            Output.error("minibot serve: panel on http://\(host):\(port)/panel (minibot user create), API on http://\(host):\(port)\(noDialer ? "" : ", dialing active campaigns")\n")
            let group = ServiceGroup(configuration: .init(services: services, logger: runtime.logger))
            relay.shutDown = { Task { await group.triggerGracefulShutdown() } }
            await relay.arm()
            defer { relay.disarm() }
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
    let signals: ShutdownSignals

    init(runtime: Runtime, store: any Store, grace: Duration, signals: ShutdownSignals) {
        self.runtime = runtime
        self.store = store
        self.grace = grace
        self.signals = signals
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let active: [Campaign]
            do {
                active = try await store.campaigns().filter { $0.status == .active }
            } catch {
                // The database may come back: keep the API up and look again.
                state.withLock { $0 = .down }
                runtime.logger.error("dialer cannot read the campaigns; retrying", metadata: ["error": "\(error)"])
                await pause(seconds: max(5, runtime.config.dialer.queueCheckInterval))
                continue
            }
            guard let next = active.min(by: { $0.createdAt < $1.createdAt }) else {
                state.withLock { $0 = .idle }
                await pause(seconds: runtime.config.dialer.queueCheckInterval)
                continue
            }
            do {
                let stack = try DialerStack(runtime: runtime, campaign: next)
                state.withLock { $0 = .up }
                runtime.logger.info("dialing", metadata: ["campaign_id": "\(next.id)"])
                let ending = try await run(stack, next)
                signals.restore()
                if ending == .stopped { break }
            } catch {
                signals.restore()
                state.withLock { $0 = .down }
                runtime.logger.error("dialer failed; retrying", metadata: ["campaign_id": "\(next.id)", "error": "\(error)"])
                await pause(seconds: max(5, runtime.config.dialer.queueCheckInterval))
            }
        }
        state.withLock { $0 = .idle }
    }

    /// Runs one campaign. DialerStack watches SIGTERM/SIGINT itself (letting
    /// the calls in progress finish), but sets them to SIG_IGN as it starts,
    /// which would silence every Dispatch signal source: putting Dispatch's
    /// handler back once the run has started lets both its watcher and
    /// ``ShutdownSignals`` hear them.
    private func run(_ stack: DialerStack, _ campaign: Campaign) async throws -> CampaignRunner.Ending {
        try await withThrowingTaskGroup(of: CampaignRunner.Ending?.self) { group in
            group.addTask {
                // /health says telephony is down while the backend is (Asterisk gone), up again when it is back.
                try await stack.run(campaign: campaign, store: self.store, grace: self.grace) { runner in
                    let down = await runner.telephonyDown != nil
                    self.state.withLock { $0 = down ? .down : .up }
                }
            }
            group.addTask {
                for delay in [0.2, 1.0, 3.0] {
                    try? await Task.sleep(for: .seconds(delay))
                    self.signals.restore()
                }
                return nil
            }
            var ending: CampaignRunner.Ending?
            for try await result in group where result != nil { ending = result }
            return ending ?? .stopped
        }
    }

    /// Waits, or less when the group shuts down.
    private func pause(seconds: Double) async {
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(seconds)) }
    }

}

/// SIGTERM and SIGINT for `serve`: the first shuts the service group down
/// gracefully, a second exits at once. DialerStack installs its own watcher
/// for each campaign run and, when the run ends, resets both signals to their
/// default action, which would let the next SIGTERM kill the process; the
/// dialer calls ``restore()`` after every run to put back the handler
/// Dispatch installed for these sources. ServiceLifecycle's own signal
/// handling is not used for that reason.
final class ShutdownSignals: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var sources: [any DispatchSourceSignal] = []
    private var saved: [(Int32, sigaction)] = []
    private var received = false
    private var action: (@Sendable () -> Void)?

    /// What the first signal does.
    var shutDown: (@Sendable () -> Void)? {
        get { lock.withLock { action } }
        set { lock.withLock { action = newValue } }
    }

    /// Installs the handlers, once, and remembers the signal actions they set.
    func arm() async {
        var armed: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            #if canImport(Darwin)
            signal(number, SIG_IGN)  // Dispatch reads signals through kqueue there
            #endif
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.fire() }
            await withCheckedContinuation { (registered: CheckedContinuation<Void, Never>) in
                source.setRegistrationHandler { registered.resume() }
                source.resume()
            }
            armed.append(source)
        }
        let actions = [SIGTERM, SIGINT].map { number in
            var current = sigaction()
            sigaction(number, nil, &current)
            return (number, current)
        }
        lock.withLock {
            sources = armed
            saved = actions
        }
    }

    /// Puts back the signal actions `arm()` found.
    func restore() {
        for (number, action) in lock.withLock({ saved }) {
            var action = action
            sigaction(number, &action, nil)
        }
    }

    func disarm() {
        lock.withLock {
            for source in sources { source.cancel() }
            sources = []
        }
    }

    private func fire() {
        let (again, action) = lock.withLock { () -> (Bool, (@Sendable () -> Void)?) in
            defer { received = true }
            return (received, self.action)
        }
        if again { exit(130) }
        Output.error("minibot serve: shutting down (again to stop now)\n")
        action?()
    }
}

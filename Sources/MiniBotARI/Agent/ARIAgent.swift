import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import MiniBotCore
import MiniBotSIP
import NIOCore
import Synchronization

/// Places calls through an existing Asterisk over ARI: originates each call
/// into our Stasis application, and once it is answered bridges it with an
/// `externalMedia` channel whose RTP goes to an ``RTPSession`` of our own —
/// the same media session type as the built-in SIP agent's, so everything
/// after the answer is the same code.
///
/// The events WebSocket is kept up with backoff. When it drops, calls in
/// progress wait ``Configuration/reconnectGrace`` for it: if it comes back,
/// each call's channel is checked and resubscribed; otherwise the calls end
/// with `ARI connection lost: …` as their cause. No call is placed while it is down.
public actor ARIAgent {
    public struct Configuration: Sendable {
        /// `http(s)://host:port` of Asterisk's HTTP server (http.conf), with or without `/ari`.
        public var url: String
        public var username: String
        public var password: String
        /// The Stasis application name (also the events subscription).
        public var app: String
        /// Where our RTP sockets bind, and the address Asterisk is told to send the call's audio to.
        public var mediaHost: String
        public var rtpPorts: ClosedRange<Int>
        /// Backoff between reconnection attempts: from the first to the last, doubling.
        public var reconnectDelays: ClosedRange<Duration>
        /// How long calls in progress wait for a lost events connection to come back.
        public var reconnectGrace: Duration
        /// Read `AMDSTATUS` / `AMDCAUSE` of each answered call (set when the
        /// endpoint's dialplan runs Asterisk's `AMD()`; see ``ARICall/asteriskAMD``).
        public var readsAsteriskAMD: Bool

        public init(url: String, username: String, password: String, app: String = "minibot", mediaHost: String = "127.0.0.1",
                    rtpPorts: ClosedRange<Int> = 30000...39999, reconnectDelays: ClosedRange<Duration> = .milliseconds(250)...(.seconds(5)),
                    reconnectGrace: Duration = .seconds(3), readsAsteriskAMD: Bool = true) {
            self.url = url
            self.username = username
            self.password = password
            self.app = app
            self.mediaHost = mediaHost
            self.rtpPorts = rtpPorts
            self.reconnectDelays = reconnectDelays
            self.reconnectGrace = reconnectGrace
            self.readsAsteriskAMD = readsAsteriskAMD
        }
    }

    /// The events connection, as health checks report it.
    public enum Connection: Sendable, Equatable {
        case connecting(lastError: String?)
        case connected
    }

    public nonisolated let configuration: Configuration
    public nonisolated let client: ARIClient
    private let logger: Logger
    private let ticker = RTPTicker()
    private var calls: [String: Record] = [:]
    /// externalMedia channel → the call it carries.
    private var mediaOwners: [String: String] = [:]
    public private(set) var connection: Connection = .connecting(lastError: nil)
    /// Channels and bridges of calls given up while disconnected: removed once ARI is back.
    private var orphans: [(channels: [String], bridge: String)] = []
    private var disconnectedSince: ContinuousClock.Instant?

    private struct Record {
        var machine: ARIOutboundCall
        var answer: CheckedContinuation<ARICall, any Error>?
        var call: ARICall?
        var rtp: RTPSession?
        var rtpTask: Task<Void, Never>?
        var ringTimer: Task<Void, Never>?
        var mediaChannelID: String
        var bridgeID: String
        var asteriskAMD: AsteriskAMDVerdict?
        var mediaCreated = false
        var bridgeCreated = false
    }

    public init(configuration: Configuration, logger: Logger) throws(ARIError) {
        guard !configuration.app.isEmpty else { throw .configuration("ari.app is empty: name the Stasis application (e.g. minibot)") }
        self.configuration = configuration
        self.client = try ARIClient(url: configuration.url, username: configuration.username, password: configuration.password)
        self.logger = logger
    }

    /// Calls placed and not ended yet.
    public var activeCalls: Int { calls.count }
    /// RTP sessions being ticked (leak checks).
    public nonisolated var tickingSessions: Int { ticker.count }

    // MARK: Running

    /// Keeps the events connection up and ticks the RTP sessions until cancelled;
    /// then ends every call still in progress.
    public func run() async {
        let ticker = self.ticker
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await ticker.run() }
            group.addTask { await self.maintainEvents() }
            await group.next()
            group.cancelAll()
        }
        let left = Array(calls.keys)
        for id in left where calls[id] != nil {
            perform(calls[id]!.machine.connectionLost("the ARI agent stopped"), id: id)
        }
        // Calls still up in Asterisk would outlive us in the Stasis application.
        if connection == .connected {
            for id in left { try? await client.hangup(channelID: id) }
        }
    }

    /// Waits for the events connection; throws ``ARIError/notConnected(_:)`` with the last error after `timeout`.
    public func ready(timeout: Duration = .seconds(10)) async throws(ARIError) {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if connection == .connected { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
        if case .connecting(let error) = connection { throw .notConnected(error ?? "no connection within \(timeout)") }
    }

    /// Nil while calls can be placed; otherwise why not.
    public var unavailability: String? {
        switch connection {
        case .connected: nil
        case .connecting(let error): ARIError.notConnected(error ?? "connecting").description
        }
    }

    private func maintainEvents() async {
        let url = client.eventsURL(app: configuration.app)
        var headers = HTTPFields()
        headers[.authorization] = client.authorization
        let wsConfiguration = WebSocketClientConfiguration(maxFrameSize: 1 << 20, additionalHeaders: headers,
                                                           autoPing: .enabled(timePeriod: .seconds(10)))
        var delay = configuration.reconnectDelays.lowerBound
        var wsLogger = logger
        wsLogger.logLevel = max(logger.logLevel, .info)
        while !Task.isCancelled {
            let opened = Opened()
            let socket = WebSocketClient(url: url, configuration: wsConfiguration, logger: wsLogger) { inbound, _, _ in
                opened.value.store(true, ordering: .relaxed)
                await self.connectionOpened()
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .text(let text) = message else { continue }
                    await self.received(text)
                }
            }
            var reason: String
            do {
                let close = try await socket.run()
                reason = "Asterisk closed the events connection" + (close.map { " (\($0.closeCode))" } ?? "")
            } catch {
                reason = "\(error)"
            }
            if Task.isCancelled { break }
            if !opened.value.load(ordering: .relaxed), let refused = await refusal() { reason = refused }
            connectionClosed(reason)
            if opened.value.load(ordering: .relaxed) { delay = configuration.reconnectDelays.lowerBound }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, configuration.reconnectDelays.upperBound)
        }
    }

    private final class Opened: Sendable {
        let value = Atomic<Bool>(false)
    }

    /// Why the WebSocket upgrade failed, in ARI's words (a wrong password, Asterisk down), when REST can tell.
    private func refusal() async -> String? {
        do {
            _ = try await client.info(timeout: .seconds(2))
            return nil
        } catch {
            return error.description
        }
    }

    private func connectionOpened() {
        let wasDown = disconnectedSince != nil
        connection = .connected
        disconnectedSince = nil
        logger.info("ARI events connected", metadata: ["app": "\(configuration.app)"])
        if wasDown {
            for id in Array(calls.keys) { perform(calls[id]!.machine.reconnected(), id: id) }
        }
        let leftovers = orphans
        orphans = []
        let client = self.client
        if !leftovers.isEmpty {
            Task {
                for orphan in leftovers {
                    for channel in orphan.channels { try? await client.hangup(channelID: channel) }
                    try? await client.destroyBridge(orphan.bridge)
                }
            }
        }
    }

    private func connectionClosed(_ reason: String) {
        let wasUp = connection == .connected
        connection = .connecting(lastError: reason)
        guard wasUp else {
            logger.debug("ARI events connection failed", metadata: ["reason": "\(reason)"])
            return
        }
        logger.warning("ARI events connection lost", metadata: ["reason": "\(reason)", "calls_in_progress": "\(calls.count)"])
        let since = ContinuousClock.now
        disconnectedSince = since
        for id in Array(calls.keys) { perform(calls[id]!.machine.disconnected(), id: id) }
        let grace = configuration.reconnectGrace
        Task {
            try? await Task.sleep(for: grace)
            self.graceOver(since: since, reason: reason)
        }
    }

    private func graceOver(since: ContinuousClock.Instant, reason: String) {
        guard disconnectedSince == since else { return }
        for id in Array(calls.keys) {
            guard let record = calls[id], case .suspended = record.machine.state else { continue }
            orphans.append((channels: [id, record.mediaChannelID], bridge: record.bridgeID))
            perform(calls[id]!.machine.connectionLost("ARI connection lost: \(reason)"), id: id)
        }
    }

    private func received(_ text: String) {
        let event: ARIEvent
        do {
            event = try ARIEvent(json: Data(text.utf8))
        } catch {
            logger.warning("unreadable ARI event", metadata: ["error": "\(error)"])
            return
        }
        logger.trace("ARI event", metadata: ["event": "\(event)"])
        guard let channel = event.channelID else { return }
        if calls[channel] != nil {
            perform(calls[channel]!.machine.received(event), id: channel)
        } else if let owner = mediaOwners[channel], calls[owner] != nil {
            if case .channelDestroyed(_, let cause, let text) = event {
                mediaOwners[channel] = nil
                calls[owner]!.mediaCreated = false
                perform(calls[owner]!.machine.mediaLost("the media channel was destroyed (Q.850 \(cause) \(text))"), id: owner)
            }
        }
    }

    // MARK: Calls

    /// Originates a call to `endpoint` and returns once it is answered and its
    /// audio bridged to our RTP session; throws ``CallFailure`` otherwise.
    public func call(endpoint: String, callerID: String?, ringTimeout: Duration) async throws -> ARICall {
        if let unavailability { throw CallFailure.network(code: nil, reason: unavailability) }
        let id = "minibot-" + UUID().uuidString.lowercased()
        calls[id] = Record(machine: ARIOutboundCall(channelID: id), mediaChannelID: id + "-media", bridgeID: id + "-bridge")
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                calls[id]!.answer = continuation
                calls[id]!.ringTimer = Task {
                    try? await Task.sleep(for: ringTimeout)
                    guard !Task.isCancelled else { return }
                    self.ringTimedOut(id)
                }
                Task { await self.originate(id, endpoint: endpoint, callerID: callerID, ringTimeout: ringTimeout) }
            }
        } onCancel: {
            Task { await self.cancelDial(id) }
        }
    }

    private func originate(_ id: String, endpoint: String, callerID: String?, ringTimeout: Duration) async {
        do {
            // Asterisk's own timeout is a backstop: ours ends the ringing first.
            _ = try await client.originate(endpoint: endpoint, app: configuration.app, channelID: id, callerID: callerID,
                                           timeout: ringTimeout + .seconds(5))
            logger.debug("originated", metadata: ["channel": "\(id)", "endpoint": "\(endpoint)"])
        } catch {
            guard calls[id] != nil else { return }
            perform(calls[id]!.machine.originateFailed(error), id: id)
        }
    }

    private func ringTimedOut(_ id: String) {
        guard calls[id] != nil else { return }
        perform(calls[id]!.machine.ringTimeout(), id: id)
    }

    private func cancelDial(_ id: String) {
        guard calls[id] != nil else { return }
        perform(calls[id]!.machine.cancel(), id: id)
    }

    /// Hangs up an answered call; returns once it is over.
    func hangup(_ id: String) async {
        if calls[id] != nil { perform(calls[id]!.machine.hangup(), id: id) }
    }

    private func perform(_ actions: [ARIOutboundCall.Action], id: String) {
        for action in actions {
            switch action {
            case .connectMedia:
                calls[id]?.ringTimer?.cancel()
                Task { await self.connectMedia(id) }
            case .answered:
                guard let record = calls[id], let rtp = record.rtp else { continue }
                let call = ARICall(channelID: id, rtp: rtp, asteriskAMD: record.asteriskAMD, agent: self)
                calls[id]!.call = call
                calls[id]!.answer = nil
                record.answer?.resume(returning: call)
                logger.info("call answered", metadata: ["channel": "\(id)", "asterisk_amd": "\(record.asteriskAMD.map(\.description) ?? "-")"])
            case .failed(let failure):
                guard let record = calls.removeValue(forKey: id) else { continue }
                teardown(record)
                record.answer?.resume(throwing: failure)
                logger.info("call not answered", metadata: ["channel": "\(id)", "failure": "\(failure)"])
            case .hangup(let reason):
                let client = self.client
                Task {
                    do {
                        try await client.hangup(channelID: id, reason: reason)
                    } catch {
                        self.logger.warning("ARI hangup failed", metadata: ["channel": "\(id)", "error": "\(error)"])
                    }
                    // Without a ChannelDestroyed soon (the channel was already gone), end it anyway.
                    try? await Task.sleep(for: .seconds(5))
                    self.hangupUnconfirmed(id)
                }
            case .ended(let end):
                guard let record = calls.removeValue(forKey: id) else { continue }
                teardown(record)
                record.call?.finish(end)
                logger.info("call ended", metadata: ["channel": "\(id)", "cause": "\(end.cause)"])
            case .resubscribe:
                Task { await self.resubscribe(id) }
            }
        }
    }

    private func hangupUnconfirmed(_ id: String) {
        guard let record = calls[id], case .hangingUp = record.machine.state else { return }
        perform(calls[id]!.machine.connectionLost("hung up (Asterisk sent no ChannelDestroyed)"), id: id)
    }

    private func resubscribe(_ id: String) async {
        do {
            if let channel = try await client.channel(id) {
                try await client.subscribe(app: configuration.app, channelID: id)
                guard calls[id] != nil else { return }
                perform(calls[id]!.machine.resumed(answered: channel.state == "Up"), id: id)
                return
            }
        } catch {
            logger.warning("could not resubscribe to a call's channel", metadata: ["channel": "\(id)", "error": "\(error)"])
        }
        guard calls[id] != nil else { return }
        perform(calls[id]!.machine.connectionLost("ARI connection lost: the channel was gone when the events came back"), id: id)
    }

    /// The answered channel gets an externalMedia twin sending RTP to a new
    /// session of ours; both go into one mixing bridge.
    private func connectMedia(_ id: String) async {
        guard let record = calls[id] else { return }
        // Read alongside the media set-up: AMD() finished before the answer reached us.
        let amdRead = configuration.readsAsteriskAMD ? Task { await self.asteriskAMD(id) } : nil
        do {
            let rtp = try await RTPSession.bind(host: configuration.mediaHost, ports: configuration.rtpPorts, codec: .pcmu, logger: logger)
            guard calls[id]?.machine.state == .connectingMedia else { return rtp.close() }
            calls[id]!.rtp = rtp
            calls[id]!.rtpTask = Task { try? await rtp.run() }
            mediaOwners[record.mediaChannelID] = id
            calls[id]!.mediaCreated = true
            let media = try await client.externalMedia(app: configuration.app, channelID: record.mediaChannelID,
                                                       host: configuration.mediaHost, port: rtp.localPort)
            if let address = media.channelvars?["UNICASTRTP_LOCAL_ADDRESS"], let port = media.channelvars?["UNICASTRTP_LOCAL_PORT"].flatMap(Int.init) {
                let host = ["0.0.0.0", "::", ""].contains(address) ? asteriskHost : address
                try rtp.connect(to: NegotiatedMedia(remoteAddress: host, remotePort: port, codec: .pcmu, telephoneEvent: nil))
            }
            guard calls[id]?.machine.state == .connectingMedia else { return }
            calls[id]!.bridgeCreated = true
            try await client.createBridge(id: record.bridgeID)
            try await addToBridge(record.bridgeID, channels: [id, record.mediaChannelID])
            let amd = await amdRead?.value
            guard calls[id]?.machine.state == .connectingMedia else { return }
            calls[id]!.asteriskAMD = amd
            ticker.add(rtp)
            perform(calls[id]!.machine.mediaConnected(), id: id)
        } catch {
            guard calls[id] != nil else { return }
            perform(calls[id]!.machine.mediaFailed("\(error)"), id: id)
        }
    }

    /// Asterisk's `AMD()` verdict on the answered channel, nil when none ran.
    ///
    /// `AMD()` runs on the callee's channel (Dial's `U()` subroutine, far from
    /// ours behind the Local channel); the dialplan copies `AMDSTATUS` /
    /// `AMDCAUSE` onto our channel with `MASTER_CHANNEL()` before the answer
    /// reaches the Stasis application (deploy/asterisk/extensions.conf).
    private nonisolated func asteriskAMD(_ id: String) async -> AsteriskAMDVerdict? {
        do {
            guard let status = try await client.variable("AMDSTATUS", channelID: id, timeout: .seconds(2)) else { return nil }
            let cause = try await client.variable("AMDCAUSE", channelID: id, timeout: .seconds(2))
            return AsteriskAMDVerdict(status: status, cause: cause ?? "")
        } catch {
            logger.warning("could not read Asterisk's AMD result", metadata: ["channel": "\(id)", "error": "\(error)"])
            return nil
        }
    }

    /// Adds the channels to the bridge. The externalMedia channel enters the
    /// application a moment after `POST /channels/externalMedia` returns; until
    /// then Asterisk answers 422 "Channel not in Stasis application", so that is retried for up to 2 s.
    private func addToBridge(_ bridgeID: String, channels: [String]) async throws(ARIError) {
        var attempt = 0
        while true {
            do throws(ARIError) {
                return try await client.addToBridge(bridgeID, channels: channels)
            } catch .http(_, _, 422, let message) where attempt < 80 {
                logger.trace("not in Stasis yet; retrying", metadata: ["bridge": "\(bridgeID)", "message": "\(message)"])
                attempt += 1
                try? await Task.sleep(for: .milliseconds(25))
            }
        }
    }

    /// The host part of the ARI URL, for an externalMedia channel listening on every address.
    private nonisolated var asteriskHost: String {
        URLComponents(string: client.baseURL)?.host ?? "127.0.0.1"
    }

    /// Stops a finished call's media and removes its Asterisk side (media channel, bridge).
    private func teardown(_ record: Record) {
        record.ringTimer?.cancel()
        if let rtp = record.rtp {
            ticker.remove(rtp)
            record.rtpTask?.cancel()
            rtp.close()
        }
        mediaOwners[record.mediaChannelID] = nil
        guard record.mediaCreated || record.bridgeCreated, connection == .connected else {
            if record.mediaCreated || record.bridgeCreated { orphans.append((channels: [record.mediaChannelID], bridge: record.bridgeID)) }
            return
        }
        let client = self.client
        Task {
            if record.mediaCreated { try? await client.hangup(channelID: record.mediaChannelID) }
            if record.bridgeCreated { try? await client.destroyBridge(record.bridgeID) }
        }
    }

    // MARK: Health

    /// Reachability, version and the Stasis application's connection, for `/health` and `minibot doctor`.
    public func health() async -> ARIHealth {
        let client = self.client
        let app = configuration.app
        var health = ARIHealth(reachable: false, version: nil, eventsConnected: connection == .connected,
                               applicationRegistered: false, activeCalls: calls.count, error: nil)
        if case .connecting(let error) = connection { health.error = error }
        do {
            health.version = try await client.info(timeout: .seconds(3)).version
            health.reachable = true
            health.applicationRegistered = try await client.applicationExists(app)
        } catch {
            health.error = error.description
        }
        return health
    }
}

/// What `/health` and `minibot doctor` say about the ARI backend.
public struct ARIHealth: Sendable, Equatable, Codable {
    /// `GET /ari/asterisk/info` answered.
    public var reachable: Bool
    /// Asterisk's version, when reachable.
    public var version: String?
    /// Our events WebSocket is up.
    public var eventsConnected: Bool
    /// Asterisk lists our Stasis application.
    public var applicationRegistered: Bool
    public var activeCalls: Int
    /// The last problem, when something is wrong.
    public var error: String?

    public var isHealthy: Bool { reachable && eventsConnected && applicationRegistered }
}

/// An answered call through ARI: its audio and how to end it.
public final class ARICall: Sendable {
    /// The callee's channel id.
    public let channelID: String
    public let rtp: RTPSession
    /// Asterisk's `AMD()` verdict, when the endpoint's dialplan ran it before the answer.
    public let asteriskAMD: AsteriskAMDVerdict?
    private let agent: ARIAgent
    private let state = Mutex<(end: ARICallEnd?, waiters: [CheckedContinuation<ARICallEnd, Never>])>((nil, []))

    init(channelID: String, rtp: RTPSession, asteriskAMD: AsteriskAMDVerdict?, agent: ARIAgent) {
        self.channelID = channelID
        self.rtp = rtp
        self.asteriskAMD = asteriskAMD
        self.agent = agent
    }

    /// Hangs up; returns once the call is over.
    public func hangup() async {
        await agent.hangup(channelID)
        _ = await ended()
    }

    /// Returns when the call is over, whoever ended it.
    public func ended() async -> ARICallEnd {
        await withCheckedContinuation { continuation in
            let end = state.withLock { state -> ARICallEnd? in
                if let end = state.end { return end }
                state.waiters.append(continuation)
                return nil
            }
            if let end { continuation.resume(returning: end) }
        }
    }

    func finish(_ end: ARICallEnd) {
        let waiters = state.withLock { state -> [CheckedContinuation<ARICallEnd, Never>] in
            guard state.end == nil else { return [] }
            state.end = end
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: end) }
    }
}

extension ARIHealth {
    /// Asks Asterisk directly, without an agent (for `minibot doctor`): reachable,
    /// version, and whether some worker's events connection holds the application.
    public static func probe(_ configuration: ARIAgent.Configuration) async -> ARIHealth {
        var health = ARIHealth(reachable: false, version: nil, eventsConnected: false, applicationRegistered: false, activeCalls: 0, error: nil)
        do {
            let client = try ARIClient(url: configuration.url, username: configuration.username, password: configuration.password)
            health.version = try await client.info(timeout: .seconds(3)).version
            health.reachable = true
            health.applicationRegistered = try await client.applicationExists(configuration.app)
            health.eventsConnected = health.applicationRegistered
        } catch {
            health.error = error.description
        }
        return health
    }
}

import Logging
import MiniBotAudio
import MiniBotCore
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The built-in SIP user agent: one UDP socket for signalling, one RTP
/// session per call. It drives ``OutboundCall`` state machines and performs
/// their actions; all call state lives in this actor.
public actor SIPAgent {
    public struct Configuration: Sendable {
        public var bindHost: String
        /// 0 picks a free port.
        public var bindPort: Int
        /// The address the far end should reach us at (Via, Contact, SDP); default: `bindHost`.
        public var advertisedHost: String?
        public var rtpPorts: ClosedRange<Int>
        public var outboundProxy: SIPURI?
        public var username: String?
        public var password: String?
        public var userAgent: String
        public var timers: SIPTimers

        public init(bindHost: String = "127.0.0.1", bindPort: Int = 0, advertisedHost: String? = nil,
                    rtpPorts: ClosedRange<Int> = 30000...39999, outboundProxy: SIPURI? = nil,
                    username: String? = nil, password: String? = nil, userAgent: String = "MiniBotPanel",
                    timers: SIPTimers = SIPTimers()) {
            self.bindHost = bindHost
            self.bindPort = bindPort
            self.advertisedHost = advertisedHost
            self.rtpPorts = rtpPorts
            self.outboundProxy = outboundProxy
            self.username = username
            self.password = password
            self.userAgent = userAgent
            self.timers = timers
        }
    }

    private struct CallRecord {
        var machine: OutboundCall
        var rtp: RTPSession
        var rtpTask: Task<Void, Never>?
        var timers: [OutboundCall.Timer: Task<Void, Never>] = [:]
        var answer: CheckedContinuation<SIPCall, any Error>?
        var handle: SIPCall?
        var end: CallEnd?
        var endWaiters: [CheckedContinuation<CallEnd, Never>] = []
        /// Where the far end's last request came from, for our responses.
        var lastRequestSource: SocketAddress?
        /// The TCP connection the far end's last request came on, when over TCP.
        var lastRequestConnection: String?
        var progress: [Int] = []
        var reliable: Bool { machine.request.viaTransport != "UDP" }
    }

    /// An open TCP connection, ours or the far end's, keyed by `host:port`.
    private struct Connection {
        var writer: NIOAsyncChannelOutboundWriter<ByteBuffer>
    }

    public let configuration: Configuration
    private let logger: Logger
    private let ticker = RTPTicker()
    private let resolver = HostResolver()
    private let probe = ReachabilityProbe()
    private var calls: [String: CallRecord] = [:]
    private var readyWaiters: [CheckedContinuation<Int, any Error>] = []
    private var boundPort: Int?
    private var bindError: (any Error)?
    private var connections: [String: Connection] = [:]
    private var connecting: [String: [CheckedContinuation<Connection?, Never>]] = [:]
    /// Datagrams to send, written in order by one task (see ``send(_:to:)``).
    private var udpSends: AsyncStream<AddressedEnvelope<ByteBuffer>>.Continuation?
    /// The last send queued per TCP connection: the next one waits for it.
    /// Messages must leave in the order they were made: each in its own task,
    /// a digest-authenticated INVITE once left ahead of the ACK of the 401 it
    /// answers, and the far end dropped the call.
    private var sendTails: [String: (id: Int, task: Task<Void, Never>)] = [:]
    private var sendCount = 0
    private var registration: Registration?
    private var registrationTimers: [Registration.Timer: Task<Void, Never>] = [:]
    private var registrationWaiters: [CheckedContinuation<Int, any Error>] = []
    /// What the last registration attempt gave: seconds granted, or why it failed.
    public private(set) var registrationState: Registration.Phase?

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    private var advertisedHost: String { configuration.advertisedHost ?? configuration.bindHost }
    /// Our socket is IPv4 unless bound to an IPv6 address.
    private var prefersIPv4: Bool { !configuration.bindHost.contains(":") }

    /// Binds the signalling socket and serves until cancelled.
    public func run() async throws {
        let channel: NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>
        do {
            // Bursts (hundreds of calls, retransmissions) must wait in our
            // buffers while the actor catches up, not be dropped by the
            // kernel: a 1 MiB socket buffer (capped by net.core.rmem_max) and
            // up to 512 datagrams read ahead (NIO's default stops at 10).
            channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.so_rcvbuf), value: 1 << 20)
                .bind(host: configuration.bindHost, port: configuration.bindPort) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(
                            wrappingChannelSynchronously: channel,
                            configuration: .init(backPressureStrategy: .init(lowWatermark: 64, highWatermark: 512)))
                    }
                }
        } catch {
            let failure = SIPAgentError.cannotBind(host: configuration.bindHost, port: configuration.bindPort, underlying: "\(error)")
            bindError = failure
            for waiter in readyWaiters { waiter.resume(throwing: failure) }
            readyWaiters = []
            throw failure
        }
        let ticker = self.ticker
        let port = channel.channel.localAddress?.port ?? configuration.bindPort
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await ticker.run() }
            group.addTask { await self.listenTCP(port: port) }
            defer { group.cancelAll() }
            try await channel.executeThenClose { inbound, outbound in
                self.started(outbound: outbound, port: channel.channel.localAddress?.port ?? configuration.bindPort)
                defer { Task { await self.stopped() } }
                for try await envelope in inbound {
                    self.received(Array(envelope.data.readableBytesView), from: envelope.remoteAddress)
                }
            }
        }
    }

    /// Accepts SIP over TCP on the same port as UDP; each connection is read
    /// until it closes. Without TCP (the port is taken), UDP still works.
    private func listenTCP(port: Int) async {
        let server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
        do {
            server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: configuration.bindHost, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            logger.warning("no SIP over TCP: cannot listen", metadata: ["port": "\(port)", "error": "\(error)"])
            return
        }
        try? await server.executeThenClose { inbound in
            try await withThrowingDiscardingTaskGroup { group in
                for try await connection in inbound {
                    group.addTask { await self.serve(connection) }
                }
            }
        }
    }

    /// Reads SIP messages from one TCP connection, framed by Content-Length.
    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        guard let remote = connection.channel.remoteAddress else { return }
        let key = Self.key(remote)
        try? await connection.executeThenClose { inbound, outbound in
            self.connections[key] = Connection(writer: outbound)
            self.resumeConnecting(key, Connection(writer: outbound))
            defer { self.connections[key] = nil }
            var framer = SIPStreamFramer()
            for try await buffer in inbound {
                let messages: [SIPMessage]
                do {
                    messages = try framer.feed(buffer.readableBytesView)
                } catch {
                    logger.warning("closing a SIP/TCP connection that cannot be framed", metadata: ["from": "\(remote)", "reason": "\(error)"])
                    return
                }
                for message in messages { self.handle(message, from: remote, connection: key) }
            }
        }
    }

    private static func key(_ address: SocketAddress) -> String {
        "\(address.ipAddress ?? "?"):\(address.port ?? 0)"
    }

    /// Sends over TCP to `destination`, connecting first if no connection is open.
    private func sendTCP(_ message: SIPMessage, to destination: SocketAddress, callID: String?) async {
        let key = Self.key(destination)
        var connection = connections[key]
        var connectError: (any Error)?
        if connection == nil {
            if connecting[key] != nil {
                connection = await withCheckedContinuation { connecting[key, default: []].append($0) }
            } else {
                connecting[key] = []
                var opened: NIOAsyncChannel<ByteBuffer, ByteBuffer>?
                do {
                    opened = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                        .connectTimeout(.seconds(10))
                        .connect(to: destination) { channel in
                            channel.eventLoop.makeCompletedFuture {
                                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                            }
                        }
                } catch {
                    connectError = error
                }
                if let opened {
                    // serve() registers the connection and reads it until it closes.
                    Task { await self.serve(opened) }
                    connection = Connection(writer: opened.outbound)
                    connections[key] = connection
                }
                resumeConnecting(key, connection)
            }
        }
        guard let connection else {
            logger.warning("cannot open a SIP/TCP connection", metadata: ["to": "\(destination)", "error": "\(connectError.map { "\($0)" } ?? "")"])
            if let callID, message.isRequest {
                let refused = Self.isRefused(connectError)
                transportFailed(callID, branch: message.via?.branch,
                                reason: refused ? "TCP connection refused" : "cannot open a TCP connection (\(connectError.map { "\($0)" } ?? "closed"))")
            }
            return
        }
        try? await connection.writer.write(ByteBuffer(bytes: message.bytes))
    }

    private static func isRefused(_ error: (any Error)?) -> Bool {
        if let error = error as? IOError { return error.errnoCode == ECONNREFUSED }
        if let error = error as? NIOConnectionError {
            return error.connectionErrors.contains { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }
        }
        return false
    }

    private func resumeConnecting(_ key: String, _ connection: Connection?) {
        guard let waiters = connecting.removeValue(forKey: key) else { return }
        for waiter in waiters { waiter.resume(returning: connection) }
    }

    private func started(outbound: NIOAsyncChannelOutboundWriter<AddressedEnvelope<ByteBuffer>>, port: Int) {
        let (sends, continuation) = AsyncStream.makeStream(of: AddressedEnvelope<ByteBuffer>.self)
        udpSends = continuation
        Task.detached {
            for await envelope in sends { try? await outbound.write(envelope) }
        }
        boundPort = port
        for waiter in readyWaiters { waiter.resume(returning: port) }
        readyWaiters = []
        logger.info("SIP agent listening", metadata: ["address": "\(configuration.bindHost):\(port)"])
    }

    private func stopped() {
        udpSends?.finish()
        udpSends = nil
        for (_, task) in registrationTimers { task.cancel() }
        registrationTimers = [:]
        for (id, _) in calls { finish(id, failure: .network(code: nil, reason: "the SIP agent stopped"), remoteHangup: false, code: nil) }
    }

    /// The signalling port, once bound.
    public func ready() async throws -> Int {
        if let boundPort { return boundPort }
        if let bindError { throw bindError }
        return try await withCheckedThrowingContinuation { readyWaiters.append($0) }
    }

    /// Calls in the table: up, or ended less than 64 × T1 ago.
    public var activeCalls: Int { calls.count }

    /// RTP sessions the ticker is sending for (leak checks).
    nonisolated var tickingSessions: Int { ticker.count }

    // MARK: Placing calls

    /// Calls `target` and returns once the callee answered; throws ``CallFailure`` otherwise.
    public func call(_ target: SIPURI, from: NameAddress, assertedIdentity: NameAddress? = nil,
                     ringTimeout: Duration = .seconds(30)) async throws -> SIPCall {
        let port = try await ready()
        let rtp = try await RTPSession.bind(host: configuration.bindHost, ports: configuration.rtpPorts, codec: .pcmu, logger: logger)
        let callID = randomToken(20) + "@" + advertisedHost
        // `;transport=tcp` on the target (or the outbound proxy) selects TCP.
        let tcp = (configuration.outboundProxy ?? target).parameter("transport")?.lowercased() == "tcp"
        let request = CallRequest(
            target: target, from: from, assertedIdentity: assertedIdentity,
            contact: SIPURI(user: "minibot", host: advertisedHost, port: port, parameters: tcp ? [("transport", "tcp")] : []),
            viaTransport: tcp ? "TCP" : "UDP", viaHost: advertisedHost, viaPort: port, outboundProxy: configuration.outboundProxy,
            callID: callID, offer: .offer(address: advertisedHost, port: rtp.localPort, sessionID: UInt64.random(in: 1...UInt64(Int64.max))),
            username: configuration.username, password: configuration.password, ringTimeout: ringTimeout,
            userAgent: configuration.userAgent)
        var record = CallRecord(machine: OutboundCall(request: request, timers: configuration.timers), rtp: rtp)
        record.rtpTask = Task { try? await rtp.run() }
        ticker.add(rtp)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                record.answer = continuation
                calls[callID] = record
                let actions = calls[callID]!.machine.start()
                perform(actions, callID: callID)
            }
        } onCancel: {
            Task { await self.hangup(callID) }
        }
    }

    // MARK: Registration

    /// Registers with the trunk's registrar and keeps the binding refreshed
    /// while the agent runs. Returns the seconds granted; throws
    /// ``SIPAgentError/registrationFailed(_:)`` when the first attempt fails
    /// (later attempts keep being made every minute).
    public func register(_ settings: Registration.Settings) async throws -> Int {
        let port = try await ready()
        var settings = settings
        settings.viaPort = port
        if settings.contact.port == nil || settings.contact.port == 0 { settings.contact.port = port }
        registration = Registration(settings: settings, timers: configuration.timers)
        return try await withCheckedThrowingContinuation { continuation in
            registrationWaiters.append(continuation)
            performRegistration(registration!.start())
        }
    }

    private func performRegistration(_ actions: [Registration.Action]) {
        for action in actions {
            switch action {
            case .send(let message):
                let unresolvable = SIPAgentError.unresolvable(registration?.settings.registrar.host ?? "")
                guard let hop = nextHop(for: message) else {
                    finishRegistrationAttempt(.failure(unresolvable))
                    continue
                }
                if let destination = resolver.cached(host: hop.host, port: hop.port) {
                    send(message, to: destination)
                } else {
                    Task {
                        do {
                            self.send(message, to: try await self.resolver.resolve(host: hop.host, port: hop.port, preferIPv4: self.prefersIPv4))
                        } catch {
                            self.finishRegistrationAttempt(.failure(unresolvable))
                        }
                    }
                }
            case .startTimer(let timer, let duration):
                registrationTimers[timer]?.cancel()
                registrationTimers[timer] = Task {
                    try? await Task.sleep(for: duration)
                    guard !Task.isCancelled else { return }
                    self.fireRegistration(timer)
                }
            case .cancelTimer(let timer):
                registrationTimers.removeValue(forKey: timer)?.cancel()
            case .registered(let expires):
                registrationState = .registered(expires: expires)
                logger.info("registered", metadata: ["registrar": "\(registration?.settings.registrar.description ?? "")", "expires": "\(expires)"])
                finishRegistrationAttempt(.success(expires))
            case .failed(let reason, _):
                registrationState = .failed(reason)
                logger.warning("registration failed", metadata: ["reason": "\(reason)"])
                finishRegistrationAttempt(.failure(SIPAgentError.registrationFailed(reason)))
            }
        }
    }

    private func fireRegistration(_ timer: Registration.Timer) {
        guard registration != nil else { return }
        registrationTimers[timer] = nil
        performRegistration(registration!.timerFired(timer))
    }

    private func finishRegistrationAttempt(_ result: Result<Int, any Error>) {
        let waiters = registrationWaiters
        registrationWaiters = []
        for waiter in waiters { waiter.resume(with: result) }
    }

    /// Hangs up: BYE once answered, CANCEL while ringing.
    func hangup(_ callID: String) {
        guard calls[callID] != nil else { return }
        let actions = calls[callID]!.machine.hangup()
        perform(actions, callID: callID)
    }

    /// Waits for the call to end and says how.
    func waitForEnd(_ callID: String) async -> CallEnd {
        guard let record = calls[callID] else { return CallEnd(remoteHangup: false, code: nil) }
        if let end = record.end { return end }
        return await withCheckedContinuation { calls[callID]!.endWaiters.append($0) }
    }

    // MARK: Incoming

    private func received(_ bytes: [UInt8], from source: SocketAddress) {
        let message: SIPMessage
        do {
            message = try SIPMessage(parsing: bytes)
        } catch {
            logger.debug("dropped an unparsable SIP datagram", metadata: ["from": "\(source)", "reason": "\(error)"])
            return
        }
        handle(message, from: source, connection: nil)
    }

    private func handle(_ message: SIPMessage, from source: SocketAddress, connection: String?) {
        if !message.isRequest, let registration, message.callID == registration.callID {
            performRegistration(self.registration!.received(response: message))
            return
        }
        guard let callID = message.callID, calls[callID] != nil else {
            answerStray(message, from: source, connection: connection)
            return
        }
        let actions: [OutboundCall.Action]
        if message.isRequest {
            calls[callID]!.lastRequestSource = source
            calls[callID]!.lastRequestConnection = connection
            actions = calls[callID]!.machine.received(request: message)
        } else {
            actions = calls[callID]!.machine.received(response: message)
        }
        perform(actions, callID: callID)
    }

    /// Requests outside any call: OPTIONS pings get 200, the rest 481.
    private func answerStray(_ message: SIPMessage, from source: SocketAddress, connection: String?) {
        guard let method = message.method, method != "ACK" else { return }
        let code = method == "OPTIONS" ? 200 : 481
        let response = OutboundCall.response(to: message, code: code, reason: code == 200 ? "OK" : "Call/Transaction Does Not Exist",
                                             toTag: randomToken(8))
        reply(response, to: source, connection: connection)
    }

    // MARK: Performing actions

    private func perform(_ actions: [OutboundCall.Action], callID: String) {
        for action in actions {
            guard calls[callID] != nil else { return }
            switch action {
            case .send(let message):
                if message.isRequest {
                    guard let hop = nextHop(for: message) else {
                        perform(calls[callID]!.machine.transportFailed(branch: message.via?.branch, reason: "no host to send to"), callID: callID)
                        continue
                    }
                    if let destination = resolver.cached(host: hop.host, port: hop.port) {
                        dispatch(message, to: destination, callID: callID)
                    } else {
                        // getaddrinfo blocks: resolve on NIO's thread pool, then send.
                        Task {
                            do {
                                let destination = try await self.resolver.resolve(host: hop.host, port: hop.port, preferIPv4: self.prefersIPv4)
                                self.dispatch(message, to: destination, callID: callID)
                            } catch {
                                self.transportFailed(callID, branch: message.via?.branch, reason: "cannot resolve \(hop.host)")
                            }
                        }
                    }
                } else if let source = calls[callID]!.lastRequestSource {
                    reply(message, to: source, connection: calls[callID]!.lastRequestConnection)
                }
            case .startTimer(let timer, let duration):
                calls[callID]!.timers[timer]?.cancel()
                calls[callID]!.timers[timer] = Task {
                    try? await Task.sleep(for: duration)
                    guard !Task.isCancelled else { return }
                    self.fire(timer, callID: callID)
                }
            case .cancelTimer(let timer):
                calls[callID]!.timers.removeValue(forKey: timer)?.cancel()
            case .progress(let code, let media):
                calls[callID]!.progress.append(code)
                if let media { connectMedia(media, callID: callID) }
            case .answered(let media):
                let record = calls[callID]!
                connectMedia(media, callID: callID)
                let handle = SIPCall(callID: callID, agent: self, media: media, rtp: record.rtp, progress: record.progress)
                calls[callID]!.handle = handle
                calls[callID]!.answer = nil
                record.answer?.resume(returning: handle)
            case .mediaChanged(let media):
                connectMedia(media, callID: callID)
            case .ended(let failure, let remoteHangup, let code):
                finish(callID, failure: failure, remoteHangup: remoteHangup, code: code)
            }
        }
    }

    /// Points the call's RTP at the SDP's address, resolving a host name off the actor.
    private func connectMedia(_ media: NegotiatedMedia, callID: String) {
        guard let rtp = calls[callID]?.rtp else { return }
        if let address = resolver.cached(host: media.remoteAddress, port: media.remotePort) {
            rtp.connect(to: media, address: address)
            return
        }
        let resolver = self.resolver
        let preferIPv4 = prefersIPv4
        let logger = self.logger
        Task {
            do {
                rtp.connect(to: media, address: try await resolver.resolve(host: media.remoteAddress, port: media.remotePort, preferIPv4: preferIPv4))
            } catch {
                logger.warning("cannot resolve the far end's media address", metadata: ["call_id": "\(callID)", "host": "\(media.remoteAddress)"])
            }
        }
    }

    private func fire(_ timer: OutboundCall.Timer, callID: String) {
        guard calls[callID] != nil else { return }
        calls[callID]!.timers[timer] = nil
        perform(calls[callID]!.machine.timerFired(timer), callID: callID)
    }

    /// The call is over for the dialer: report it, stop the media, and
    /// forget the call once its transactions have had time to finish.
    private func finish(_ callID: String, failure: CallFailure?, remoteHangup: Bool, code: Int?) {
        guard var record = calls[callID], record.end == nil else { return }
        let end = CallEnd(remoteHangup: remoteHangup, code: code, failure: failure)
        record.end = end
        record.rtpTask?.cancel()
        ticker.remove(record.rtp)
        record.rtp.close()
        if let answer = record.answer {
            answer.resume(throwing: failure ?? .failed(code: code ?? 0, reason: "ended before answer"))
            record.answer = nil
        }
        for waiter in record.endWaiters { waiter.resume(returning: end) }
        record.endWaiters = []
        calls[callID] = record
        let linger = configuration.timers.timeout
        Task {
            try? await Task.sleep(for: linger)
            self.forget(callID)
        }
    }

    private func forget(_ callID: String) {
        guard let record = calls.removeValue(forKey: callID) else { return }
        for (_, task) in record.timers { task.cancel() }
    }

    /// Where a request goes: its top Route, else its Request-URI (RFC 3261 §8.1.2).
    private func nextHop(for message: SIPMessage) -> (host: String, port: Int)? {
        var uri: SIPURI?
        if let route = message.headers.values("Route").first { uri = (try? NameAddress(parsing: route))?.uri }
        if uri == nil, case .request(_, let target) = message.startLine { uri = try? SIPURI(parsing: target) }
        guard let uri else { return nil }
        return (uri.host, uri.port ?? 5060)
    }

    /// Sends a call's request to its resolved next hop. The first INVITE to a
    /// destination over UDP also probes it, so a dead trunk fails at once.
    private func dispatch(_ message: SIPMessage, to destination: SocketAddress, callID: String) {
        guard let record = calls[callID] else { return }
        if record.reliable {
            inOrder(Self.key(destination)) { await self.sendTCP(message, to: destination, callID: callID) }
            return
        }
        send(message, to: destination)
        if message.method == "INVITE", !record.machine.heardFromFarEnd {
            let probe = self.probe
            Task {
                guard let reason = await probe.unreachableReason(destination) else { return }
                self.unreachable(callID, branch: message.via?.branch, reason: reason)
            }
        }
    }

    /// An ICMP error came back for the INVITE's destination: unless the far
    /// end answered meanwhile (then it is there after all), the call fails now.
    private func unreachable(_ callID: String, branch: String?, reason: String) {
        guard let record = calls[callID], !record.machine.heardFromFarEnd else { return }
        logger.info("far end unreachable", metadata: ["call_id": "\(callID)", "reason": "\(reason)"])
        transportFailed(callID, branch: branch, reason: reason)
    }

    private func transportFailed(_ callID: String, branch: String?, reason: String) {
        guard calls[callID] != nil else { return }
        perform(calls[callID]!.machine.transportFailed(branch: branch, reason: reason), callID: callID)
    }

    /// Answers a request on the TCP connection it came on, else by UDP to its source.
    private func reply(_ response: SIPMessage, to source: SocketAddress, connection: String?) {
        if let connection, let writer = connections[connection]?.writer {
            inOrder(connection) { try? await writer.write(ByteBuffer(bytes: response.bytes)) }
        } else {
            send(response, to: source)
        }
    }

    /// Queues a datagram: one task writes them in the order they were queued.
    private func send(_ message: SIPMessage, to destination: SocketAddress) {
        udpSends?.yield(AddressedEnvelope(remoteAddress: destination, data: ByteBuffer(bytes: message.bytes)))
    }

    /// Runs `send` once the sends queued before it on the same TCP connection are done.
    private func inOrder(_ connection: String, _ send: @escaping @Sendable () async -> Void) {
        sendCount += 1
        let id = sendCount, previous = sendTails[connection]?.task
        sendTails[connection] = (id, Task {
            await previous?.value
            await send()
            self.sent(connection, id)
        })
    }

    private func sent(_ connection: String, _ id: Int) {
        if sendTails[connection]?.id == id { sendTails[connection] = nil }
    }
}

/// How an answered call ended.
public struct CallEnd: Sendable, Equatable {
    /// The callee hung up (BYE from the far end).
    public var remoteHangup: Bool
    /// The SIP code of the last exchange (200 for our BYE, 408 when it got no answer).
    public var code: Int?
    /// Set when the call was never answered.
    public var failure: CallFailure?

    public init(remoteHangup: Bool, code: Int?, failure: CallFailure? = nil) {
        self.remoteHangup = remoteHangup
        self.code = code
        self.failure = failure
    }
}

/// An answered call: its audio and how to end it.
public final class SIPCall: Sendable {
    public let callID: String
    public let media: NegotiatedMedia
    public let rtp: RTPSession
    /// The provisional responses seen before the answer (100, 180, 183…).
    public let progress: [Int]
    private let agent: SIPAgent

    init(callID: String, agent: SIPAgent, media: NegotiatedMedia, rtp: RTPSession, progress: [Int]) {
        self.callID = callID
        self.agent = agent
        self.media = media
        self.rtp = rtp
        self.progress = progress
    }

    public func hangup() async {
        await agent.hangup(callID)
    }

    /// Returns when the call is over, whoever ended it.
    public func ended() async -> CallEnd {
        await agent.waitForEnd(callID)
    }
}

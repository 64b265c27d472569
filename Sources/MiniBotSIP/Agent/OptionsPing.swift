import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One SIP OPTIONS request to a trunk or PBX over UDP, retransmitted as RFC
/// 3261 §17.1.2 says (T1, 2·T1, …) until an answer or the timeout: is the far
/// end there? Any final response counts as an answer (many trunks say 401,
/// 403 or 405 to an OPTIONS from a stranger; they still answered).
public enum SIPOptionsPing {
    public struct Answer: Sendable, Equatable {
        public var code: Int
        public var reason: String
        /// The `Server` or `User-Agent` header, if any.
        public var server: String?
        public var milliseconds: Int
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unresolvable(String)
        case noAnswer(String, seconds: Double)
        case socket(String)

        public var description: String {
            switch self {
            case .unresolvable(let host): "cannot resolve \(host)"
            case .noAnswer(let target, let seconds): "no answer from \(target) to OPTIONS in \(seconds) s"
            case .socket(let reason): "cannot send OPTIONS: \(reason)"
            }
        }
    }

    /// The request, on its own: testable without a socket.
    public static func request(to host: String, port: Int, localHost: String, localPort: Int, callID: String, branch: String,
                               tag: String, userAgent: String) -> SIPMessage {
        var headers = SIPHeaders()
        headers.add("Via", "SIP/2.0/UDP \(localHost):\(localPort);branch=\(branch);rport")
        headers.add("Max-Forwards", "70")
        headers.add("From", "<sip:minibot@\(localHost)>;tag=\(tag)")
        headers.add("To", "<sip:\(host):\(port)>")
        headers.add("Call-ID", callID)
        headers.add("CSeq", "1 OPTIONS")
        headers.add("Contact", "<sip:minibot@\(localHost):\(localPort)>")
        headers.add("Accept", "application/sdp")
        headers.add("User-Agent", userAgent)
        return .request("OPTIONS", uri: "sip:\(host):\(port)", headers: headers)
    }

    /// Sends OPTIONS to `host:port` and waits for the first final response.
    public static func ping(host: String, port: Int, timeout: Duration = .seconds(4), userAgent: String = "MiniBotPanel") async throws -> Answer {
        let clock = ContinuousClock()
        let started = clock.now
        let remote: SocketAddress
        do {
            remote = try await resolve(host: host, port: port)
        } catch {
            throw Failure.unresolvable(host)
        }
        let ipv6: Bool = if case .v6 = remote { true } else { false }
        let channel: NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>
        do {
            channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: ipv6 ? "::" : "0.0.0.0", port: 0) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw Failure.socket("\(error)")
        }
        let localPort = channel.channel.localAddress?.port ?? 0
        let localHost = localAddress(toward: remote) ?? (ipv6 ? "::1" : "127.0.0.1")
        let callID = randomToken(20)
        let message = request(to: host, port: port, localHost: localHost, localPort: localPort, callID: callID,
                              branch: "z9hG4bK" + randomToken(16), tag: randomToken(10), userAgent: userAgent)
        let bytes = message.bytes
        let target = "\(host):\(port)"
        return try await channel.executeThenClose { inbound, outbound in
            try await withThrowingTaskGroup(of: Answer?.self) { group in
                group.addTask {
                    // Retransmissions: T1 = 500 ms, doubling, capped at T2 = 4 s.
                    var interval = Duration.milliseconds(500)
                    let deadline = started + timeout
                    while clock.now < deadline {
                        try await outbound.write(AddressedEnvelope(remoteAddress: remote, data: ByteBuffer(bytes: bytes)))
                        try await Task.sleep(for: min(interval, deadline - clock.now))
                        interval = min(interval * 2, .seconds(4))
                    }
                    return nil
                }
                group.addTask {
                    for try await envelope in inbound {
                        guard let response = try? SIPMessage(parsing: Array(envelope.data.readableBytesView)),
                              response.callID == callID, let code = response.statusCode, code >= 200,
                              case .response(_, let reason) = response.startLine else { continue }
                        let elapsed = clock.now - started
                        return Answer(code: code, reason: reason, server: response.headers["Server"] ?? response.headers["User-Agent"],
                                      milliseconds: Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000))
                    }
                    return nil
                }
                defer { group.cancelAll() }
                for try await result in group {
                    if let result { return result }
                    break
                }
                throw Failure.noAnswer(target, seconds: Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18)
            }
        }
    }

    private static func resolve(host: String, port: Int) async throws -> SocketAddress {
        try await NIOThreadPool.singleton.runIfActive {
            try SocketAddress.makeAddressResolvingHost(host, port: port)
        }
    }

    /// The local address the kernel would send from to reach `remote` (a connected UDP socket sends nothing).
    private static func localAddress(toward remote: SocketAddress) -> String? {
        guard let ip = remote.ipAddress else { return nil }
        if ip.hasPrefix("127.") || ip == "::1" { return ip }
        let fd = socket(remote.protocol.rawValue, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var storage = sockaddr_storage()
        let connected = remote.withSockAddr { address, size in connect(fd, address, socklen_t(size)) } == 0
        guard connected else { return nil }
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let ok = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo($0, length, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST)
            }
        }
        return ok == 0 ? String(cString: buffer) : nil
    }
}

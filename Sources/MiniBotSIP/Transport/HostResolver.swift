import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Resolves host names for the agent without blocking it: `getaddrinfo`
/// blocks its thread, so it runs on SwiftNIO's blocking-I/O thread pool, never
/// on the agent's actor or Swift's cooperative pool. Answers are cached for
/// ``ttl``; an IP literal is parsed at once and never reaches the pool.
final class HostResolver: Sendable {
    struct Key: Hashable, Sendable {
        var host: String
        var port: Int
    }

    private struct Entry {
        var address: SocketAddress
        var expires: ContinuousClock.Instant
    }

    let ttl: Duration
    private let pool: NIOThreadPool
    private let cache = Mutex<[Key: Entry]>([:])
    /// How many lookups went to the thread pool (for tests).
    private let lookupCount = Atomic<Int>(0)

    init(ttl: Duration = .seconds(30), pool: NIOThreadPool = .singleton) {
        self.ttl = ttl
        self.pool = pool
    }

    var lookups: Int { lookupCount.load(ordering: .relaxed) }

    /// The address without waiting: an IP literal, or a fresh cached answer.
    func cached(host: String, port: Int) -> SocketAddress? {
        let host = Self.bare(host)
        if let literal = try? SocketAddress(ipAddress: host, port: port) { return literal }
        let key = Key(host: host.lowercased(), port: port)
        return cache.withLock { cache in
            guard let entry = cache[key] else { return nil }
            if entry.expires < .now {
                cache[key] = nil
                return nil
            }
            return entry.address
        }
    }

    /// Resolves `host`, from the cache when it can. With `preferIPv4`
    /// (our socket is IPv4), an IPv4 answer wins over an IPv6 one (`localhost`
    /// often resolves to `::1` first).
    func resolve(host: String, port: Int, preferIPv4: Bool = true) async throws -> SocketAddress {
        if let address = cached(host: host, port: port) { return address }
        let host = Self.bare(host)
        lookupCount.add(1, ordering: .relaxed)
        let address = try await pool.runIfActive {
            try Self.lookup(host, port: port, preferIPv4: preferIPv4)
        }
        let expires = ContinuousClock.now + ttl
        cache.withLock { $0[Key(host: host.lowercased(), port: port)] = Entry(address: address, expires: expires) }
        return address
    }

    /// Blocking `getaddrinfo`: the first answer of the preferred family, else the first.
    private static func lookup(_ host: String, port: Int, preferIPv4: Bool) throws -> SocketAddress {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
        hints.ai_socktype = SOCK_DGRAM
        #else
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let list else {
            throw SIPAgentError.unresolvable(host)
        }
        defer { freeaddrinfo(list) }
        var found: [SocketAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let current = entry {
            if let address = current.pointee.ai_addr {
                switch current.pointee.ai_family {
                case AF_INET:
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { found.append(SocketAddress($0.pointee, host: host)) }
                case AF_INET6:
                    address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { found.append(SocketAddress($0.pointee, host: host)) }
                default: break
                }
            }
            entry = current.pointee.ai_next
        }
        let preferred = found.first { preferIPv4 ? $0.protocol == .inet : $0.protocol == .inet6 }
        guard let address = preferred ?? found.first else { throw SIPAgentError.unresolvable(host) }
        return address
    }

    /// `[::1]` → `::1`.
    private static func bare(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }
}

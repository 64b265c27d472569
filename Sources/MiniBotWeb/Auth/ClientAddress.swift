import Foundation

/// Who sent a request, for the login throttle and the audit log: the peer
/// of the connection, unless that peer is one of the configured reverse
/// proxies, in which case `X-Forwarded-For` is read from the right, past the
/// trusted proxies, to the first address none of them is (anyone can send
/// that header, so it is never believed from anywhere else).
public struct ClientAddress: Sendable {
    public var trustedProxies: Set<String>

    public init(trustedProxies: [String] = []) {
        self.trustedProxies = Set(trustedProxies.map(Self.normalised))
    }

    /// The client's address; `unknown` when the connection has none (tests through the router).
    public func resolve(peer: String?, forwardedFor: [String]) -> String {
        guard let peer = peer.map(Self.normalised), !peer.isEmpty else { return "unknown" }
        guard trustedProxies.contains(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { Self.normalised(String($0)) }.filter { !$0.isEmpty }
        return hops.reversed().first { !trustedProxies.contains($0) } ?? hops.first ?? peer
    }

    /// Without spaces, IPv6 brackets or an IPv4-mapped IPv6 prefix, lower-cased.
    static func normalised(_ text: String) -> String {
        var address = text.trimmingCharacters(in: .whitespaces).lowercased()
        if address.hasPrefix("["), let end = address.firstIndex(of: "]") { address = String(address[address.index(after: address.startIndex)..<end]) }
        if address.hasPrefix("::ffff:"), address.contains(".") { address.removeFirst("::ffff:".count) }
        return address
    }
}

import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A plain blocking UDP socket on loopback, for tests that play a small part
/// of a media path themselves (a listener the far end moved its audio to, a
/// relay that drops and reorders packets).
public final class UDPSocket: @unchecked Sendable {
    public let fd: Int32
    public let port: Int

    /// Binds `127.0.0.1:port` (0: any free port); reads time out after `timeout` seconds.
    public init(port: Int = 0, timeout: Double = 0.1) throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw PeerError.didNotStart("UDP socket", log: String(cString: strerror(errno))) }
        var address = Self.loopback(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            throw PeerError.didNotStart("UDP socket on port \(port)", log: String(cString: strerror(errno)))
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        var time = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }

    /// Sends `bytes` to `127.0.0.1:port`.
    public func send(_ bytes: [UInt8], toPort port: Int) {
        var address = Self.loopback(port: port)
        _ = bytes.withUnsafeBytes { buffer in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    /// The next datagram and the port it came from, or nil after the timeout.
    public func receive() -> (bytes: [UInt8], fromPort: Int)? {
        var buffer = [UInt8](repeating: 0, count: 2048)
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let count = buffer.withUnsafeMutableBytes { raw in
            withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, raw.baseAddress, raw.count, 0, $0, &length) }
            }
        }
        guard count >= 0 else { return nil }
        return (Array(buffer[0..<count]), Int(UInt16(bigEndian: address.sin_port)))
    }

    /// Datagrams received within `seconds` (reads until then).
    public func drain(seconds: Double) -> [(bytes: [UInt8], fromPort: Int)] {
        let deadline = Date().addingTimeInterval(seconds)
        var out: [(bytes: [UInt8], fromPort: Int)] = []
        while Date() < deadline {
            if let datagram = receive() { out.append(datagram) }
        }
        return out
    }

    /// A minimal RTP packet (PCMU, 160 bytes of silence).
    public static func rtp(sequence: UInt16, timestamp: UInt32, ssrc: UInt32 = 0x1234_5678, payloadType: UInt8 = 0) -> [UInt8] {
        var bytes: [UInt8] = [0x80, payloadType, UInt8(sequence >> 8), UInt8(sequence & 0xFF),
                              UInt8(timestamp >> 24), UInt8(timestamp >> 16 & 0xFF), UInt8(timestamp >> 8 & 0xFF), UInt8(timestamp & 0xFF),
                              UInt8(ssrc >> 24), UInt8(ssrc >> 16 & 0xFF), UInt8(ssrc >> 8 & 0xFF), UInt8(ssrc & 0xFF)]
        bytes += [UInt8](repeating: 0xFF, count: 160)
        return bytes
    }
}

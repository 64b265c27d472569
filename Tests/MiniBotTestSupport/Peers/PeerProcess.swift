import Foundation
import Synchronization

/// A real SIP peer (baresip, sipp) run as a child process in a scratch folder.
public final class PeerProcess: @unchecked Sendable {
    public let process = Process()
    public let folder: String
    public let log: String

    public init(_ executable: String, arguments: [String], folder: String, name: String) throws {
        self.folder = folder
        self.log = folder + "/\(name).log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    public var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// Waits until the log contains `text`; false after `seconds`.
    public func waitFor(_ text: String, seconds: Double = 10) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if output.contains(text) { return true }
            if !process.isRunning { return output.contains(text) }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// Waits for the process to exit by itself; its status, or nil after `seconds`.
    public func waitForExit(seconds: Double = 30) async -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// TERM, then TERM again after 2 s (baresip waits for pending BYEs otherwise), then KILL.
    public func stop() async {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        if await waitForExit(seconds: 2) != nil { return }
        kill(process.processIdentifier, SIGTERM)
        if await waitForExit(seconds: 2) != nil { return }
        kill(process.processIdentifier, SIGKILL)
        _ = await waitForExit(seconds: 2)
    }

    /// Whether nobody has bound UDP `port` on loopback yet.
    public static func isFree(udpPort port: Int) -> Bool { isFree(port: port, type: Int32(SOCK_DGRAM.rawValue)) }

    /// Whether nobody has bound TCP `port` on loopback yet.
    public static func isFree(tcpPort port: Int) -> Bool { isFree(port: port, type: Int32(SOCK_STREAM.rawValue)) }

    private static func isFree(port: Int, type: Int32) -> Bool {
        let fd = socket(AF_INET, type, 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// A port free for both UDP and TCP on loopback, from 15000–19999: below
    /// the kernel's ephemeral range, so an agent binding port 0 (and its TCP
    /// twin) cannot take a peer's port between the pick and the peer's bind.
    /// A port nothing holds now, and not near one handed out lately: tests run side by side, and
    /// a port given to two of them before either binds it, or sipp's media port + 2, collided.
    public static func freePort() -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: 15000...19999)
            let near = recentPorts.withLock { recent in recent.contains { abs($0 - port) <= 2 } }
            if !near, isFree(udpPort: port), isFree(tcpPort: port) {
                recentPorts.withLock { recent in
                    recent.append(port)
                    if recent.count > 200 { recent.removeFirst() }
                }
                return port
            }
        }
        return Int.random(in: 15000...19999)
    }

    private static let recentPorts = Mutex<[Int]>([])
}

public enum PeerError: Error, CustomStringConvertible {
    case notInstalled(String)
    case didNotStart(String, log: String)

    public var description: String {
        switch self {
        case .notInstalled(let name): "\(name) is not installed: run scripts/setup (Debian packages baresip-core, sip-tester)"
        case .didNotStart(let name, let log): "\(name) did not start:\n\(log.suffix(2000))"
        }
    }
}

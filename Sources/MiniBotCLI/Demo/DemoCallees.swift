import Foundation
import Synchronization

/// The demo's simulated people: real `baresip` processes on loopback that
/// answer and play a voice track (or ring forever), and `sipp` answering
/// 486 Busy Here. Every process started is remembered so that ``stopAll()``
/// ends them on every way out (normal end, error, Ctrl-C, SIGTERM); each
/// also quits by itself after `lifetime` seconds, should the demo be killed
/// with SIGKILL.
final class DemoCallees: Sendable {
    enum Failure: Error, CustomStringConvertible {
        case notInstalled(String)
        case didNotStart(String, log: String)

        var description: String {
            switch self {
            case .notInstalled(let name): "\(name) is not installed: run scripts/setup (Debian packages baresip-core, sip-tester)"
            case .didNotStart(let name, let log): "\(name) did not start; its log:\n\(log.prefix(1500))"
            }
        }
    }

    static let baresip = "/usr/bin/baresip"
    static let sipp = "/usr/bin/sipp"

    let lifetime: Int
    private let processes = Mutex<[Process]>([])

    init(lifetime: Int) {
        self.lifetime = lifetime
    }

    /// Whether the callee programs are installed.
    static func check() throws {
        for program in [baresip, sipp] where !FileManager.default.isExecutableFile(atPath: program) {
            throw Failure.notInstalled(program)
        }
    }

    /// A baresip callee in `folder` (config written there, recipe of
    /// shared/research/telephony.md §1): `auto` answers and plays `voice`
    /// (hanging up at its end), `manual` rings until the caller gives up.
    /// `rtpBase` gives it its own 40 RTP ports. Returns its SIP URI.
    func startBaresip(folder: String, voice: String?, answerMode: String, rtpBase: Int) async throws -> String {
        try await retrying { try await self.startBaresipOnce(folder: folder, voice: voice, answerMode: answerMode, rtpBase: rtpBase) }
    }

    private func startBaresipOnce(folder: String, voice: String?, answerMode: String, rtpBase: Int) async throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let port = Self.freePort()
        let control = Self.freePort()
        let config = """
            poll_method       epoll
            sip_listen        127.0.0.1:\(port)
            net_interface     127.0.0.1
            call_max_calls    4
            audio_source      aufile,\(voice ?? "/dev/null")
            audio_player      aubridge,nil
            audio_alert       aubridge,nil
            rtp_ports         \(rtpBase)-\(rtpBase + 39)
            module_path       /usr/lib/baresip/modules
            module            g711.so
            module            aufile.so
            module            aubridge.so
            module_tmp        account.so
            module_app        menu.so
            module_app        ctrl_tcp.so
            ctrl_tcp_listen   127.0.0.1:\(control)
            statmode_default  off

            """
        try config.write(toFile: folder + "/config", atomically: true, encoding: .utf8)
        try "<sip:demo@127.0.0.1>;regint=0;answermode=\(answerMode);audio_codecs=PCMU,PCMA\n"
            .write(toFile: folder + "/accounts", atomically: true, encoding: .utf8)
        try "".write(toFile: folder + "/contacts", atomically: true, encoding: .utf8)
        let log = folder + "/baresip.log"
        let process = try launch(Self.baresip, ["-f", folder, "-t", String(lifetime)], folder: folder, log: log)
        // Generous: on a loaded machine start-up can take seconds.
        let deadline = Date().addingTimeInterval(45)
        while Date() < deadline {
            if Self.read(log).contains("baresip is ready.") { return "sip:demo@127.0.0.1:\(port)" }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        throw Failure.didNotStart("baresip", log: Self.read(log))
    }

    /// A sipp callee in `folder` that rings, then answers 486 Busy Here, `calls` times.
    func startBusy(folder: String, calls: Int) async throws -> String {
        try await retrying { try await self.startBusyOnce(folder: folder, calls: calls) }
    }

    private func startBusyOnce(folder: String, calls: Int) async throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let scenario = folder + "/uas_busy.xml"
        try Self.busyScenario.write(toFile: scenario, atomically: true, encoding: .utf8)
        let port = Self.freePort()
        let log = folder + "/sipp.log"
        let process = try launch(Self.sipp, ["-sf", scenario, "-i", "127.0.0.1", "-p", String(port), "-mi", "127.0.0.1",
                                             "-mp", String(Self.freePort()), "-ci", "127.0.0.1", "-cp", String(Self.freePort()),
                                             "-m", String(calls), "-nostdin", "-timeout", String(lifetime)],
                                 folder: folder, log: log)
        // Ready once its SIP port is taken.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, process.isRunning {
            if !Self.isFree(port: port, type: Int32(SOCK_DGRAM.rawValue)) { return "sip:busy@127.0.0.1:\(port)" }
            try await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        throw Failure.didNotStart("sipp", log: Self.read(log))
    }

    /// Three tries: a port picked free can be taken by another program
    /// before the callee binds it (other tests, other demos).
    private func retrying(_ start: () async throws -> String) async throws -> String {
        var failure: (any Error)?
        for _ in 0..<3 {
            do {
                return try await start()
            } catch {
                failure = error
            }
        }
        throw failure!
    }

    /// The process ids of the callees still running.
    var running: [Int32] {
        processes.withLock { $0.filter(\.isRunning).map(\.processIdentifier) }
    }

    /// Ends every callee: TERM, TERM again after a second (baresip waits for
    /// its pending BYEs otherwise), then KILL. Blocks until they are gone.
    func stopAll() {
        let all = processes.withLock { list in
            defer { list.removeAll() }
            return list
        }
        for signal in [SIGTERM, SIGTERM, SIGKILL] {
            let alive = all.filter(\.isRunning)
            if alive.isEmpty { return }
            for process in alive { kill(process.processIdentifier, signal) }
            let deadline = Date().addingTimeInterval(1)
            while Date() < deadline, all.contains(where: \.isRunning) { usleep(20_000) }
        }
    }

    private func launch(_ executable: String, _ arguments: [String], folder: String, log: String) throws -> Process {
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        processes.withLock { $0.append(process) }
        return process
    }

    private static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    /// A port free for UDP and TCP on loopback, from 15000–19999: below the
    /// kernel's ephemeral range, so the robot's agent (port 0) cannot take it
    /// between the pick and the callee's bind.
    static func freePort() -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: 15000...19999)
            if isFree(port: port, type: Int32(SOCK_DGRAM.rawValue)), isFree(port: port, type: Int32(SOCK_STREAM.rawValue)) { return port }
        }
        return Int.random(in: 15000...19999)
    }

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

    /// Rings, then answers 486 Busy Here; expects the ACK.
    static let busyScenario = """
        <?xml version="1.0" encoding="ISO-8859-1" ?>
        <scenario name="busy">
          <recv request="INVITE"/>
          <send><![CDATA[

              SIP/2.0 180 Ringing
              [last_Via:]
              [last_From:]
              [last_To:];tag=[pid]SIPpTag01[call_number]
              [last_Call-ID:]
              [last_CSeq:]
              Contact: <sip:[local_ip]:[local_port];transport=[transport]>
              Content-Length: 0

            ]]></send>
          <send><![CDATA[

              SIP/2.0 486 Busy Here
              [last_Via:]
              [last_From:]
              [last_To:];tag=[pid]SIPpTag01[call_number]
              [last_Call-ID:]
              [last_CSeq:]
              Content-Length: 0

            ]]></send>
          <recv request="ACK"/>
        </scenario>

        """
}

import Foundation
import MiniBotAudio

/// A baresip 1.0 callee on loopback (recipe: shared/research/telephony.md §1):
/// auto-answers, plays `voice` as what the person says (and hangs up at its
/// end), and records what it hears under `recordings`.
public struct Baresip: Sendable {
    public let peer: PeerProcess
    public let port: Int
    public let recordings: String

    /// - Parameters:
    ///   - registrar: a registrar on loopback (`Kamailio`) alice registers with, with this password, before
    ///     she is called through it; nil: she is called directly.
    ///   - lifetime: seconds after which baresip quits by itself (a safety net for a test that dies).
    public static func start(folder: String, voice: String, answerMode: String = "auto",
                             registrar: (port: Int, password: String)? = nil, lifetime: Int = 60) async throws -> Baresip {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/baresip") else { throw PeerError.notInstalled("baresip") }
        let port = PeerProcess.freePort()
        let control = PeerProcess.freePort()
        let rtpBase = 20000 + (port % 200) * 100
        let recordings = folder + "/rec"
        try FileManager.default.createDirectory(atPath: recordings, withIntermediateDirectories: true)
        let config = """
            poll_method       epoll
            sip_listen        127.0.0.1:\(port)
            net_interface     127.0.0.1
            call_max_calls    8
            audio_source      aufile,\(voice)
            audio_player      aubridge,nil
            audio_alert       aubridge,nil
            rtp_ports         \(rtpBase)-\(rtpBase + 99)
            module_path       /usr/lib/baresip/modules
            module            g711.so
            module            aufile.so
            module            aubridge.so
            module            sndfile.so
            snd_path          \(recordings)
            module_tmp        account.so
            module_app        menu.so
            module_app        ctrl_tcp.so
            ctrl_tcp_listen   127.0.0.1:\(control)
            statmode_default  off

            """
        try config.write(toFile: folder + "/config", atomically: true, encoding: .utf8)
        let account = registrar.map { "<sip:alice@127.0.0.1:\($0.port)>;auth_pass=\($0.password);regint=300" }
            ?? "<sip:alice@127.0.0.1>;regint=0"
        try "\(account);answermode=\(answerMode);audio_codecs=PCMU,PCMA\n"
            .write(toFile: folder + "/accounts", atomically: true, encoding: .utf8)
        try "".write(toFile: folder + "/contacts", atomically: true, encoding: .utf8)
        let peer = try PeerProcess("/usr/bin/baresip", arguments: ["-f", folder, "-t", String(lifetime)], folder: folder, name: "baresip")
        // Generous: under a parallel test run on 2 cores, start-up can take seconds.
        guard await peer.waitFor("baresip is ready.", seconds: 45) else {
            await peer.stop()
            throw PeerError.didNotStart("baresip", log: peer.output)
        }
        return Baresip(peer: peer, port: port, recordings: recordings)
    }

    public var uri: String { "sip:alice@127.0.0.1:\(port)" }

    /// What baresip heard in its (only) call, once the call ended.
    public func heard() async throws -> PCMBuffer {
        var files: [String] = []
        for _ in 0..<40 {
            files = (try? FileManager.default.contentsOfDirectory(atPath: recordings))?.filter { $0.hasSuffix("-dec.wav") } ?? []
            if let file = files.first, let contents = try? WAVFile.read(path: recordings + "/" + file), !contents.buffer.isEmpty {
                return contents.buffer
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw PeerError.didNotStart("baresip recording", log: "no -dec.wav in \(recordings): \(files)")
    }
}

/// A sipp 3.6 scenario run as the far end (§2 of the research notes). The
/// scenarios are in `Tests/MiniBotTestSupport/Scenarios`.
public struct Sipp: Sendable {
    public let peer: PeerProcess
    public let port: Int
    /// The port its RTP leaves from (`-mp`, `[media_port]`).
    public var mediaPort = 0

    public static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Scenarios").path

    /// Starts `sipp` with `scenario` (a file name in ``scenarios``) for one call.
    /// - Parameters:
    ///   - calls: how many calls sipp takes before it stops (`-m`).
    ///   - timeout: seconds after which sipp quits whatever happens.
    public static func start(scenario: String, folder: String, calls: Int = 1, timeout: Int = 40, extra: [String] = []) async throws -> Sipp {
        let scenario = scenario.hasPrefix("/") ? scenario : scenarios + "/" + scenario
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/sipp") else { throw PeerError.notInstalled("sipp") }
        // A free port can be taken by a test running beside this one before sipp binds it; sipp
        // then exits at once, and another set of ports is tried.
        var log = ""
        for _ in 1...3 {
            let port = PeerProcess.freePort()
            let media = PeerProcess.freePort()
            let control = PeerProcess.freePort()
            let arguments = ["-sf", scenario, "-i", "127.0.0.1", "-p", String(port), "-mi", "127.0.0.1", "-mp", String(media),
                             "-ci", "127.0.0.1", "-cp", String(control), "-m", String(calls), "-nostdin", "-timeout", String(timeout),
                             "-trace_err", "-error_file", folder + "/sipp-errors.log"] + extra
            let peer = try PeerProcess("/usr/bin/sipp", arguments: arguments, folder: folder, name: "sipp")
            // Ready once its SIP port is taken (TCP with -t t1/tn), and still running a moment later.
            let tcp = extra.contains("t1") || extra.contains("tn")
            let isFree = { tcp ? PeerProcess.isFree(tcpPort: port) : PeerProcess.isFree(udpPort: port) }
            for _ in 0..<600 where peer.process.isRunning && isFree() {
                try await Task.sleep(for: .milliseconds(50))
            }
            if peer.process.isRunning, !isFree() {
                try await Task.sleep(for: .milliseconds(100))
                if peer.process.isRunning {
                    var sipp = Sipp(peer: peer, port: port)
                    sipp.mediaPort = media
                    return sipp
                }
            }
            await peer.stop()
            log = peer.output
        }
        throw PeerError.didNotStart("sipp", log: log)
    }

    public func uri(user: String = "svc") -> String { "sip:\(user)@127.0.0.1:\(port)" }

    public var errors: String { (try? String(contentsOfFile: peer.folder + "/sipp-errors.log", encoding: .utf8)) ?? "" }
}

public enum Tone {
    /// A sine at `frequency` Hz, 8 kHz.
    public static func sine(_ frequency: Double, seconds: Double, amplitude: Double = 8000) -> PCMBuffer {
        let count = Int(seconds * 8000)
        return PCMBuffer(sampleRate: 8000, samples: (0..<count).map { Int16(amplitude * sin(2 * .pi * frequency * Double($0) / 8000)) })
    }

    /// The frequency of a steady tone from its zero crossings, over the loud part.
    public static func frequency(of buffer: PCMBuffer) -> Double {
        let loud = buffer.samples.drop { abs(Int($0)) < 1000 }
        let samples = Array(loud.reversed().drop { abs(Int($0)) < 1000 }.reversed())
        guard samples.count > 800 else { return 0 }
        var crossings = 0
        for index in 1..<samples.count where (samples[index - 1] < 0) != (samples[index] < 0) { crossings += 1 }
        return Double(crossings) / 2 / (Double(samples.count) / 8000)
    }
}

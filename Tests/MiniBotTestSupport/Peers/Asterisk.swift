import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A private, throw-away Asterisk (20 or newer) for ARI tests: its own config
/// folder (ARI on loopback on a free port, a private RTP range, the test's
/// dialplan, `AMD()`'s sample settings), started as a child process and stopped with the test.
///
/// The binary is `$MINIBOT_TEST_ASTERISK`, else `asterisk` on the PATH. Its
/// modules and data folder are found next to it (`<prefix>/lib/asterisk/modules`,
/// `<prefix>/var/lib/asterisk`, or Debian's `/usr/lib/…`, `/usr/share/asterisk`);
/// `$MINIBOT_TEST_ASTERISK_MODULES` / `$MINIBOT_TEST_ASTERISK_DATA` override them.
public struct Asterisk: Sendable {
    public let peer: PeerProcess
    public let folder: String
    public let httpPort: Int
    public let username = "minibot"
    public let password: String

    public var url: String { "http://127.0.0.1:\(httpPort)" }

    /// The asterisk binary, or nil when none is installed.
    public static var binary: String? {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["MINIBOT_TEST_ASTERISK"], !explicit.isEmpty {
            return FileManager.default.isExecutableFile(atPath: explicit) ? explicit : nil
        }
        let path = (environment["PATH"] ?? "/usr/sbin:/usr/bin") + ":/usr/sbin:/usr/local/sbin"
        return path.split(separator: ":").map { "\($0)/asterisk" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Why the Asterisk tests are skipped, or nil when they can run.
    public static var unavailableReason: String? {
        binary == nil ? "no Asterisk: put `asterisk` on the PATH or set MINIBOT_TEST_ASTERISK to its binary (README, telephony section)" : nil
    }

    /// True when the Asterisk found has chan_pjsip (built with pjproject), for SIP trunk tests.
    public static var hasPJSIP: Bool {
        modules.map { FileManager.default.fileExists(atPath: $0 + "/chan_pjsip.so") } ?? false
    }

    /// Why the PJSIP tests are skipped, or nil when they can run.
    public static var pjsipUnavailableReason: String? {
        unavailableReason ?? (hasPJSIP ? nil : "this Asterisk has no chan_pjsip (built without pjproject: see ../shared/research/asterisk.md)")
    }

    /// The modules folder next to the binary (or Debian's), `$MINIBOT_TEST_ASTERISK_MODULES` first.
    static var modules: String? {
        guard let binary else { return nil }
        let prefix = URL(fileURLWithPath: binary).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent().path
        return ProcessInfo.processInfo.environment["MINIBOT_TEST_ASTERISK_MODULES"]
            ?? [prefix + "/lib/asterisk/modules", "/usr/lib/x86_64-linux-gnu/asterisk/modules", "/usr/lib/asterisk/modules"]
            .first { FileManager.default.fileExists(atPath: $0 + "/res_ari.so") } ?? prefix + "/lib/asterisk/modules"
    }

    /// Starts Asterisk with `dialplan` as extensions.conf; returns once ARI answers.
    /// `pjsip`: a pjsip.conf, which loads chan_pjsip (left out otherwise).
    /// `httpPort` and `password`: those of an earlier instance, to start it again where clients expect it.
    /// `lifetime`: seconds after which it is killed whatever happens (a safety net for a test that dies).
    public static func start(folder: String, dialplan: String, pjsip: String? = nil, rtpPorts: ClosedRange<Int> = 46000...46999,
                             httpPort: Int? = nil, password: String? = nil, lifetime: Int = 900) async throws -> Asterisk {
        guard let binary, let modules else { throw PeerError.notInstalled("asterisk") }
        let environment = ProcessInfo.processInfo.environment
        let prefix = URL(fileURLWithPath: binary).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent().path
        let data = environment["MINIBOT_TEST_ASTERISK_DATA"] ?? [prefix + "/var/lib/asterisk", "/usr/share/asterisk", "/var/lib/asterisk"]
            .first { FileManager.default.fileExists(atPath: $0 + "/documentation") } ?? prefix + "/var/lib/asterisk"
        let httpPort = httpPort ?? PeerProcess.freePort()
        let password = password ?? UUID().uuidString
        for sub in ["etc", "varlib", "db", "keys", "agi", "spool", "run", "log", "cache"] {
            try FileManager.default.createDirectory(atPath: folder + "/" + sub, withIntermediateDirectories: true)
        }
        let etc = folder + "/etc"
        let files: [String: String] = [
            "asterisk.conf": """
                [directories]
                astetcdir => \(etc)
                astmoddir => \(modules)
                astvarlibdir => \(folder)/varlib
                astdbdir => \(folder)/db
                astkeydir => \(folder)/keys
                astdatadir => \(data)
                astagidir => \(folder)/agi
                astspooldir => \(folder)/spool
                astrundir => \(folder)/run
                astlogdir => \(folder)/log
                astcachedir => \(folder)/cache

                [options]
                ; Silence on channels that have nothing to send (Wait()), so the RTP stream never stops.
                transmit_silence = yes
                """,
            "modules.conf": """
                [modules]
                autoload = yes
                \(pjsip == nil ? "noload = chan_pjsip.so\nnoload = res_pjsip.so" : "")
                noload = chan_iax2.so
                noload = chan_unistim.so
                noload = chan_mgcp.so
                noload = chan_skinny.so
                noload = res_hep.so
                noload = cdr_csv.so
                noload = cel_custom.so
                """,
            "logger.conf": "[general]\n[logfiles]\nmessages.log => notice,warning,error\n",
            "http.conf": "[general]\nenabled = yes\nbindaddr = 127.0.0.1\nbindport = \(httpPort)\n",
            "ari.conf": "[general]\nenabled = yes\n\n[minibot]\ntype = user\nread_only = no\npassword = \(password)\n",
            "rtp.conf": "[general]\nrtpstart = \(rtpPorts.lowerBound)\nrtpend = \(rtpPorts.upperBound)\n",
            "extensions.conf": dialplan,
            // Asterisk's sample values: without this file app_amd declines to load and AMD() does not exist.
            "amd.conf": """
                [general]
                initial_silence = 2500
                greeting = 1500
                after_greeting_silence = 800
                total_analysis_time = 5000
                min_word_length = 100
                between_words_silence = 50
                maximum_number_of_words = 2
                silence_threshold = 256
                maximum_word_length = 5000
                """,
        ]
        for (name, text) in files.merging(pjsip.map { ["pjsip.conf": $0] } ?? [:], uniquingKeysWith: { $1 }) {
            try text.write(toFile: etc + "/" + name, atomically: true, encoding: .utf8)
        }
        // Under `timeout`, as baresip runs with -t: a test process that dies cannot leave Asterisk running.
        let peer = try PeerProcess("/usr/bin/timeout", arguments: ["-s", "KILL", "\(lifetime)", binary, "-C", etc + "/asterisk.conf", "-f", "-n", "-q"],
                                   folder: folder, name: "asterisk")
        let asterisk = Asterisk(peer: peer, folder: folder, httpPort: httpPort, password: password)
        guard await asterisk.waitForARI(seconds: 60) else {
            await peer.stop()
            let log = (try? String(contentsOfFile: folder + "/log/messages.log", encoding: .utf8)) ?? ""
            throw PeerError.didNotStart("asterisk", log: peer.output + "\n" + log)
        }
        return asterisk
    }

    /// Polls `GET /ari/asterisk/info` until it answers 200.
    public func waitForARI(seconds: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, peer.process.isRunning {
            if await infoStatus() == 200 { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    private func infoStatus() async -> Int? {
        var request = URLRequest(url: URL(string: url + "/ari/asterisk/info")!)
        request.setValue("Basic " + Data("\(username):\(password)".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        request.timeoutInterval = 2
        return await withCheckedContinuation { continuation in
            URLSession.shared.dataTask(with: request) { _, response, _ in
                continuation.resume(returning: (response as? HTTPURLResponse)?.statusCode)
            }.resume()
        }
    }

    /// Runs a CLI command in the running Asterisk (`core show channels`).
    @discardableResult
    public func cli(_ command: String) throws -> String {
        guard let binary = Self.binary else { throw PeerError.notInstalled("asterisk") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-C", folder + "/etc/asterisk.conf", "-rx", command]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self)
    }

    /// Stops Asterisk: `core stop now` (it takes SIGTERM as a request for a
    /// graceful shutdown and may linger), then SIGKILL if it is still there.
    public func stop() async {
        guard peer.process.isRunning else { return }
        _ = try? cli("core stop now")
        if await peer.waitForExit(seconds: 5) == nil { await kill() }
        await peer.stop()
    }

    /// Kills Asterisk at once, as a crash would (the process under `timeout`).
    public func kill() async {
        for child in Self.children(of: peer.process.processIdentifier) { Foundation.kill(child, SIGKILL) }
        _ = await peer.waitForExit(seconds: 5)
    }

    /// Asterisk's own process, the child of `timeout` (to read its CPU time); nil once it has gone.
    public var serverProcessID: Int32? { Self.children(of: peer.process.processIdentifier).first }

    static func children(of parent: Int32) -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == parent
        }
    }
}

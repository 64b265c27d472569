import Foundation

/// Kamailio 5.6 on loopback as a registrar and record-routing proxy that
/// challenges every new INVITE with 407 (recipe: shared/research/telephony.md
/// §3). baresip cannot challenge the calls it receives; behind this proxy it is
/// a callee that needs digest authentication, like a PBX extension.
public struct Kamailio: Sendable {
    public let peer: PeerProcess
    public let port: Int

    public static let executable = "/usr/sbin/kamailio"

    /// - Parameters:
    ///   - password: what callers (any user name) and registering phones must prove they know.
    ///   - lifetime: seconds after which kamailio is stopped anyway (a safety net for a test that dies).
    public static func start(folder: String, password: String, lifetime: Int = 120) async throws -> Kamailio {
        guard FileManager.default.isExecutableFile(atPath: executable) else { throw PeerError.notInstalled("kamailio") }
        let modules = ["/usr/lib/x86_64-linux-gnu/kamailio/modules", "/usr/lib/aarch64-linux-gnu/kamailio/modules",
                       "/usr/lib/kamailio/modules"].first { FileManager.default.fileExists(atPath: $0) }
        guard let modules else { throw PeerError.notInstalled("kamailio modules") }
        let port = PeerProcess.freePort()
        let run = folder + "/run"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        let config = """
            #!KAMAILIO
            debug=2
            log_stderror=yes
            children=2
            auto_aliases=no
            listen=udp:127.0.0.1:\(port)
            alias="127.0.0.1:\(port)"
            mpath="\(modules)"
            loadmodule "kex.so"
            loadmodule "corex.so"
            loadmodule "tm.so"
            loadmodule "sl.so"
            loadmodule "rr.so"
            loadmodule "pv.so"
            loadmodule "maxfwd.so"
            loadmodule "textops.so"
            loadmodule "siputils.so"
            loadmodule "xlog.so"
            loadmodule "sanity.so"
            loadmodule "usrloc.so"
            loadmodule "registrar.so"
            loadmodule "auth.so"
            modparam("usrloc", "db_mode", 0)

            request_route {
                if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
                if (is_method("CANCEL")) { if (t_check_trans()) t_relay(); exit; }
                if (has_totag()) {
                    if (loose_route()) { t_relay(); exit; }
                    if (is_method("ACK")) { if (t_check_trans()) t_relay(); exit; }
                    sl_send_reply("404", "Not here"); exit;
                }
                t_check_trans();
                if (is_method("REGISTER")) {
                    if (!pv_www_authenticate("minibot.test", "\(password)", "0")) { www_challenge("minibot.test", "0"); exit; }
                    consume_credentials();
                    if (save("location")) { xlog("L_NOTICE", "registered $tU\\n"); }
                    exit;
                }
                if (is_method("INVITE")) {
                    if (!pv_proxy_authenticate("minibot.test", "\(password)", "0")) { proxy_challenge("minibot.test", "0"); exit; }
                    xlog("L_NOTICE", "authenticated INVITE from $au\\n");
                    consume_credentials();
                    record_route();
                }
                if (!lookup("location")) { sl_send_reply("404", "Not Found"); exit; }
                t_relay();
            }

            """
        try config.write(toFile: folder + "/kamailio.cfg", atomically: true, encoding: .utf8)
        // Started by `timeout`, not directly: kamailio closes every descriptor it inherits, and Foundation's
        // Process learns that a child ended when the child's end of a socket pair closes; it then waits for that
        // child, blocking the thread that reaps every other child (a minibot run after it never returned).
        // `timeout` keeps the descriptor and puts kamailio in a process group of its own, which `stop()` kills
        // whole; it kills it too after `lifetime` seconds if a test dies without stopping it.
        let arguments = ["-f", folder + "/kamailio.cfg", "-DD", "-E", "-Y", run, "-P", run + "/kamailio.pid", "-w", run]
        let peer = try PeerProcess("/usr/bin/timeout", arguments: ["--kill-after=2", String(lifetime), executable] + arguments,
                                   folder: folder, name: "kamailio")
        // Its UDP socket is bound once it has sized the receive buffer.
        guard await peer.waitFor("SO_RCVBUF is finally", seconds: 20) else {
            await peer.stop()
            throw PeerError.didNotStart("kamailio", log: peer.output)
        }
        return Kamailio(peer: peer, port: port)
    }

    /// Kills kamailio and its workers. Not TERM: a child started from a thread of the test runner inherits that
    /// thread's signal mask, and kamailio leaves TERM blocked.
    public func stop() async {
        guard peer.process.isRunning else { return }
        kill(-peer.process.processIdentifier, SIGKILL)
        _ = await peer.waitForExit(seconds: 5)
    }

    /// Waits until `user` has registered; false after `seconds`.
    public func waitForRegistration(of user: String, seconds: Double = 15) async -> Bool {
        // usrloc keeps its table in memory; a REGISTER that got 200 is the proof.
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if peer.output.contains("registered \(user)") { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}

import Foundation
import Logging
import MiniBotCore
import MiniBotTestSupport
import Testing
@testable import MiniBotSIP

/// Many short calls in a row against sipp: nothing may be left behind.
/// CI places 1,000; `minibot-bench sip-churn` places 10,000 (same check).
@Suite("SIP agent: no leaks after many calls (sipp)", .serialized)
struct SIPAgentChurnPeerTests {
    let folder = temporaryFolder("minibot-churn")

    static func openFileDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }

    /// What the open descriptors are, for a failure message: "udp:PORT", "tcp:PORT", or the link target.
    static func describeFileDescriptors() -> [String: Int] {
        var ports: [String: String] = [:]
        for (file, kind) in [("/proc/self/net/udp", "udp"), ("/proc/self/net/tcp", "tcp"), ("/proc/self/net/udp6", "udp6")] {
            let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 9, let colon = fields[1].lastIndex(of: ":") else { continue }
                let port = Int(fields[1][fields[1].index(after: colon)...], radix: 16) ?? 0
                ports[String(fields[9])] = "\(kind):\(port / 100 * 100)s"
            }
        }
        var kinds: [String: Int] = [:]
        for fd in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + fd)) ?? "?"
            var kind = target
            if target.hasPrefix("socket:["), let inode = target.dropFirst(8).split(separator: "]").first {
                kind = ports[String(inode)] ?? "socket"
            } else if target.hasPrefix("anon_inode:") || target.hasPrefix("pipe:") {
                kind = String(target.prefix { $0 != "[" })
            }
            kinds[kind, default: 0] += 1
        }
        return kinds
    }

    @Test("1,000 calls of 200 ms, 100 at a time, leave the open file descriptors and the call table at their baseline")
    func noLeaksAfterAThousandCalls() async throws {
        let total = Int(ProcessInfo.processInfo.environment["MINIBOT_TEST_CHURN_CALLS"] ?? "") ?? 1000, concurrent = 100
        let sipp = try await Sipp.start(scenario: "uas_answer_bye.xml", folder: folder, extra: ["-m", String(total), "-l", String(concurrent * 2)])
        defer { Task { await sipp.peer.stop() } }
        let port = 31000 + Int.random(in: 0..<2000) * 2
        // T1 250 ms: ended calls are forgotten after 64 × T1 = 16 s, not 32 s. (With 50 ms,
        // INVITEs retransmitted while sipp was slow to answer reached it after the
        // ACK: sipp took them for unexpected messages and aborted those calls.)
        let agent = SIPAgent(configuration: .init(bindHost: "127.0.0.1", bindPort: 0, rtpPorts: port...(port + 2 * concurrent + 400),
                                                  timers: SIPTimers(t1: .milliseconds(250))), logger: SIPAgentPeerTests.logger)
        let (baseline, after, answered, failures, calls, sessions) = try await withThrowingTaskGroup(of: (Int, Int, Int, [String], Int, Int)?.self) { group in
            group.addTask { try await agent.run(); return nil }
            group.addTask {
                _ = try await agent.ready()
                let target = try SIPURI(parsing: sipp.uri())
                let from = NameAddress(uri: SIPURI(user: "churn", host: "127.0.0.1"))
                // A first call opens what stays open for the agent's life (thread pool, probe cache).
                let warm = try await agent.call(target, from: from)
                await warm.hangup()
                _ = await warm.ended()
                try await Self.waitUntil(seconds: 10) { await agent.activeCalls == 0 }
                let baseline = Self.openFileDescriptors()
                var answered = 1
                var failures: [String] = []
                try await withThrowingTaskGroup(of: String?.self) { calls in
                    var started = 1
                    func place() {
                        calls.addTask {
                            do {
                                let call = try await agent.call(target, from: from, ringTimeout: .seconds(10))
                                try await Task.sleep(for: .milliseconds(200))
                                await call.hangup()
                                let end = await call.ended()
                                return end.code == 200 ? nil : "ended with \(String(describing: end.code))"
                            } catch {
                                return "\(error)"
                            }
                        }
                    }
                    while started < min(total, concurrent) { place(); started += 1 }
                    while let result = try await calls.next() {
                        if let result { failures.append(result) } else { answered += 1 }
                        if started < total { place(); started += 1 }
                    }
                }
                try await Self.waitUntil(seconds: 30) { await agent.activeCalls == 0 && agent.tickingSessions == 0 }
                try await Task.sleep(for: .milliseconds(500))
                let open = Self.openFileDescriptors()
                if open > baseline + 16 { print("open descriptors after the calls: \(Self.describeFileDescriptors().sorted { $0.value > $1.value }.prefix(12))") }
                return (baseline, open, answered, failures, await agent.activeCalls, agent.tickingSessions)
            }
            defer { group.cancelAll() }
            while let result = try await group.next() { if let result { return result } }
            throw SIPAgentError.notRunning
        }
        #expect(answered == total, "failures: \(failures.prefix(5))")
        #expect(calls == 0 && sessions == 0, "\(calls) calls and \(sessions) RTP sessions left")
        // The count is the whole process's: other suites running in parallel
        // (without --no-parallel) open a few of their own. A leak of one
        // descriptor in 50 calls would still show as 20.
        #expect(after - baseline <= 16, "open file descriptors: \(baseline) before, \(after) after \(total) calls")
        #expect(await sipp.peer.waitForExit(seconds: 30) == 0, "\(sipp.errors.prefix(2000))")
        // When calls failed, sipp still waits for the rest of its -m calls: stop it now,
        // not in a deferred task the test process may not live to run.
        await sipp.peer.stop()
    }

    static func waitUntil(seconds: Double, _ condition: @Sendable () async -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

import ArgumentParser
import Foundation
import Logging
import MiniBotSIP

/// Many short calls in a row against sipp (issue 5: "no file descriptor or
/// task leaks after 10,000 calls"): open file descriptors, the agent's call
/// table and its RTP sessions must be back at their baseline afterwards.
/// The CI test (`SIPAgentChurnPeerTests`) does the same with 1,000 calls.
struct SIPChurnBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sip-churn",
        abstract: "SIP leak check: N short calls against sipp, then file descriptors and call table vs the baseline."
    )

    @Option(help: "Calls in all.")
    var calls = 10_000

    @Option(help: "Calls up at once.")
    var concurrent = 100

    @Option(help: "Milliseconds each call stays up.")
    var hold = 300

    struct Report: Encodable {
        let benchmark = "sip-churn"
        var calls: Int
        var concurrent: Int
        var answered: Int
        var failed: Int
        var seconds: Double
        var callsPerSecond: Double
        var fdBaseline: Int
        var fdAfter: Int
        var fdPeak: Int
        var activeCallsAfter: Int
        var rssBaselineKiB: Int
        var rssAfterKiB: Int

        enum CodingKeys: String, CodingKey {
            case benchmark, calls, concurrent, answered, failed, seconds
            case callsPerSecond = "calls_per_second", fdBaseline = "fd_baseline", fdAfter = "fd_after", fdPeak = "fd_peak"
            case activeCallsAfter = "active_calls_after", rssBaselineKiB = "rss_baseline_kib", rssAfterKiB = "rss_after_kib"
        }
    }

    static func openFileDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("minibot-bench-churn-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let scenario = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Tests/MiniBotTestSupport/Scenarios/uas_answer_bye.xml").path
        let sipPort = 27000 + Int.random(in: 0..<1000)
        let sipp = Process()
        sipp.executableURL = URL(fileURLWithPath: "/usr/bin/sipp")
        sipp.arguments = ["-sf", scenario, "-i", "127.0.0.1", "-p", String(sipPort), "-mi", "127.0.0.1", "-mp", String(sipPort + 2),
                          "-ci", "127.0.0.1", "-cp", String(sipPort + 10), "-m", String(calls + 1), "-l", String(concurrent * 2), "-nostdin"]
        sipp.currentDirectoryURL = URL(fileURLWithPath: folder)
        sipp.standardOutput = FileHandle.nullDevice
        sipp.standardError = FileHandle.nullDevice
        try sipp.run()
        defer { kill(sipp.processIdentifier, SIGKILL) }
        try await Task.sleep(for: .milliseconds(500))

        let rtpBase = 34000
        // T1 250 ms: ended calls are forgotten after 64 × T1 = 16 s.
        let agent = SIPAgent(configuration: .init(bindHost: "127.0.0.1", bindPort: 0, rtpPorts: rtpBase...(rtpBase + 4 * concurrent + 400),
                                                  timers: SIPTimers(t1: .milliseconds(250))), logger: logger)
        let calls = self.calls, concurrent = self.concurrent, hold = self.hold
        let report = try await withThrowingTaskGroup(of: Report?.self) { group in
            group.addTask { try await agent.run(); return nil }
            group.addTask {
                _ = try await agent.ready()
                let target = try SIPURI(parsing: "sip:churn@127.0.0.1:\(sipPort)")
                let from = NameAddress(uri: SIPURI(user: "bench", host: "127.0.0.1"))
                let warm = try await agent.call(target, from: from)
                await warm.hangup()
                _ = await warm.ended()
                while await agent.activeCalls > 0 { try await Task.sleep(for: .milliseconds(100)) }
                let fdBaseline = Self.openFileDescriptors(), rssBaseline = SIPLoadBench.residentKiB()
                var fdPeak = fdBaseline
                let started = Date()
                var answered = 0, failed = 0
                await withTaskGroup(of: Bool.self) { group in
                    var placed = 0
                    func place() {
                        group.addTask {
                            guard let call = try? await agent.call(target, from: from, ringTimeout: .seconds(10)) else { return false }
                            try? await Task.sleep(for: .milliseconds(hold))
                            await call.hangup()
                            return await call.ended().code == 200
                        }
                        placed += 1
                    }
                    while placed < min(calls, concurrent) { place() }
                    while let ok = await group.next() {
                        if ok { answered += 1 } else { failed += 1 }
                        if placed < calls { place() }
                        if (answered + failed) % 1000 == 0 {
                            fdPeak = max(fdPeak, Self.openFileDescriptors())
                            FileHandle.standardError.write(Data("  \(answered + failed) calls, \(Self.openFileDescriptors()) fds\n".utf8))
                        }
                    }
                }
                let seconds = Date().timeIntervalSince(started)
                for _ in 0..<300 where await agent.activeCalls > 0 { try await Task.sleep(for: .milliseconds(100)) }
                try await Task.sleep(for: .milliseconds(500))
                return Report(calls: calls, concurrent: concurrent, answered: answered, failed: failed, seconds: seconds,
                              callsPerSecond: Double(answered + failed) / seconds, fdBaseline: fdBaseline, fdAfter: Self.openFileDescriptors(),
                              fdPeak: fdPeak, activeCallsAfter: await agent.activeCalls,
                              rssBaselineKiB: rssBaseline, rssAfterKiB: SIPLoadBench.residentKiB())
            }
            defer { group.cancelAll() }
            while let report = try await group.next() { if let report { return report } }
            throw ValidationError("the SIP agent stopped")
        }
        print(String(format: "calls %d (%d at once): %d answered, %d failed in %.1f s (%.0f calls/s)\n"
                     + "open fds: %d before, %d after (peak %d); calls in the table after: %d; RSS %d → %d KiB",
                     report.calls, report.concurrent, report.answered, report.failed, report.seconds, report.callsPerSecond,
                     report.fdBaseline, report.fdAfter, report.fdPeak, report.activeCallsAfter, report.rssBaselineKiB, report.rssAfterKiB))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }
}

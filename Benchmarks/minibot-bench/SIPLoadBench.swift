import ArgumentParser
import Foundation
import Logging
import MiniBotAudio
import MiniBotSIP

/// Many concurrent calls through the built-in SIP agent to sipp, every call
/// streaming RTP both ways: CPU and memory per call, send-interval jitter,
/// and packets lost inside our process.
struct SIPLoadBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sip",
        abstract: "SIP/RTP load: concurrent calls against sipp, CPU, memory and send jitter per call."
    )

    @Option(help: "Concurrent call counts, comma-separated.")
    var calls = "50,200,500"

    @Option(help: "Seconds every call stays up, streaming both ways.")
    var seconds = 30.0

    struct Row: Codable {
        var calls: Int
        var answered: Int
        var cpuPercentPerCall: Double
        var memoryKiBPerCall: Double
        var sendJitterP50Ms: Double
        var sendJitterP99Ms: Double
        var sendJitterMaxMs: Double
        var packetsSent: Int
        var packetsReceived: Int
        var lostInProcess: Int
        var lostOnNetwork: Int

        enum CodingKeys: String, CodingKey {
            case calls, answered
            case cpuPercentPerCall = "cpu_percent_per_call", memoryKiBPerCall = "memory_kib_per_call"
            case sendJitterP50Ms = "send_jitter_p50_ms", sendJitterP99Ms = "send_jitter_p99_ms", sendJitterMaxMs = "send_jitter_max_ms"
            case packetsSent = "packets_sent", packetsReceived = "packets_received"
            case lostInProcess = "lost_in_process", lostOnNetwork = "lost_on_network"
        }
    }

    func run() async throws {
        let counts = calls.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("minibot-bench-sip-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // sipp's voice: 1 s of 440 Hz as raw µ-law.
        let tone = (0..<8000).map { Int16(6000 * sin(2 * .pi * 440 * Double($0) / 8000)) }
        FileManager.default.createFile(atPath: folder + "/tone.ulaw", contents: Data(G711.encode(tone, law: .muLaw)))
        let scenario = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Tests/MiniBotTestSupport/Scenarios/uas_answer_rtp.xml").path

        var rows: [Row] = []
        for count in counts {
            rows.append(try await measure(count, scenario: scenario, folder: folder, logger: logger))
            FileHandle.standardError.write(Data("  \(count) calls done\n".utf8))
        }
        var table = "calls  answered  CPU %/call  KiB/call  jitter p50  p99     max      sent      received  lost in us  lost on net\n"
        for r in rows {
            table += String(format: "%5d  %8d  %10.3f  %8.0f  %7.2f ms  %5.2f ms %6.2f ms  %8d  %8d  %10d  %11d\n",
                            r.calls, r.answered, r.cpuPercentPerCall, r.memoryKiBPerCall, r.sendJitterP50Ms, r.sendJitterP99Ms,
                            r.sendJitterMaxMs, r.packetsSent, r.packetsReceived, r.lostInProcess, r.lostOnNetwork)
        }
        print(table)
        struct Report: Encodable { let benchmark = "sip"; let seconds: Double; let results: [Row] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(Report(seconds: seconds, results: rows)), as: UTF8.self))
    }

    private func measure(_ count: Int, scenario: String, folder: String, logger: Logger) async throws -> Row {
        let sipPort = 26000 + Int.random(in: 0..<1000)
        let sipp = Process()
        sipp.executableURL = URL(fileURLWithPath: "/usr/bin/sipp")
        sipp.arguments = ["-sf", scenario, "-i", "127.0.0.1", "-p", String(sipPort), "-mi", "127.0.0.1", "-mp", String(sipPort + 2),
                          "-ci", "127.0.0.1", "-cp", String(sipPort + 10), "-m", String(count), "-nostdin"]
        sipp.currentDirectoryURL = URL(fileURLWithPath: folder)
        sipp.standardOutput = FileHandle.nullDevice
        sipp.standardError = FileHandle.nullDevice
        try sipp.run()
        defer { kill(sipp.processIdentifier, SIGKILL) }
        try await Task.sleep(for: .milliseconds(500))

        let rtpBase = 32000
        let agent = SIPAgent(configuration: .init(bindHost: "127.0.0.1", bindPort: 0, rtpPorts: rtpBase...(rtpBase + 2 * count + 200)), logger: logger)
        return try await withThrowingTaskGroup(of: Row?.self) { group in
            group.addTask { try await agent.run(); return nil }
            group.addTask {
                _ = try await agent.ready()
                let target = try SIPURI(parsing: "sip:load@127.0.0.1:\(sipPort)")
                let from = NameAddress(uri: SIPURI(user: "bench", host: "127.0.0.1"))
                let rssBefore = Self.residentKiB()
                // Place every call, 100 a second, and keep those answered.
                let answered = await withTaskGroup(of: SIPCall?.self) { calls in
                    for index in 0..<count {
                        calls.addTask {
                            try? await Task.sleep(for: .milliseconds(10 * index))
                            return try? await agent.call(target, from: from, ringTimeout: .seconds(20))
                        }
                    }
                    var answered: [SIPCall] = []
                    for await call in calls { if let call { answered.append(call) } }
                    return answered
                }
                FileHandle.standardError.write(Data("  \(answered.count) of \(count) calls answered; holding \(seconds) s\n".utf8))
                let cpuStart = Self.cpuSeconds(), wallStart = Date()
                try await Task.sleep(for: .seconds(seconds))
                let cpu = Self.cpuSeconds() - cpuStart, wall = Date().timeIntervalSince(wallStart)
                let rssDuring = Self.residentKiB()
                var histogram = [Int](repeating: 0, count: 1001)
                var sent = 0, received = 0, lateInProcess = 0, lostOnNetwork = 0, maxLateness = 0
                for call in answered {
                    let s = call.rtp.statistics
                    for (index, value) in s.latenessHistogram.enumerated() { histogram[index] += value }
                    sent += s.sent
                    received += s.received.received
                    lateInProcess += s.received.late + s.received.duplicates
                    lostOnNetwork += s.received.lost
                    maxLateness = max(maxLateness, s.maxLatenessMicroseconds)
                }
                await withTaskGroup(of: Void.self) { hangups in
                    for call in answered { hangups.addTask { await call.hangup(); _ = await call.ended() } }
                }
                let merged = RTPSession.Statistics(latenessHistogram: histogram)
                return Row(calls: count, answered: answered.count,
                           cpuPercentPerCall: answered.isEmpty ? 0 : cpu / wall * 100 / Double(answered.count),
                           memoryKiBPerCall: answered.isEmpty ? 0 : Double(rssDuring - rssBefore) / Double(answered.count),
                           sendJitterP50Ms: merged.latenessPercentile(0.5), sendJitterP99Ms: merged.latenessPercentile(0.99),
                           sendJitterMaxMs: Double(maxLateness) / 1000, packetsSent: sent, packetsReceived: received,
                           lostInProcess: lateInProcess, lostOnNetwork: lostOnNetwork)
            }
            defer { group.cancelAll() }
            while let row = try await group.next() { if let row { return row } }
            throw ValidationError("the SIP agent stopped")
        }
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    static func residentKiB() -> Int {
        let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
    }
}

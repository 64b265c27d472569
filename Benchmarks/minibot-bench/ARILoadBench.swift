import ArgumentParser
import Foundation
import Logging
import MiniBotARI
import MiniBotAudio
import MiniBotSIP
import MiniBotTestSupport

/// Many concurrent calls through a real Asterisk over ARI (Local channels
/// whose far half echoes our audio back), every call streaming RTP both ways
/// through an externalMedia channel: the same figures as `sip`, for our
/// process, plus Asterisk's own CPU per call.
struct ARILoadBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ari",
        abstract: "ARI load: concurrent calls through a private Asterisk (MINIBOT_TEST_ASTERISK or asterisk on PATH), CPU per call."
    )

    @Option(help: "Concurrent call counts, comma-separated.")
    var calls = "10,50,100"

    @Option(help: "Seconds every call stays up, streaming both ways.")
    var seconds = 20.0

    struct Row: Codable {
        var calls: Int
        var answered: Int
        var cpuPercentPerCall: Double
        var asteriskCPUPercentPerCall: Double
        var memoryKiBPerCall: Double
        var sendJitterP99Ms: Double
        var packetsSent: Int
        var packetsReceived: Int
        var lostOnNetwork: Int
        var setupSeconds: Double

        enum CodingKeys: String, CodingKey {
            case calls, answered
            case cpuPercentPerCall = "cpu_percent_per_call", asteriskCPUPercentPerCall = "asterisk_cpu_percent_per_call"
            case memoryKiBPerCall = "memory_kib_per_call", sendJitterP99Ms = "send_jitter_p99_ms"
            case packetsSent = "packets_sent", packetsReceived = "packets_received", lostOnNetwork = "lost_on_network"
            case setupSeconds = "setup_seconds"
        }
    }

    func run() async throws {
        if let reason = Asterisk.unavailableReason { throw ValidationError(reason) }
        let counts = calls.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("minibot-bench-ari-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let dialplan = "[general]\n[callees]\nexten => echo,1,Answer()\n same => n,Echo()\n"
        let asterisk = try await Asterisk.start(folder: folder + "/asterisk", dialplan: dialplan, rtpPorts: 50000...59999)
        defer { Task { await asterisk.stop() } }
        var rows: [Row] = []
        for count in counts {
            rows.append(try await measure(count, asterisk: asterisk, logger: logger))
            FileHandle.standardError.write(Data("  \(count) calls done\n".utf8))
        }
        await asterisk.stop()
        var table = "calls  answered  CPU %/call (us)  Asterisk CPU %/call  KiB/call  jitter p99  sent      received  lost  set-up s\n"
        for r in rows {
            table += String(format: "%5d  %8d  %15.3f  %19.3f  %8.0f  %7.2f ms  %8d  %8d  %4d  %8.1f\n",
                            r.calls, r.answered, r.cpuPercentPerCall, r.asteriskCPUPercentPerCall, r.memoryKiBPerCall,
                            r.sendJitterP99Ms, r.packetsSent, r.packetsReceived, r.lostOnNetwork, r.setupSeconds)
        }
        print(table)
        struct Report: Encodable { let benchmark = "ari"; let seconds: Double; let results: [Row] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(Report(seconds: seconds, results: rows)), as: UTF8.self))
    }

    private func measure(_ count: Int, asterisk: Asterisk, logger: Logger) async throws -> Row {
        let agent = try ARIAgent(configuration: .init(url: asterisk.url, username: asterisk.username, password: asterisk.password,
                                                      app: "bench", rtpPorts: 40000...(40000 + 2 * count + 200)),
                                 logger: logger)
        let run = Task { await agent.run() }
        defer { run.cancel() }
        try await agent.ready(timeout: .seconds(20))
        let rssBefore = SIPLoadBench.residentKiB()
        let setupStart = Date()
        // Place every call, 20 a second, and keep those answered.
        let answered = await withTaskGroup(of: ARICall?.self) { calls in
            for index in 0..<count {
                calls.addTask {
                    try? await Task.sleep(for: .milliseconds(50 * index))
                    return try? await agent.call(endpoint: "Local/echo@callees/n", callerID: "bench", ringTimeout: .seconds(30))
                }
            }
            var answered: [ARICall] = []
            for await call in calls { if let call { answered.append(call) } }
            return answered
        }
        let setup = Date().timeIntervalSince(setupStart)
        FileHandle.standardError.write(Data("  \(answered.count) of \(count) calls answered; holding \(seconds) s\n".utf8))
        // A tone for the whole hold, echoed back by Asterisk.
        let tone = PCMBuffer(sampleRate: 8_000, samples: (0..<Int(8_000 * seconds)).map { Int16(6000 * sin(2 * .pi * 440 * Double($0) / 8000)) })
        for call in answered { Task { await call.rtp.play(tone) } }
        guard let asteriskPID = asterisk.serverProcessID else { throw ValidationError("Asterisk is not running") }
        let cpuStart = SIPLoadBench.cpuSeconds(), wallStart = Date(), asteriskStart = Self.cpuSeconds(pid: asteriskPID)
        try await Task.sleep(for: .seconds(seconds))
        let cpu = SIPLoadBench.cpuSeconds() - cpuStart, wall = Date().timeIntervalSince(wallStart)
        let asteriskCPU = Self.cpuSeconds(pid: asteriskPID) - asteriskStart
        let rssDuring = SIPLoadBench.residentKiB()
        var histogram = [Int](repeating: 0, count: 1001)
        var sent = 0, received = 0, lost = 0
        for call in answered {
            let s = call.rtp.statistics
            for (index, value) in s.latenessHistogram.enumerated() { histogram[index] += value }
            sent += s.sent
            received += s.received.received
            lost += s.received.lost
        }
        await withTaskGroup(of: Void.self) { hangups in
            for call in answered { hangups.addTask { await call.hangup() } }
        }
        let perCall = { (value: Double) in answered.isEmpty ? 0 : value / wall * 100 / Double(answered.count) }
        return Row(calls: count, answered: answered.count, cpuPercentPerCall: perCall(cpu), asteriskCPUPercentPerCall: perCall(asteriskCPU),
                   memoryKiBPerCall: answered.isEmpty ? 0 : Double(rssDuring - rssBefore) / Double(answered.count),
                   sendJitterP99Ms: RTPSession.Statistics(latenessHistogram: histogram).latenessPercentile(0.99),
                   packetsSent: sent, packetsReceived: received, lostOnNetwork: lost, setupSeconds: setup)
    }

    /// User + system CPU seconds of another process, from /proc/PID/stat.
    static func cpuSeconds(pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14 and stime 15 (1-based) → indices 11 and 12 here.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

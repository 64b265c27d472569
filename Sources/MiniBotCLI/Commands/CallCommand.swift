import ArgumentParser
import Foundation
import Logging
import MiniBotAudio
import MiniBotCore
import MiniBotDialer
import MiniBotSIP

/// One call from the command line through the built-in SIP agent: the first
/// thing to try against a new trunk.
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Place one call through the built-in SIP agent and report what happened.",
        discussion: """
        NUMBER is a phone number sent to the configured trunk (sip.trunk), or a full sip: URI dialled \
        directly (sip:alice@127.0.0.1:5072). Once answered, the prompt is played; the call ends when the \
        callee hangs up or --timeout seconds after the answer.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A phone number or a sip: URI.")
    var number: String

    @Option(help: "A WAV file to play once answered (any rate; converted to 8 kHz).")
    var prompt: String?

    @Option(help: "Write what the callee said (8 kHz mono WAV) to this file.")
    var record: String?

    @Option(help: "Seconds to stay on the line after the answer (default: the prompt's length plus 5).")
    var timeout: Double?

    @Option(help: "Seconds to let it ring (default: dialer.ring_timeout).")
    var ringTimeout: Double?

    @Flag(help: "Print one JSON object.")
    var json = false

    struct Report: Encodable {
        var target: String
        var outcome: String
        var sipCode: Int?
        var codec: String?
        var ringSeconds: Double
        var talkSeconds: Double
        var remoteHangup: Bool
        var recording: String?
        var packetsSent: Int?
        var packetsReceived: Int?
        var packetsLost: Int?

        enum CodingKeys: String, CodingKey {
            case target, outcome, codec, recording
            case sipCode = "sip_code", ringSeconds = "ring_seconds", talkSeconds = "talk_seconds", remoteHangup = "remote_hangup"
            case packetsSent = "packets_sent", packetsReceived = "packets_received", packetsLost = "packets_lost"
        }
    }

    func run() async throws {
        let runtime = try Runtime(global)
        let isURI = number.lowercased().hasPrefix("sip:") || number.lowercased().hasPrefix("sips:")
        let target = try SIPTarget.resolve(isURI ? number : try runtime.phoneParser.parse(number).e164, config: runtime.config)
        let promptAudio = try prompt.map { try Resampler.resample(try WAVFile.read(path: $0).buffer.mono(), to: 8_000) }
        let userAgent = "MiniBotPanel/\(MiniBotVersion.current)"
        let agentConfiguration = try SIPTarget.agentConfiguration(runtime.config, userAgent: userAgent)
        let registration = try SIPTarget.registration(runtime.config, advertisedHost: agentConfiguration.advertisedHost ?? agentConfiguration.bindHost,
                                                      userAgent: userAgent)
        let agent = SIPAgent(configuration: agentConfiguration, logger: runtime.logger)
        let report = try await withThrowingTaskGroup(of: Report?.self) { group in
            group.addTask { try await agent.run(); return nil }
            group.addTask {
                if let registration { _ = try await agent.register(registration) }
                return try await placeCall(agent: agent, target: target, prompt: promptAudio, runtime: runtime)
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
            }
            throw SIPAgentError.notRunning
        }
        if json { return try Output.json(report) }
        var table = Table(["call", "result"])
        table.add(["target", report.target])
        table.add(["outcome", report.outcome])
        table.add(["SIP code", report.sipCode.map(String.init) ?? "-"])
        table.add(["codec", report.codec ?? "-"])
        table.add(["ringing", String(format: "%.1f s", report.ringSeconds)])
        table.add(["talking", String(format: "%.1f s", report.talkSeconds)])
        table.add(["hung up by", report.remoteHangup ? "callee" : "us"])
        if let sent = report.packetsSent { table.add(["RTP sent / received / lost", "\(sent) / \(report.packetsReceived ?? 0) / \(report.packetsLost ?? 0)"]) }
        if let recording = report.recording { table.add(["recording", recording]) }
        Output.write(table.render())
    }

    private func placeCall(agent: SIPAgent, target: SIPTarget, prompt: PCMBuffer?, runtime: Runtime) async throws -> Report {
        let clock = ContinuousClock()
        let start = clock.now
        let ring = ringTimeout ?? runtime.config.dialer.ringTimeout
        let call: SIPCall
        do {
            call = try await agent.call(target.uri, from: target.from, assertedIdentity: target.from, ringTimeout: .seconds(ring))
        } catch let failure as CallFailure {
            return Report(target: target.uri.description, outcome: failure.description, sipCode: failure.code, codec: nil,
                          ringSeconds: start.duration(to: clock.now).seconds, talkSeconds: 0, remoteHangup: false)
        }
        let answered = clock.now
        let recorder = Task {
            var heard = PCMBuffer(sampleRate: 8_000)
            for await frame in call.rtp.inbound { heard.samples += frame.samples }
            return heard
        }
        let talk = timeout ?? ((prompt?.duration.seconds ?? 0) + 5)
        let end = await withTaskGroup(of: CallEnd?.self) { group in
            group.addTask { await call.ended() }
            group.addTask {
                if let prompt { await call.rtp.play(prompt) }
                try? await Task.sleep(for: .seconds(max(0, talk - answered.duration(to: clock.now).seconds)))
                return nil
            }
            let first = await group.next()!
            group.cancelAll()
            if let first { return first }
            await call.hangup()
            return await call.ended()
        }
        let heard = await recorder.value
        var recording: String?
        if let record {
            try WAVFile.writePCM16(heard, to: record)
            recording = record
        }
        let statistics = call.rtp.statistics
        return Report(target: target.uri.description, outcome: "answered", sipCode: end.code, codec: call.media.codec.description,
                      ringSeconds: start.duration(to: answered).seconds, talkSeconds: answered.duration(to: clock.now).seconds,
                      remoteHangup: end.remoteHangup, recording: recording, packetsSent: statistics.sent,
                      packetsReceived: statistics.received.received, packetsLost: statistics.received.lost)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

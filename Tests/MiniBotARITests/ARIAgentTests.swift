import Foundation
import Logging
import MiniBotARI
import MiniBotAudio
import MiniBotCore
@testable import MiniBotDialer
import MiniBotTestSupport
import Testing

/// The ARI backend against a real Asterisk started by the test (Local
/// channels as callees): outcomes of unanswered calls, audio both ways through
/// externalMedia, and Asterisk going away under a call.
@Suite("ARI agent against a real Asterisk", .serialized, .enabled(if: Asterisk.binary != nil, Comment(rawValue: Asterisk.unavailableReason ?? "")))
struct ARIAgentTests {
    /// Callees: 100 says "Allô ?" and stays on the line recording what it hears,
    /// 101 says it and hangs up, 102 is busy, 103 rings for ever, 104 is congested, 105 rejects.
    static func dialplan(folder: String) -> String {
        """
        [general]
        [callees]
        exten => 100,1,Answer()
         same => n,MixMonitor(\(folder)/mix-100.wav,r(\(folder)/heard-100.wav))
         same => n,Playback(\(folder)/hello)
         same => n,Wait(60)
         same => n,Hangup()
        exten => 101,1,Answer()
         same => n,Playback(\(folder)/hello)
         same => n,Hangup()
        exten => 102,1,Busy(10)
        exten => 103,1,Ringing()
         same => n,Wait(120)
        exten => 104,1,Congestion(10)
        exten => 105,1,Hangup(21)

        """
    }

    struct Harness {
        let asterisk: Asterisk
        let agent: ARIAgent
        let folder: String
        let run: Task<Void, Never>
        var endpoint = "Local/{number}@callees/n"

        func telephony() -> ARITelephony {
            var config = MiniBotConfig(dataDir: folder)
            config.ari.endpoint = endpoint
            return ARITelephony(agent: agent, config: config)
        }

        func stop() async {
            run.cancel()
            await run.value
            await asterisk.stop()
        }
    }

    static func start(grace: Duration = .seconds(3)) async throws -> Harness {
        let folder = temporaryFolder("ari-agent")
        // A spoken "Allô ?" then silence, as Asterisk plays it (8 kHz mono WAV).
        var hello = Tone.sine(440, seconds: 0.6)
        hello.append(PCMBuffer.silence(sampleRate: 8_000, duration: .milliseconds(400)))
        try WAVFile.writePCM16(hello, to: folder + "/hello.wav")
        let asterisk = try await Asterisk.start(folder: folder + "/asterisk", dialplan: dialplan(folder: folder))
        let agent = try ARIAgent(configuration: .init(url: asterisk.url, username: asterisk.username, password: asterisk.password,
                                                      app: "minibot-test", rtpPorts: 47000...47999, reconnectGrace: grace),
                                 logger: testLogger)
        let run = Task { await agent.run() }
        try await agent.ready(timeout: .seconds(20))
        return Harness(asterisk: asterisk, agent: agent, folder: folder, run: run)
    }

    @Test func unansweredCallsFailLikeTheSIPBackend() async throws {
        let harness = try await Self.start()
        defer { Task { await harness.stop() } }
        let telephony = harness.telephony()
        let cases: [(String, CallStatus)] = [("102", .busy), ("103", .noAnswer), ("104", .failed), ("105", .rejected), ("999", .failed)]
        for (number, status) in cases {
            do {
                _ = try await telephony.dial(DialRequest(phone: number, ringTimeout: .seconds(3)))
                Issue.record("\(number) was answered")
            } catch let failure as CallFailure {
                #expect(failure.callStatus == status, "\(number): \(failure)")
                if number == "103" { #expect(failure == .noAnswer(code: nil)) }
            }
        }
        #expect(await harness.agent.activeCalls == 0)
        #expect(harness.agent.tickingSessions == 0)
        await harness.stop()
    }

    @Test func answeredCallCarriesAudioBothWays() async throws {
        let harness = try await Self.start()
        defer { Task { await harness.stop() } }
        let leg = try await harness.telephony().dial(DialRequest(phone: "100", ringTimeout: .seconds(10)))
        // The callee's "Allô ?" (a 440 Hz tone here) comes in through externalMedia.
        var frames: [AudioFrame] = []
        for await frame in leg.inbound {
            frames.append(frame)
            if frames.count == 100 { break }
        }
        let loud = frames.filter { frame in frame.samples.map { abs(Int($0)) }.max() ?? 0 > 3_000 }.count
        #expect(loud >= 20, "frames with the callee's tone: \(loud) of \(frames.count)")
        // Silence keeps coming after it (transmit_silence), so the stream is never taken as lost.
        #expect(frames.count == 100)
        // What we play reaches the callee.
        #expect(await leg.play(Tone.sine(1_000, seconds: 1.0)))
        await leg.hangup()
        let ending = await leg.ended()
        #expect(ending.remoteHangup == false)
        // MixMonitor writes what the callee heard once the call is over.
        var heard: PCMBuffer?
        for _ in 0..<50 where heard == nil {
            try await Task.sleep(for: .milliseconds(100))
            heard = try? WAVFile.read(path: harness.folder + "/heard-100.wav").buffer
        }
        let samples = try #require(heard).samples
        #expect(samples.map { abs(Int($0)) }.max() ?? 0 > 3_000, "the callee heard our 1 kHz tone")
        #expect(await harness.agent.activeCalls == 0)
        #expect(harness.agent.tickingSessions == 0)
        await harness.stop()
    }

    @Test func calleeHangsUpWithItsCause() async throws {
        let harness = try await Self.start()
        defer { Task { await harness.stop() } }
        let leg = try await harness.telephony().dial(DialRequest(phone: "101", ringTimeout: .seconds(10)))
        let ending = await leg.ended()
        #expect(ending.remoteHangup)
        #expect(ending.cause.hasPrefix("Q.850 16"), "\(ending.cause)")
        await harness.stop()
    }

    /// `minibot doctor` with `telephony: ari`: Asterisk's version and our app's
    /// connection while an agent holds it; a wrong password fails with a fix.
    @Test func doctorReportsAsterisk() async throws {
        let harness = try await Self.start()
        defer { Task { await harness.stop() } }
        var environment = ["MINIBOT_DATA_DIR": harness.folder + "/data", "MINIBOT_TELEPHONY": "ari", "MINIBOT_ARI_URL": harness.asterisk.url,
                           "MINIBOT_ARI_USERNAME": harness.asterisk.username, "MINIBOT_ARI_PASSWORD": harness.asterisk.password,
                           "MINIBOT_ARI_APP": "minibot-test"]
        let good = try await MinibotProcess.run(["doctor"], environment: environment)
        let line = good.stdout.split(separator: "\n").first { $0.contains("asterisk") }.map(String.init) ?? good.stdout
        #expect(line.hasPrefix("OK") && line.contains("Asterisk 22") && line.contains("'minibot-test' is connected"), "\(line)")
        environment["MINIBOT_ARI_PASSWORD"] = "wrong"
        let bad = try await MinibotProcess.run(["doctor"], environment: environment)
        #expect(bad.status != 0)
        #expect(bad.stdout.contains("FAIL  asterisk") && !bad.stdout.contains("wrong") && !bad.stdout.contains(harness.asterisk.password),
                "\(bad.stdout)")
        await harness.stop()
    }

    /// Asterisk dies under a call: the call ends with the connection's loss as
    /// its cause, nothing can be dialled, and calls work again once it is back.
    @Test func asteriskGoingAwayEndsCallsAndPausesDialling() async throws {
        let harness = try await Self.start(grace: .seconds(1))
        defer { Task { await harness.stop() } }
        let telephony = harness.telephony()
        let leg = try await telephony.dial(DialRequest(phone: "100", ringTimeout: .seconds(10)))
        await harness.asterisk.kill()
        let ending = await leg.ended()
        #expect(!ending.remoteHangup)
        #expect(ending.cause.hasPrefix("ARI connection lost"), "\(ending.cause)")
        #expect(await telephony.unavailability != nil)
        let health = await telephony.health()
        #expect(!health.reachable && !health.eventsConnected && health.error != nil)
        #expect(health.error?.contains(harness.asterisk.password) == false, "no credentials in errors")

        // Back on the same port with the same user: the agent reconnects by itself.
        let again = try await Asterisk.start(folder: harness.asterisk.folder, dialplan: Self.dialplan(folder: harness.folder),
                                             httpPort: harness.asterisk.httpPort, password: harness.asterisk.password)
        defer { Task { await again.stop() } }
        try await harness.agent.ready(timeout: .seconds(20))
        #expect(await telephony.unavailability == nil)
        let healthy = await telephony.health()
        #expect(healthy.isHealthy, "\(healthy)")
        #expect(healthy.version?.isEmpty == false)
        let second = try await telephony.dial(DialRequest(phone: "101", ringTimeout: .seconds(10)))
        #expect(await second.ended().remoteHangup)
        await again.stop()
        await harness.stop()
    }
}

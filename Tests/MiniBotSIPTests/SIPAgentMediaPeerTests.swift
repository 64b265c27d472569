import Foundation
import Logging
import MiniBotAudio
import MiniBotCore
import MiniBotTestSupport
import Testing
@testable import MiniBotSIP

/// RTCP, a damaged RTP path and a callee who hangs up mid-prompt, against baresip and sipp.
extension SIPAgentPeerTests {
    @Test("RTCP both ways with baresip: it reports on our stream (so it got our SR: a round-trip time) and we count its reports")
    func rtcpWithBaresip() async throws {
        let voice = folder + "/voice.wav"
        try WAVFile.writePCM16(Tone.sine(700, seconds: 12), to: voice)
        let baresip = try await Baresip.start(folder: folder, voice: voice)
        defer { Task { await baresip.peer.stop() } }
        let statistics = try await withAgent { agent in
            let call = try await agent.call(try SIPURI(parsing: baresip.uri), from: Self.robot, ringTimeout: .seconds(10))
            var statistics = call.rtp.statistics
            for _ in 0..<150 {
                statistics = call.rtp.statistics
                if statistics.roundTripTime != nil, statistics.rtcpSent >= 2 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            await call.hangup()
            _ = await call.ended()
            return statistics
        }
        #expect(statistics.rtcpSent >= 2)
        #expect(statistics.rtcpReceived >= 1, "baresip's reports")
        let rtt = try #require(statistics.roundTripTime, "baresip's report carried no LSR of ours: \(String(describing: statistics.farEndReport))")
        #expect(rtt < .milliseconds(100), "loopback RTT \(rtt)")
        #expect(statistics.farEndReport?.cumulativeLost == 0)
        #expect(statistics.reception.received > 400, "baresip's 700 Hz voice, counted for our report")
    }

    @Test("RTP loss and reordering (sipp -rtp_echo behind a relay dropping every 10th packet, swapping every 7th pair) show in the jitter buffer's counts")
    func rtpLossAndReordering() async throws {
        let media = PeerProcess.freePort()
        let relay = try RTPRelay(farEndPort: media, dropEvery: 10, swapEvery: 7)
        defer { relay.stop() }
        let sipp = try await Sipp.start(scenario: "uas_answer_at.xml", folder: folder,
                                        extra: ["-key", "first_port", String(relay.port), "-rtp_echo", "-mp", String(media)])
        defer { Task { await sipp.peer.stop() } }
        let statistics = try await withAgent { agent in
            let call = try await agent.call(try SIPURI(parsing: sipp.uri()), from: Self.robot)
            let frames = Task { var count = 0; for await _ in call.rtp.inbound { count += 1 }; return count }
            // We send every 20 ms (silence without a prompt); sipp echoes it through the relay.
            try await Task.sleep(for: .seconds(4))
            let statistics = call.rtp.statistics
            await call.hangup()
            _ = await call.ended()
            _ = await frames.value
            return statistics
        }
        relay.stop()
        let counts = relay.counts
        let jitter = statistics.received
        #expect(counts.fromUs > 150 && counts.dropped > 10 && counts.swapped > 10, "\(counts)")
        // Up to a few packets may still be in flight or in the buffer when we look.
        #expect(abs(jitter.received - counts.forwarded) <= 6, "received \(jitter) vs relay \(counts)")
        #expect(abs(jitter.lost - counts.dropped) <= 2, "lost \(jitter) vs relay \(counts)")
        #expect(abs(jitter.reordered - counts.swapped) <= 1, "reordered \(jitter) vs relay \(counts)")
        #expect(jitter.late == 0 && jitter.duplicates == 0)
        #expect(abs(Int(statistics.reception.cumulativeLost) - counts.dropped) <= 2, "the RTCP view agrees: \(statistics.reception.cumulativeLost)")
    }

    @Test("The callee hangs up mid-prompt (baresip, 1 s voice): play returns false at once and the end says remote hangup")
    func calleeHangsUpMidPrompt() async throws {
        let voice = folder + "/voice.wav"
        try WAVFile.writePCM16(Tone.sine(700, seconds: 1), to: voice)
        let baresip = try await Baresip.start(folder: folder, voice: voice)
        defer { Task { await baresip.peer.stop() } }
        let (played, took, end) = try await withAgent { agent in
            let call = try await agent.call(try SIPURI(parsing: baresip.uri), from: Self.robot, ringTimeout: .seconds(10))
            let started = ContinuousClock.now
            let played = await call.rtp.play(Tone.sine(440, seconds: 10))
            let took = started.duration(to: .now)
            return (played, took, await call.ended())
        }
        #expect(!played, "a 10 s prompt cut off by the BYE")
        #expect(took < .seconds(4), "play returned after \(took)")
        #expect(end.remoteHangup)
        #expect(end.failure == nil)
    }
}

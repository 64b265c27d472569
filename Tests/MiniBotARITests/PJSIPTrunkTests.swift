import Foundation
import MiniBotARI
import MiniBotAudio
import MiniBotCore
@testable import MiniBotDialer
import MiniBotTestSupport
import Testing

/// The repository's sample `deploy/asterisk/pjsip.conf` in a real Asterisk
/// with chan_pjsip, toward a SIP "provider" played by sipp: calls go out as
/// `PJSIP/{number}@trunk` (the sample's `ari.endpoint`), answer the
/// provider's digest challenge with the trunk's credentials, and end like
/// the SIP backend's calls when the provider refuses them.
@Suite("PJSIP trunk from the sample configuration", .serialized,
       .enabled(if: Asterisk.pjsipUnavailableReason == nil, Comment(rawValue: Asterisk.pjsipUnavailableReason ?? "")))
struct PJSIPTrunkTests {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/asterisk/pjsip.conf").path

    /// The sample as shipped, with the provider's address and the account's
    /// credentials replaced, no qualify (sipp plays one call, not OPTIONS) and
    /// no registration (sipp is no registrar). Each replaced text must still be
    /// in the sample: a changed sample fails here rather than going untested.
    static func pjsip(provider port: Int, bind: Int, password: String) throws -> String {
        var text = try String(contentsOfFile: sample, encoding: .utf8)
        let replacements = [
            ("bind = 0.0.0.0:5060", "bind = 127.0.0.1:\(bind)"),
            ("username = your-account", "username = robot"),
            ("password = your-password", "password = \(password)"),
            ("realm = sip.provider.example", "realm = sipp.test"),
            ("contact = sip:sip.provider.example:5060", "contact = sip:127.0.0.1:\(port)"),
            ("qualify_frequency = 60", "qualify_frequency = 0"),
        ]
        for (old, new) in replacements {
            #expect(text.contains(old), "the sample no longer has `\(old)`")
            text = text.replacingOccurrences(of: old, with: new)
        }
        let registration = try #require(text.range(of: "[trunk-registration]"))
        return String(text[..<registration.lowerBound])
    }

    /// The provider's side of the line: a 1 kHz tone, as raw µ-law for sipp's `rtp_stream`.
    static func provider(folder: String) async throws -> Sipp {
        let tone = Tone.sine(1_000, seconds: 2).samples.map(G711.muLawEncode)
        try Data(tone).write(to: URL(fileURLWithPath: folder + "/tone.ulaw"))
        return try await Sipp.start(scenario: "uas_trunk.xml", folder: folder)
    }

    static func start(provider: Sipp, password: String, folder: String) async throws -> ARIAgentTests.Harness {
        let pjsip = try pjsip(provider: provider.port, bind: PeerProcess.freePort(), password: password)
        let asterisk = try await Asterisk.start(folder: folder + "/asterisk", dialplan: "[general]\n[from-trunk]\n", pjsip: pjsip)
        let agent = try ARIAgent(configuration: .init(url: asterisk.url, username: asterisk.username, password: asterisk.password,
                                                      app: "minibot-test", rtpPorts: 47000...47999),
                                 logger: testLogger)
        let run = Task { await agent.run() }
        try await agent.ready(timeout: .seconds(20))
        return ARIAgentTests.Harness(asterisk: asterisk, agent: agent, folder: folder, run: run, endpoint: "PJSIP/{number}@trunk")
    }

    @Test func theSampleTrunkAnswersTheProvidersChallengeAndCarriesTheCall() async throws {
        let folder = temporaryFolder("pjsip-trunk")
        let provider = try await Self.provider(folder: folder)
        let harness = try await Self.start(provider: provider, password: "secret", folder: folder)
        defer { Task { await harness.stop() } }
        let leg = try await harness.telephony().dial(DialRequest(phone: "0612345678", ringTimeout: .seconds(10)))
        // The provider's tone comes in through the trunk, the bridge and externalMedia
        // (a timeout ends the wait if no audio comes: the stream would not end by itself).
        let heard = Task {
            var loud = 0
            for await frame in leg.inbound where frame.samples.map({ abs(Int($0)) }).max() ?? 0 > 3_000 {
                loud += 1
                if loud == 25 { break }
            }
            return loud
        }
        let timeout = Task { try await Task.sleep(for: .seconds(10)); heard.cancel() }
        #expect(await heard.value == 25, "frames of the provider's tone")
        timeout.cancel()
        await leg.hangup()
        #expect(await leg.ended().remoteHangup == false)
        // sipp saw the challenge answered with robot/secret, then our BYE: its scenario ran to the end.
        #expect(await provider.peer.waitForExit(seconds: 10) == 0, "\(provider.errors)")
        await harness.stop()
    }

    @Test func aRefusedPasswordAndABusyProviderEndLikeTheSIPBackend() async throws {
        for (scenario, password, status) in [("uas_trunk.xml", "wrong", CallStatus.rejected), ("uas_busy.xml", "secret", .busy)] {
            let folder = temporaryFolder("pjsip-trunk")
            let provider = try await scenario == "uas_trunk.xml" ? Self.provider(folder: folder) : Sipp.start(scenario: scenario, folder: folder)
            let harness = try await Self.start(provider: provider, password: password, folder: folder)
            do {
                _ = try await harness.telephony().dial(DialRequest(phone: "0612345678", ringTimeout: .seconds(10)))
                Issue.record("\(scenario) with password \(password) was answered")
            } catch let failure as CallFailure {
                #expect(failure.callStatus == status, "\(scenario): \(failure)")
            }
            #expect(await harness.agent.activeCalls == 0)
            await harness.stop()
            await provider.peer.stop()
        }
    }
}

import Foundation
import MiniBotAudio
import MiniBotTestSupport
import Testing

/// `minibot call`, the real executable, against real SIP peers on loopback.
@Suite("minibot call", .serialized)
struct CallCommandTests {
    let folder = temporaryFolder("minibot-call")

    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        let rtp = 40000 + Int.random(in: 0..<2000) * 2
        return ["MINIBOT_DATA_DIR": folder, "MINIBOT_SIP_BIND_HOST": "127.0.0.1", "MINIBOT_SIP_BIND_PORT": "0",
                "MINIBOT_SIP_RTP_PORT_MIN": String(rtp), "MINIBOT_SIP_RTP_PORT_MAX": String(rtp + 99)].merging(extra) { $1 }
    }

    @Test func callsBaresipPlaysThePromptAndRecordsTheAnswer() async throws {
        let voice = folder + "/voice.wav", prompt = folder + "/prompt.wav", recording = folder + "/heard.wav"
        try WAVFile.writePCM16(Tone.sine(700, seconds: 2), to: voice)
        // A 16 kHz prompt: the command converts it to 8 kHz.
        let prompt16k = try Resampler.resample(Tone.sine(440, seconds: 1.5), to: 16_000)
        try WAVFile.writePCM16(prompt16k, to: prompt)
        let baresip = try await Baresip.start(folder: folder, voice: voice)
        defer { Task { await baresip.peer.stop() } }

        let result = try await MinibotProcess.run(["call", baresip.uri, "--prompt", prompt, "--record", recording, "--timeout", "8", "--json"],
                                            environment: environment())
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["outcome"] as? String == "answered")
        #expect(report["remote_hangup"] as? Bool == true)
        #expect((report["packets_received"] as? Int ?? 0) > 50)
        let heard = try WAVFile.read(path: recording).buffer
        #expect(abs(Tone.frequency(of: heard) - 700) < 15)
        await baresip.peer.stop()
        #expect(abs(Tone.frequency(of: try await baresip.heard()) - 440) < 15)
    }

    @Test func digestAuthenticationFromTheConfiguration() async throws {
        let sipp = try await Sipp.start(scenario: "uas_auth.xml", folder: folder)
        defer { Task { await sipp.peer.stop() } }
        let result = try await MinibotProcess.run(["call", sipp.uri(), "--timeout", "1", "--json"],
                                            environment: environment(["MINIBOT_SIP_USERNAME": "robot", "MINIBOT_SIP_PASSWORD": "secret"]))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"outcome\":\"answered\""), "\(result.stdout)")
        #expect(!result.stderr.contains("secret"))
        #expect(await sipp.peer.waitForExit(seconds: 30) == 0, "\(sipp.errors)")
    }

    /// baresip cannot challenge a call itself, so it sits behind Kamailio, which wants digest (407) for every
    /// INVITE and record-routes the dialog: the BYE baresip sends at the end of its voice comes back through the
    /// proxy along the route set.
    @Test("minibot call reaches baresip through a proxy that wants digest authentication; a wrong password is refused")
    func callsBaresipBehindADigestProxy() async throws {
        let voice = folder + "/voice.wav", prompt = folder + "/prompt.wav", recording = folder + "/heard.wav"
        try WAVFile.writePCM16(Tone.sine(700, seconds: 2), to: voice)
        try WAVFile.writePCM16(Tone.sine(440, seconds: 1.5), to: prompt)
        let proxy = try await Kamailio.start(folder: temporaryFolder("minibot-kamailio"), password: "secret")
        defer { Task { await proxy.stop() } }
        let baresip = try await Baresip.start(folder: temporaryFolder("minibot-alice"), voice: voice,
                                              registrar: (port: proxy.port, password: "secret"))
        defer { Task { await baresip.peer.stop() } }
        #expect(await proxy.waitForRegistration(of: "alice"), "\(proxy.peer.output.suffix(2000))")
        let alice = "sip:alice@127.0.0.1:\(proxy.port)"

        let refused = try await MinibotProcess.run(["call", alice, "--timeout", "8", "--json"], environment: environment([
            "MINIBOT_SIP_USERNAME": "robot", "MINIBOT_SIP_PASSWORD": "wrong"]))
        #expect(refused.status == 0, "\(refused.stderr)")
        #expect(refused.stdout.contains("authentication failed: the server refused the username and password for realm"),
                "\(refused.stdout)")

        let result = try await MinibotProcess.run(["call", alice, "--prompt", prompt, "--record", recording, "--timeout", "8", "--json"],
                                                  environment: environment(["MINIBOT_SIP_USERNAME": "robot", "MINIBOT_SIP_PASSWORD": "secret"]))
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
        #expect(report["outcome"] as? String == "answered")
        #expect(report["remote_hangup"] as? Bool == true)
        #expect(!result.stderr.contains("secret") && !result.stdout.contains("secret"))
        #expect(proxy.peer.output.contains("authenticated INVITE from robot"))
        #expect(abs(Tone.frequency(of: try WAVFile.read(path: recording).buffer) - 700) < 15)
        await baresip.peer.stop()
        await proxy.stop()
        #expect(abs(Tone.frequency(of: try await baresip.heard()) - 440) < 15)
    }

    @Test func busyAndMissingTrunkAreReported() async throws {
        let sipp = try await Sipp.start(scenario: "uas_busy.xml", folder: folder)
        defer { Task { await sipp.peer.stop() } }
        let busy = try await MinibotProcess.run(["call", sipp.uri()], environment: environment())
        #expect(busy.status == 0)
        #expect(busy.stdout.contains("busy (486)"), "\(busy.stdout)")
        let noTrunk = try await MinibotProcess.run(["call", "06 12 34 56 78"], environment: environment())
        #expect(noTrunk.status != 0 && noTrunk.stderr.contains("sip.trunk is not set"))
    }

    @Test func registersWithTheTrunkFirstWhenAsked() async throws {
        let registrar = try await Sipp.start(scenario: "uas_registrar.xml", folder: folder)
        defer { Task { await registrar.peer.stop() } }
        let callee = try await Sipp.start(scenario: "uas_busy.xml", folder: temporaryFolder("minibot-callee"))
        defer { Task { await callee.peer.stop() } }
        let env = environment(["MINIBOT_SIP_REGISTER": "true", "MINIBOT_SIP_TRUNK": "127.0.0.1:\(registrar.port)",
                               "MINIBOT_SIP_USERNAME": "robot", "MINIBOT_SIP_PASSWORD": "secret"])
        let registered = try await MinibotProcess.run(["call", callee.uri()], environment: env)
        #expect(registered.status == 0, "\(registered.stderr)")
        #expect(registered.stdout.contains("busy (486)"))
        #expect(registered.stderr.contains("registered"))

        let refusedRegistrar = try await Sipp.start(scenario: "uas_registrar.xml", folder: temporaryFolder("minibot-registrar"))
        defer { Task { await refusedRegistrar.peer.stop() } }
        let refused = try await MinibotProcess.run(["call", callee.uri()], environment: env.merging([
            "MINIBOT_SIP_TRUNK": "127.0.0.1:\(refusedRegistrar.port)", "MINIBOT_SIP_PASSWORD": "wrong"]) { $1 })
        #expect(refused.status != 0 && refused.stderr.contains("registration failed: the registrar answered 403 Forbidden"))
    }
}

import Foundation
import Logging
import MiniBotAudio
import MiniBotCore
import MiniBotTestSupport
import Testing
@testable import MiniBotSIP

/// The SIP agent against real peers on loopback: baresip callees and sipp
/// scenarios, started by each test (Debian packages baresip-core, sip-tester).
@Suite("SIP agent against baresip and sipp", .serialized)
struct SIPAgentPeerTests {
    let folder: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("minibot-sip-\(UUID().uuidString.prefix(8))").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    static let logger: Logger = {
        var logger = Logger(label: "sip-test")
        logger.logLevel = .warning
        return logger
    }()

    /// Runs `body` with a running agent, stopping it afterwards.
    func withAgent<T: Sendable>(password: String? = nil, t1: Duration = .milliseconds(500),
                                _ body: @escaping @Sendable (SIPAgent) async throws -> T) async throws -> T {
        let port = 31000 + Int.random(in: 0..<4000) * 2
        let agent = SIPAgent(configuration: .init(bindHost: "127.0.0.1", bindPort: 0, rtpPorts: port...(port + 199),
                                                  username: password == nil ? nil : "robot", password: password,
                                                  timers: SIPTimers(t1: t1)), logger: Self.logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await agent.run(); return nil }
            _ = try await agent.ready()
            group.addTask { try await body(agent) }
            defer { group.cancelAll() }
            while let result = try await group.next() { if let result { return result } }
            throw SIPAgentError.notRunning
        }
    }

    static let robot = NameAddress(displayName: "Robot", uri: SIPURI(user: "+33100000000", host: "127.0.0.1"))

    @Test func baresipAnswersHearsOurPromptAndHangsUp() async throws {
        let voice = folder + "/voice.wav"
        try WAVFile.writePCM16(Tone.sine(700, seconds: 5), to: voice)
        let baresip = try await Baresip.start(folder: folder, voice: voice)
        defer { Task { await baresip.peer.stop() } }

        let (heardByUs, end, statistics) = try await withAgent { agent in
            let call = try await agent.call(try SIPURI(parsing: baresip.uri), from: Self.robot, ringTimeout: .seconds(10))
            #expect(call.progress.contains(180))
            let recorder = Task {
                var heard = PCMBuffer(sampleRate: 8000)
                for await frame in call.rtp.inbound { heard.samples += frame.samples }
                return heard
            }
            let played = await call.rtp.play(Tone.sine(440, seconds: 2))
            #expect(played)
            // baresip hangs up at the end of its 5 s voice file.
            let end = await call.ended()
            return (await recorder.value, end, call.rtp.statistics)
        }
        #expect(end.remoteHangup)
        #expect(statistics.sent >= 100, "a 2 s prompt is 100 packets")
        #expect(abs(Tone.frequency(of: heardByUs) - 700) < 15, "we heard \(Tone.frequency(of: heardByUs)) Hz")
        await baresip.peer.stop()
        let heardByBaresip = try await baresip.heard()
        #expect(abs(Tone.frequency(of: heardByBaresip) - 440) < 15, "baresip heard \(Tone.frequency(of: heardByBaresip)) Hz")
    }

    @Test func weHangUpAndBaresipSeesTheBye() async throws {
        let voice = folder + "/voice.wav"
        var long = Tone.sine(700, seconds: 1)
        long.append(PCMBuffer.silence(sampleRate: 8000, duration: .seconds(30)))
        try WAVFile.writePCM16(long, to: voice)
        let baresip = try await Baresip.start(folder: folder, voice: voice)
        defer { Task { await baresip.peer.stop() } }
        let end = try await withAgent { agent in
            let call = try await agent.call(try SIPURI(parsing: baresip.uri), from: Self.robot)
            try await Task.sleep(for: .milliseconds(500))
            await call.hangup()
            return await call.ended()
        }
        #expect(!end.remoteHangup && end.code == 200)
        // baresip logs the BYE it received as the call's end.
        #expect(await baresip.peer.waitFor("session closed", seconds: 5), "\(baresip.peer.output.suffix(800))")
    }

    @Test func busyCallee() async throws {
        let sipp = try await Sipp.start(scenario: "uas_busy.xml", folder: folder)
        defer { Task { await sipp.peer.stop() } }
        let failure = try await withAgent { agent in
            do {
                _ = try await agent.call(try SIPURI(parsing: sipp.uri()), from: Self.robot)
                return CallFailure?.none
            } catch let failure as CallFailure {
                return failure
            }
        }
        #expect(failure == .busy(code: 486))
        #expect(await sipp.peer.waitForExit(seconds: 30) == 0, "\(sipp.errors)")
    }

    @Test func ringTimeoutCancels() async throws {
        let sipp = try await Sipp.start(scenario: "uas_ring_noanswer.xml", folder: folder)
        defer { Task { await sipp.peer.stop() } }
        let started = ContinuousClock.now
        let failure = try await withAgent { agent in
            do {
                _ = try await agent.call(try SIPURI(parsing: sipp.uri()), from: Self.robot, ringTimeout: .seconds(2))
                return CallFailure?.none
            } catch let failure as CallFailure {
                return failure
            }
        }
        #expect(failure == .noAnswer(code: nil))
        #expect(started.duration(to: .now) < .seconds(6))
        #expect(await sipp.peer.waitForExit(seconds: 30) == 0, "\(sipp.errors)")
    }

    @Test("Digest challenge: the right password gets through, a wrong one is refused", arguments: ["secret", "wrong"])
    func digest(password: String) async throws {
        let sipp = try await Sipp.start(scenario: "uas_auth.xml", folder: folder)
        defer { Task { await sipp.peer.stop() } }
        let result: Result<CallEnd, CallFailure> = try await withAgent(password: password) { agent in
            do {
                let call = try await agent.call(try SIPURI(parsing: sipp.uri()), from: NameAddress(uri: SIPURI(user: "robot", host: "127.0.0.1")))
                try await Task.sleep(for: .milliseconds(300))
                await call.hangup()
                return .success(await call.ended())
            } catch let failure as CallFailure {
                return .failure(failure)
            }
        }
        if password == "secret" {
            #expect(try result.get().code == 200, "sipp: \(sipp.peer.output.suffix(1500)) \(sipp.errors)")
        } else {
            #expect(throws: CallFailure.rejected(code: 403)) { try result.get() }
        }
        #expect(await sipp.peer.waitForExit(seconds: 30) == 0, "\(sipp.errors)")
    }

    @Test("Over TCP: a challenged call, answered and hung up")
    func tcpWithDigest() async throws {
        let sipp = try await Sipp.start(scenario: "uas_auth.xml", folder: folder, extra: ["-t", "t1"])
        defer { Task { await sipp.peer.stop() } }
        let end = try await withAgent(password: "secret") { agent in
            let call = try await agent.call(try SIPURI(parsing: sipp.uri() + ";transport=tcp"), from: NameAddress(uri: SIPURI(user: "robot", host: "127.0.0.1")))
            try await Task.sleep(for: .milliseconds(300))
            await call.hangup()
            return await call.ended()
        }
        #expect(end.code == 200)
        #expect(await sipp.peer.waitForExit(seconds: 30) == 0, "\(sipp.errors)")
    }

    @Test func tcpToBaresipWithItsByeOnTheSameConnection() async throws {
        let voice = folder + "/voice.wav"
        try WAVFile.writePCM16(Tone.sine(700, seconds: 1.5), to: voice)
        let baresip = try await Baresip.start(folder: folder, voice: voice)
        defer { Task { await baresip.peer.stop() } }
        let end = try await withAgent { agent in
            let call = try await agent.call(try SIPURI(parsing: baresip.uri + ";transport=tcp"), from: Self.robot)
            return await call.ended()
        }
        #expect(end.remoteHangup)
    }

    @Test func farEndReInviteMovesTheMediaThenItHangsUp() async throws {
        let sipp = try await Sipp.start(scenario: "uas_reinvite_bye.xml", folder: folder)
        defer { Task { await sipp.peer.stop() } }
        let (end, before, after) = try await withAgent { agent in
            let call = try await agent.call(try SIPURI(parsing: sipp.uri()), from: Self.robot)
            let before = call.rtp.remoteAddress?.port
            let end = await call.ended()
            return (end, before, call.rtp.remoteAddress?.port)
        }
        #expect(end.remoteHangup)
        // The re-INVITE's SDP moved the far end's audio to port 15998.
        #expect(before != 15998 && after == 15998)
        #expect(await sipp.peer.waitForExit(seconds: 30) == 0, "\(sipp.errors)")
    }

    @Test func earlyMediaThenAnswerWithPCMA() async throws {
        let sipp = try await Sipp.start(scenario: "uas_early_media.xml", folder: folder)
        defer { Task { await sipp.peer.stop() } }
        let (progress, codec, sentBeforeAnswer) = try await withAgent { agent in
            let call = try await agent.call(try SIPURI(parsing: sipp.uri()), from: Self.robot)
            // Audio already flowed to the 183's address while ringing.
            let sent = call.rtp.statistics.sent
            await call.hangup()
            _ = await call.ended()
            return (call.progress, call.media.codec, sent)
        }
        #expect(progress.contains(183))
        #expect(codec == .pcma)
        #expect(sentBeforeAnswer > 5, "RTP sent during early media: \(sentBeforeAnswer)")
        #expect(await sipp.peer.waitForExit(seconds: 30) == 0, "\(sipp.errors)")
    }
}

/// REGISTER against a sipp registrar that challenges and grants a short expiry.
@Suite("SIP registration against sipp", .serialized)
struct SIPRegistrationPeerTests {
    let folder = temporaryFolder("minibot-register")

    func settings(port: Int, password: String) -> Registration.Settings {
        Registration.Settings(addressOfRecord: SIPURI(user: "robot", host: "127.0.0.1"),
                              registrar: SIPURI(host: "127.0.0.1", port: port),
                              contact: SIPURI(user: "robot", host: "127.0.0.1"), viaHost: "127.0.0.1", viaPort: 0,
                              username: "robot", password: password, expires: 60)
    }

    func withAgent<T: Sendable>(_ body: @escaping @Sendable (SIPAgent) async throws -> T) async throws -> T {
        let agent = SIPAgent(configuration: .init(bindHost: "127.0.0.1", bindPort: 0), logger: SIPAgentPeerTests.logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await agent.run(); return nil }
            group.addTask { try await body(agent) }
            defer { group.cancelAll() }
            while let result = try await group.next() { if let result { return result } }
            throw SIPAgentError.notRunning
        }
    }

    @Test func registersAnswersTheChallengeAndRefreshes() async throws {
        let sipp = try await Sipp.start(scenario: "uas_registrar.xml", folder: folder)
        defer { Task { await sipp.peer.stop() } }
        let settings = settings(port: sipp.port, password: "secret")
        let (granted, state) = try await withAgent { agent in
            let granted = try await agent.register(settings)
            // The 2 s binding is refreshed after 1 s; sipp ends its scenario once it got the refresh.
            _ = await sipp.peer.waitForExit(seconds: 10)
            return (granted, await agent.registrationState)
        }
        #expect(granted == 2)
        #expect(state == .registered(expires: 3600))
        #expect(sipp.peer.process.terminationStatus == 0, "\(sipp.errors)")
    }

    @Test func wrongPasswordSaysSo() async throws {
        let sipp = try await Sipp.start(scenario: "uas_registrar.xml", folder: folder)
        defer { Task { await sipp.peer.stop() } }
        let settings = settings(port: sipp.port, password: "wrong")
        let error = try await withAgent { agent -> String in
            do {
                _ = try await agent.register(settings)
                return "registered"
            } catch {
                return "\(error)"
            }
        }
        #expect(error == "registration failed: the registrar answered 403 Forbidden")
    }
}

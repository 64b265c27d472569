import Foundation
import Logging
import MiniBotAudio
import MiniBotCore
import MiniBotTestSupport
import Testing
@testable import MiniBotSIP

/// Dead trunks, host names and moving media, against real sockets and sipp.
extension SIPAgentPeerTests {
    /// Places a call and returns how it failed (nil if answered) and how long that took.
    func failure(calling target: String) async throws -> (CallFailure?, Duration) {
        try await withAgent { agent in
            let started = ContinuousClock.now
            do {
                let call = try await agent.call(try SIPURI(parsing: target), from: Self.robot)
                await call.hangup()
                return (nil, started.duration(to: .now))
            } catch let failure as CallFailure {
                return (failure, started.duration(to: .now))
            }
        }
    }

    @Test("A dead trunk over UDP (closed port on loopback) fails at once on the ICMP port unreachable, not after timer B")
    func deadTrunkOverUDPFailsFast() async throws {
        let closed = PeerProcess.freePort()
        let (failure, took) = try await failure(calling: "sip:nobody@127.0.0.1:\(closed)")
        guard case .network(let code, let reason)? = failure else {
            Issue.record("expected a network failure, got \(String(describing: failure))")
            return
        }
        #expect(code == nil)
        #expect(reason == "127.0.0.1 unreachable: ICMP port unreachable")
        #expect(took < .seconds(2), "took \(took)")
    }

    @Test("A dead trunk over TCP (connection refused) fails at once")
    func deadTrunkOverTCPFailsFast() async throws {
        let closed = PeerProcess.freePort()
        let (failure, took) = try await failure(calling: "sip:nobody@127.0.0.1:\(closed);transport=tcp")
        #expect(failure == .network(code: nil, reason: "127.0.0.1 unreachable: TCP connection refused"))
        #expect(took < .seconds(2), "took \(took)")
    }

    @Test("A trunk named by host name (localhost) is resolved off the actor and called (sipp busy)")
    func trunkByHostName() async throws {
        let sipp = try await Sipp.start(scenario: "uas_busy.xml", folder: folder)
        defer { Task { await sipp.peer.stop() } }
        let (failure, _) = try await failure(calling: "sip:svc@localhost:\(sipp.port)")
        #expect(failure == .busy(code: 486))
        #expect(await sipp.peer.waitForExit(seconds: 30) == 0, "\(sipp.errors)")
    }

    @Test("A re-INVITE moving the media wins over the address learnt from packets; learning resumes after it (sipp + UDP sockets)")
    func reInviteWinsOverLearnedAddress() async throws {
        let first = try UDPSocket()
        let moved = try UDPSocket()
        let elsewhere = try UDPSocket()
        _ = FileManager.default.createFile(atPath: folder + "/silence.ulaw", contents: Data(repeating: 0xFF, count: 8000 * 5))
        let sipp = try await Sipp.start(scenario: "uas_reinvite_learned.xml", folder: folder,
                                        extra: ["-key", "first_port", String(first.port), "-key", "moved_port", String(moved.port), "-d", "4000"])
        defer { Task { await sipp.peer.stop() } }
        let (learned, afterMove, atMoved, afterLearning, atElsewhere, end) = try await withAgent { agent in
            let call = try await agent.call(try SIPURI(parsing: sipp.uri()), from: Self.robot)
            // sipp streams from its media port, not the SDP's: symmetric RTP follows the packets.
            var learned: Int?
            for _ in 0..<40 {
                learned = call.rtp.remoteAddress?.port
                if learned == sipp.mediaPort { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            // The re-INVITE (after 1.5 s) moves the media to `moved`.
            var afterMove: Int?
            for _ in 0..<60 {
                afterMove = call.rtp.remoteAddress?.port
                if afterMove == moved.port { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let atMoved = moved.drain(seconds: 0.4).count
            // Audio from a third address: learning applies again.
            let ourPort = call.rtp.localPort
            for index in 0..<10 {
                elsewhere.send(UDPSocket.rtp(sequence: UInt16(index), timestamp: UInt32(index * 160)), toPort: ourPort)
            }
            try await Task.sleep(for: .milliseconds(200))
            let afterLearning = call.rtp.remoteAddress?.port
            let atElsewhere = elsewhere.drain(seconds: 0.4).filter { $0.fromPort == ourPort }.count
            return (learned, afterMove, atMoved, afterLearning, atElsewhere, await call.ended())
        }
        #expect(learned == sipp.mediaPort, "learnt \(String(describing: learned)), sipp streams from \(sipp.mediaPort)")
        #expect(afterMove == moved.port)
        #expect(atMoved >= 15, "packets at the re-INVITE's address in 0.4 s: \(atMoved)")
        #expect(afterLearning == elsewhere.port)
        #expect(atElsewhere >= 15, "packets at the newly learnt address in 0.4 s: \(atElsewhere)")
        #expect(end.remoteHangup)
        #expect(await sipp.peer.waitForExit(seconds: 30) == 0, "\(sipp.errors)")
    }
}

@Suite("Host resolution off the actor")
struct HostResolverTests {
    @Test func localhostResolvesToIPv4OnceThenFromTheCache() async throws {
        let resolver = HostResolver(ttl: .seconds(30))
        let address = try await resolver.resolve(host: "localhost", port: 5060)
        #expect(address.ipAddress == "127.0.0.1" && address.port == 5060)
        #expect(resolver.cached(host: "LOCALHOST", port: 5060) == address)
        _ = try await resolver.resolve(host: "localhost", port: 5060)
        #expect(resolver.lookups == 1)
    }

    @Test func ipLiteralsNeverReachThePool() async throws {
        let resolver = HostResolver()
        #expect(resolver.cached(host: "[::1]", port: 5060)?.ipAddress == "::1")
        #expect(try await resolver.resolve(host: "127.0.0.1", port: 5070).port == 5070)
        #expect(resolver.lookups == 0)
    }

    @Test func anUnknownNameSaysSo() async throws {
        let resolver = HostResolver()
        await #expect(throws: SIPAgentError.self) { try await resolver.resolve(host: "no-such-host.invalid", port: 5060) }
    }

    @Test func expiredAnswersAreLookedUpAgain() async throws {
        let resolver = HostResolver(ttl: .milliseconds(50))
        _ = try await resolver.resolve(host: "localhost", port: 5060)
        try await Task.sleep(for: .milliseconds(100))
        #expect(resolver.cached(host: "localhost", port: 5060) == nil)
        _ = try await resolver.resolve(host: "localhost", port: 5060)
        #expect(resolver.lookups == 2)
    }
}

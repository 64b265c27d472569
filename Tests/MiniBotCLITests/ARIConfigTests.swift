import Foundation
import MiniBotARI
import MiniBotCore
import MiniBotDialer
import MiniBotTestSupport
import Testing
@testable import MiniBotCLI

@Suite("Configuration: telephony through Asterisk ARI")
struct ARIConfigTests {
    let folder = temporaryFolder("minibot-ari-config")

    func load(_ yaml: String, environment: [String: String] = [:]) throws -> MiniBotConfig {
        let path = folder + "/minibot.yaml"
        _ = FileManager.default.createFile(atPath: path, contents: Data(yaml.utf8))
        return try ConfigLoader(environment: ["HOME": folder].merging(environment) { $1 }, currentDirectory: folder).load().config
    }

    @Test func sampleConfigurationLoads() throws {
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("deploy/asterisk/minibot.yaml")
        let config = try load(try String(contentsOf: sample, encoding: .utf8), environment: ["MINIBOT_ARI_PASSWORD": "from-env"])
        #expect(config.telephony == .ari)
        #expect(config.ari.url == "http://127.0.0.1:8088" && config.ari.username == "minibot" && config.ari.password == "from-env")
        #expect(config.ari.endpoint(for: "+33612345678") == "PJSIP/+33612345678@trunk")
        #expect(try !ConfigLoader.render(config).contains("from-env"), "the password is masked")
    }

    @Test func sipStaysTheDefaultAndIgnoresTheARISection() throws {
        let config = try load("ari:\n  endpoint: no-placeholder\n")
        #expect(config.telephony == .sip)
    }

    @Test func nationalNumbers() {
        let ari = MiniBotConfig.ARI(endpoint: "Local/{number}@out/n", numberFormat: "national")
        #expect(ari.endpoint(for: "+33612345678") == "Local/0612345678@out/n")
        #expect(ari.endpoint(for: "+4930123456") == "Local/+4930123456@out/n")
    }

    /// `telephony: ari` gives the ARI backend, and a run stops at once, in ARI's words, when Asterisk is not there.
    @Test func stackPicksTheBackendAndFailsFastWithoutAsterisk() async throws {
        var config = MiniBotConfig(dataDir: folder)
        #expect(try DialerStack.backend(config, logger: testLogger).telephony is SIPTelephony)
        config.telephony = .ari
        config.ari.url = "http://127.0.0.1:\(PeerProcess.freePort())"
        config.ari.username = "minibot"
        config.ari.password = "not-in-any-message"
        let backend = try DialerStack.backend(config, logger: testLogger)
        #expect(backend.telephony is ARITelephony)
        await #expect {
            try await backend.ready()
        } throws: { error in
            guard case ARIError.unreachable(let url, _) = error else { return false }
            return url == config.ari.url && !"\(error)".contains("not-in-any-message")
        }
    }

    @Test func asteriskAMDPolicyDefaultsToRecordAndIsSetByFileOrEnvironment() throws {
        #expect(try load("telephony: ari\nari:\n  username: u\n").ari.asteriskAMD == .record)
        #expect(try load("telephony: ari\nari:\n  username: u\n  asterisk_amd: combine\n").ari.asteriskAMD == .combine)
        #expect(try load("telephony: ari\nari:\n  username: u\n", environment: ["MINIBOT_ARI_ASTERISK_AMD": "ignore"]).ari.asteriskAMD == .ignore)
        let ignoring = ARITelephony.agentConfiguration(try load("ari:\n  asterisk_amd: ignore\n"))
        #expect(!ignoring.readsAsteriskAMD, "ignore: AMDSTATUS is not even read")
        #expect(ARITelephony.agentConfiguration(MiniBotConfig(dataDir: folder)).readsAsteriskAMD)
    }

    @Test(arguments: [
        ("ari:\n  url: ftp://x\n  username: u", "ari.url"),
        ("ari:\n  url: http://u:p@127.0.0.1:8088\n  username: u", "must not carry credentials"),
        ("ari:\n  username: \"\"", "ari.username"),
        ("ari:\n  username: u\n  endpoint: PJSIP/trunk", "{number}"),
        ("ari:\n  username: u\n  app: \"my app\"", "ari.app"),
        ("ari:\n  username: u\n  number_format: local", "ari.number_format"),
        ("ari:\n  username: u\n  asterisk_amd: always", "asterisk_amd"),
    ])
    func badSettingsAreNamed(section: String, named: String) {
        #expect {
            _ = try load("telephony: ari\n" + section + "\n")
        } throws: { error in
            "\(error)".contains(named)
        }
    }
}

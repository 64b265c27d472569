import Foundation
import MiniBotCore
import MiniBotTestSupport
import Testing
@testable import MiniBotCLI

@Suite("Configuration")
struct ConfigLoaderTests {
    let folder = temporaryFolder("minibot-config")

    func loader(_ environment: [String: String] = [:]) -> ConfigLoader {
        ConfigLoader(environment: ["HOME": folder] .merging(environment) { $1 }, currentDirectory: folder)
    }

    func write(_ yaml: String, to name: String = "minibot.yaml") -> String {
        let path = folder + "/" + name
        FileManager.default.createFile(atPath: path, contents: Data(yaml.utf8))
        return path
    }

    @Test func defaultsAreTheSeeds() throws {
        let loaded = try loader().load()
        let config = loaded.config
        #expect(loaded.sources == ["defaults"])
        #expect(config.dataDir == folder + "/.local/share/minibot")
        #expect(config.effectiveDatabaseURL == "sqlite://" + folder + "/.local/share/minibot/minibot.sqlite")
        #expect(config.dialer == .init(maxConcurrentCalls: 8, delayBetweenCalls: 2, queueCheckInterval: 5, callTimeout: 120, retryDelay: 300))
        #expect(config.listen.timeouts(for: "hello").maxSilenceSeconds == 5)
        #expect(config.phone.defaultRegion == "FR" && config.phone.rejectPremiumRate)
    }

    @Test func fileThenEnvironment() throws {
        write("""
            data_dir: /srv/minibot
            dialer:
              max_concurrent_calls: 20
              retry_delay: 600
            caller_id:
              mode: dynamic
              number: 0612345678
              pool: [0123456789, "+33198765432"]
            listen:
              steps:
                greeting: {max_silence_seconds: 3, wait_before_stop: 1}
            """)
        let loaded = try loader([
            "MINIBOT_DIALER_MAX_CONCURRENT_CALLS": "50",
            "MINIBOT_DATABASE_URL": "postgres://bot:secret@db/calls",
            "MINIBOT_PHONE_REJECT_PREMIUM_RATE": "false",
            "MINIBOT_TEST_POSTGRES_URL": "ignored",
        ]).load()
        let config = loaded.config
        #expect(loaded.sources == ["defaults", folder + "/minibot.yaml", "MINIBOT_DATABASE_URL",
                                   "MINIBOT_DIALER_MAX_CONCURRENT_CALLS", "MINIBOT_PHONE_REJECT_PREMIUM_RATE"])
        #expect(config.dataDir == "/srv/minibot")
        #expect(config.dialer.maxConcurrentCalls == 50 && config.dialer.retryDelay == 600 && config.dialer.delayBetweenCalls == 2)
        #expect(config.callerID == .init(mode: .dynamic, number: "0612345678", pool: ["0123456789", "+33198765432"]))
        #expect(config.listen.timeouts(for: "greeting") == .init(maxSilenceSeconds: 3, waitBeforeStop: 1))
        #expect(config.listen.timeouts(for: "hello").maxSilenceSeconds == 5)
        #expect(!config.phone.rejectPremiumRate)
        #expect(config.effectiveDatabaseURL == "postgres://bot:secret@db/calls")
    }

    @Test func environmentListsAndExplicitFile() throws {
        let path = write("api: {port: 9000}", to: "other.yaml")
        let config = try loader(["MINIBOT_CONFIG": path, "MINIBOT_CALLER_ID_POOL": "+33100000001, +33100000002"]).load().config
        #expect(config.api.port == 9000)
        #expect(config.callerID.pool == ["+33100000001", "+33100000002"])
    }

    @Test("Mistakes name the setting and the source", arguments: [
        ("dialer:\n  max_calls: 3\n", "unknown setting 'dialer.max_calls'"),
        ("dialer:\n  max_concurrent_calls: many\n", "setting 'dialer.max_concurrent_calls': 'many' is not a number"),
        ("phone:\n  reject_premium_rate: sometimes\n", "'sometimes' is not true or false"),
        ("dialer: 5\n", "setting 'dialer': expected a map of settings"),
        ("phone:\n  default_region: XX\n", "phone.default_region 'XX' is not one of"),
        ("dialer:\n  max_concurrent_calls: 0\n", "dialer.max_concurrent_calls must be at least 1"),
        ("api: {port: 70000}\n", "api.port 70000 is not a TCP port"),
        ("dialer: [\n", "not valid YAML"),
        ("webhooks:\n  - url: ftp://x/\n", "webhooks[0].url 'ftp://x/' is not an http:// or https:// URL"),
        ("webhooks:\n  - {url: 'http://a/', events: []}\n", "webhooks[0].events is empty"),
        ("webhooks:\n  - {url: 'http://a/', events: [hangup]}\n", "hangup"),
        ("webhooks:\n  - {url: 'http://a/', colour: red}\n", "webhooks.colour"),
        ("amd:\n  short_greeting: 6000\n", "amd.short_greeting (6000 ms) must be shorter than amd.greeting (5000 ms)"),
        ("amd:\n  transcript_wait: -5\n", "amd.transcript_wait must be 0 or more milliseconds"),
        ("speech:\n  speculative_pause: -0.5\n", "speech.speculative_pause must be between 0 (off) and 30 seconds"),
        ("speech:\n  concurrency: 0\n", "speech.concurrency must be at least 1"),
        ("panel:\n  session_idle_timeout: 30\n", "panel.session_idle_timeout must be at least 60 seconds"),
        ("panel:\n  session_lifetime: 3600\n  session_idle_timeout: 7200\n", "must not exceed panel.session_lifetime"),
        ("panel:\n  login_max_failures: 0\n", "panel.login_max_failures must be at least 1"),
        ("panel:\n  trusted_proxies: [proxy.local]\n", "'proxy.local' is not an IPv4 or IPv6 address"),
    ])
    func mistakes(yaml: String, message: String) throws {
        write(yaml)
        do {
            _ = try loader().load()
            Issue.record("no error for \(yaml)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test func panelSessionsAndProxiesFromFileAndEnvironment() throws {
        #expect(try loader().load().config.panel == .init(sessionLifetime: 43_200, sessionIdleTimeout: 7_200, loginMaxFailures: 5, loginWindow: 600))
        write("panel:\n  session_lifetime: 28800\n  session_idle_timeout: 1800\n")
        let config = try loader(["MINIBOT_PANEL_TRUSTED_PROXIES": "10.0.0.2, ::1", "MINIBOT_PANEL_LOGIN_MAX_FAILURES": "3"]).load().config
        #expect(config.panel.sessionLifetime == 28_800 && config.panel.sessionIdleTimeout == 1_800)
        #expect(config.panel.trustedProxies == ["10.0.0.2", "::1"] && config.panel.loginMaxFailures == 3)
    }

    @Test func unknownEnvironmentVariableIsAnError() {
        #expect(throws: ConfigError.unknownKey(["dialer_max_calls"], source: "environment variable MINIBOT_DIALER_MAX_CALLS")) {
            try loader(["MINIBOT_DIALER_MAX_CALLS": "3"]).load()
        }
    }

    @Test func renderingMasksSecrets() throws {
        var config = MiniBotConfig(dataDir: "/data", databaseURL: "postgres://bot:hunter2@db:5432/calls")
        config.callerID.number = "0612345678"
        let yaml = try ConfigLoader.render(config)
        #expect(yaml.contains("database_url: postgres://bot:***@db:5432/calls"))
        #expect(!yaml.contains("hunter2"))
        #expect(yaml.contains("number: \"0612345678\""))
        // What is printed loads back to the same settings.
        write(yaml.replacingOccurrences(of: "***", with: "hunter2"))
        #expect(try loader().load().config == config)
    }

    @Test func webhooksAreAListOfEndpointsWithDefaultsAndMaskedSecrets() throws {
        write("""
        webhooks:
          - url: https://crm.example.com/hook
            secret: s3cret
            events: [lead]
          - url: http://127.0.0.1:9000/all
        """)
        let config = try loader().load().config
        #expect(config.webhooks == [
            MiniBotConfig.Webhook(url: "https://crm.example.com/hook", secret: "s3cret", events: [.lead]),
            MiniBotConfig.Webhook(url: "http://127.0.0.1:9000/all"),
        ])
        #expect(config.webhooks[1].events == [.callEnded, .lead] && config.webhooks[1].maxAttempts == 12)
        let yaml = try ConfigLoader.render(config)
        #expect(!yaml.contains("s3cret"))
        #expect(yaml.components(separatedBy: "***").count == 2, "\(yaml)")
    }
}

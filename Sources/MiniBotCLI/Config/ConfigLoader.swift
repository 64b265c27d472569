import Foundation
import MiniBotCore
import MiniBotStore
import Yams

/// The effective configuration and where it came from.
public struct LoadedConfig: Sendable {
    public var config: MiniBotConfig
    /// `defaults`, then the file, then each environment variable used.
    public var sources: [String]
}

/// Reads the configuration: the defaults, then one YAML file, then
/// `MINIBOT_*` environment variables, each over the one before.
///
/// The file is `--config PATH`, else `$MINIBOT_CONFIG`, else `./minibot.yaml`
/// or `$XDG_CONFIG_HOME/minibot/minibot.yaml` when they exist. An
/// environment variable names a setting's path with `_` between the parts:
/// `MINIBOT_DATABASE_URL`, `MINIBOT_DIALER_MAX_CONCURRENT_CALLS`,
/// `MINIBOT_CALLER_ID_POOL=+33…,+33…` (lists are comma-separated).
public struct ConfigLoader {
    public var environment: [String: String]
    public var currentDirectory: String

    /// Variables with the prefix that are not settings.
    static let reservedVariables: Set<String> = ["MINIBOT_CONFIG"]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                currentDirectory: String = FileManager.default.currentDirectoryPath) {
        self.environment = environment
        self.currentDirectory = currentDirectory
    }

    public var defaultDataDir: String {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let base = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.local/share"
        return base + "/minibot"
    }

    /// The file to read, if any.
    public func configPath(explicit: String?) -> String? {
        if let explicit { return explicit }
        if let path = environment["MINIBOT_CONFIG"], !path.isEmpty { return path }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        return [currentDirectory + "/minibot.yaml", configHome + "/minibot/minibot.yaml"]
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    public func load(path explicit: String? = nil) throws -> LoadedConfig {
        var tree = try ConfigTree(encoding: MiniBotConfig(dataDir: defaultDataDir))
        var sources = ["defaults"]
        if let path = configPath(explicit: explicit) {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ConfigError.unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "not readable UTF-8 text" : "no such file")
            }
            let node: Node?
            do {
                node = try Yams.compose(yaml: text)
            } catch {
                throw ConfigError.unreadable(path: path, reason: "not valid YAML: \(error)")
            }
            if let node { tree = try tree.merged(with: node, source: path) }
            sources.append(path)
        }
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix("MINIBOT_") {
            guard !Self.reservedVariables.contains(name), !name.hasPrefix("MINIBOT_TEST_") else { continue }
            let key = String(name.dropFirst("MINIBOT_".count)).lowercased()
            guard let path = tree.path(forEnvironmentName: key) else {
                throw ConfigError.unknownKey([key], source: "environment variable \(name)")
            }
            try tree.set(path, text: value, source: "environment variable \(name)")
            sources.append(name)
        }
        let config: MiniBotConfig
        do {
            config = try tree.decode(as: MiniBotConfig.self)
        } catch {
            throw ConfigError.invalid("\(error)")
        }
        try Self.validate(config)
        return LoadedConfig(config: config, sources: sources)
    }

    static func validate(_ config: MiniBotConfig) throws(ConfigError) {
        if NumberingRegion.named(config.phone.defaultRegion) == nil {
            let known = NumberingRegion.all.map(\.code).joined(separator: ", ")
            throw .invalid("phone.default_region '\(config.phone.defaultRegion)' is not one of \(known)")
        }
        if config.dialer.maxConcurrentCalls < 1 { throw .invalid("dialer.max_concurrent_calls must be at least 1") }
        if config.dialer.maxAttempts < 1 { throw .invalid("dialer.max_attempts must be at least 1") }
        for (name, value) in [("dialer.delay_between_calls", config.dialer.delayBetweenCalls),
                              ("dialer.queue_check_interval", config.dialer.queueCheckInterval),
                              ("dialer.call_timeout", config.dialer.callTimeout),
                              ("dialer.retry_delay", config.dialer.retryDelay),
                              ("dialer.ring_timeout", config.dialer.ringTimeout)] where value < 0 || !value.isFinite {
            throw .invalid("\(name) must be a positive number of seconds, not \(value)")
        }
        if !(1...65535).contains(config.api.port) { throw .invalid("api.port \(config.api.port) is not a TCP port") }
        if !["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(config.logLevel) {
            throw .invalid("log_level '\(config.logLevel)' is not one of trace, debug, info, notice, warning, error, critical")
        }
        if config.dataDir.isEmpty { throw .invalid("data_dir is empty") }
        if config.retention.days < 0 { throw .invalid("retention.days must be 0 (keep for ever) or more, not \(config.retention.days)") }
        let sip = config.sip
        if !(0...65535).contains(sip.bindPort) { throw .invalid("sip.bind_port \(sip.bindPort) is not a UDP port") }
        if !(1024...65535).contains(sip.rtpPortMin) || !(1024...65535).contains(sip.rtpPortMax) || sip.rtpPortMax - sip.rtpPortMin < 1 {
            throw .invalid("sip.rtp_port_min…rtp_port_max (\(sip.rtpPortMin)…\(sip.rtpPortMax)) must be a range of ports between 1024 and 65535")
        }
        if sip.register && (sip.trunk.isEmpty || sip.username.isEmpty) {
            throw .invalid("sip.register needs sip.trunk and sip.username")
        }
        if sip.registerExpires < 60 { throw .invalid("sip.register_expires must be at least 60 seconds") }
        if !["e164", "national"].contains(sip.numberFormat) {
            throw .invalid("sip.number_format '\(sip.numberFormat)' is not e164 or national")
        }
        if !config.amd.problems.isEmpty { throw .invalid(config.amd.problems.joined(separator: "; ")) }
        if !config.speech.problems.isEmpty { throw .invalid(config.speech.problems.joined(separator: "; ")) }
        let webhookProblems = config.webhooks.enumerated().flatMap { $0.element.problems(at: $0.offset) }
        if !webhookProblems.isEmpty { throw .invalid(webhookProblems.joined(separator: "; ")) }
        if config.telephony == .ari { try validateARI(config.ari) }
        try validatePanel(config.panel)
    }

    /// The `panel:` section: positive times, an idle timeout within the lifetime, proxies as IP addresses.
    static func validatePanel(_ panel: MiniBotConfig.Panel) throws(ConfigError) {
        for (name, value) in [("panel.session_lifetime", panel.sessionLifetime), ("panel.session_idle_timeout", panel.sessionIdleTimeout),
                              ("panel.login_window", panel.loginWindow)] where value < 60 || !value.isFinite {
            throw .invalid("\(name) must be at least 60 seconds, not \(value)")
        }
        if panel.sessionIdleTimeout > panel.sessionLifetime {
            throw .invalid("panel.session_idle_timeout (\(panel.sessionIdleTimeout)) must not exceed panel.session_lifetime (\(panel.sessionLifetime))")
        }
        if panel.loginMaxFailures < 1 { throw .invalid("panel.login_max_failures must be at least 1") }
        for proxy in panel.trustedProxies where !isIPAddress(proxy) {
            throw .invalid("panel.trusted_proxies: '\(proxy)' is not an IPv4 or IPv6 address")
        }
    }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    /// The `ari:` section, checked only when `telephony: ari` selects it.
    static func validateARI(_ ari: MiniBotConfig.ARI) throws(ConfigError) {
        guard let url = URL(string: ari.url), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
            throw .invalid("ari.url '\(ari.url)' is not an http:// or https:// URL (Asterisk's http.conf address, e.g. http://127.0.0.1:8088)")
        }
        if url.user != nil || url.password != nil { throw .invalid("ari.url must not carry credentials: set ari.username and ari.password") }
        if ari.username.isEmpty { throw .invalid("ari.username is empty: name a user of Asterisk's ari.conf") }
        if ari.app.isEmpty || ari.app.contains(where: { !($0.isLetter || $0.isNumber || "-_.".contains($0)) }) {
            throw .invalid("ari.app '\(ari.app)' must be a non-empty name of letters, digits, '-', '_' or '.'")
        }
        if !ari.endpoint.contains("{number}") {
            throw .invalid("ari.endpoint '\(ari.endpoint)' has no {number} to replace (e.g. PJSIP/{number}@trunk)")
        }
        if !["e164", "national"].contains(ari.numberFormat) {
            throw .invalid("ari.number_format '\(ari.numberFormat)' is not e164 or national")
        }
        if !(1024...65535).contains(ari.rtpPortMin) || !(1024...65535).contains(ari.rtpPortMax) || ari.rtpPortMax - ari.rtpPortMin < 1 {
            throw .invalid("ari.rtp_port_min…rtp_port_max (\(ari.rtpPortMin)…\(ari.rtpPortMax)) must be a range of ports between 1024 and 65535")
        }
        if ari.reconnectGrace < 0 || !ari.reconnectGrace.isFinite { throw .invalid("ari.reconnect_grace must be a positive number of seconds") }
    }

    /// The configuration as YAML, with every secret masked.
    public static func render(_ config: MiniBotConfig) throws -> String {
        var tree = try ConfigTree(encoding: config)
        tree = masked(tree, key: "")
        return try Yams.serialize(node: tree.node)
    }

    /// Keys whose values are never printed.
    static let secretKeys: Set<String> = ["password", "api_key", "secret", "token"]

    private static func masked(_ tree: ConfigTree, key: String) -> ConfigTree {
        switch tree {
        case .object(let map):
            return .object(map.reduce(into: [:]) { $0[$1.key] = masked($1.value, key: $1.key) })
        case .array(let items):
            return .array(items.map { masked($0, key: key) })
        case .string(let value) where key == "database_url":
            return .string(redactedDatabaseURL(value))
        case .string(let value) where secretKeys.contains(key) || key.hasSuffix("_password") || key.hasSuffix("_secret"):
            return .string(value.isEmpty ? "" : "***")
        default:
            return tree
        }
    }
}

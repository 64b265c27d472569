import Foundation

/// A parsed database URL.
enum DatabaseURL: Equatable {
    case sqlite(path: String)
    case postgres(PostgresSettings)

    init(_ text: String) throws(StoreError) {
        if text.hasPrefix("sqlite://") {
            let path = String(text.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw .invalidURL("'\(text)' names no file") }
            self = .sqlite(path: path.removingPercentEncoding ?? path)
            return
        }
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") else {
            throw .invalidURL("unknown database URL '\(Self.redacted(text))'")
        }
        guard let components = URLComponents(string: text) else {
            throw .invalidURL("'\(Self.redacted(text))' is not a valid URL")
        }
        var settings = PostgresSettings(
            host: components.host ?? "",
            port: components.port ?? 5432,
            username: components.user ?? "",
            password: components.password,
            database: String(components.path.drop { $0 == "/" })
        )
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = PostgresSettings.TLSMode(rawValue: item.value ?? "") else {
                    throw .invalidURL("sslmode '\(item.value ?? "")' in '\(Self.redacted(text))' is not disable, prefer or require")
                }
                settings.tls = mode
            case "host":
                settings.unixSocketDirectory = item.value
            case "pool_max_conns":
                guard let count = Int(item.value ?? ""), (1...1_000).contains(count) else {
                    throw .invalidURL("pool_max_conns '\(item.value ?? "")' in '\(Self.redacted(text))' is not a number of connections (1–1000)")
                }
                settings.maximumConnections = count
            case "application_name":
                break
            default:
                throw .invalidURL("unknown option '\(item.name)' in '\(Self.redacted(text))'")
            }
        }
        guard !settings.username.isEmpty else { throw .invalidURL("'\(Self.redacted(text))' names no user") }
        guard !settings.host.isEmpty || settings.unixSocketDirectory != nil else {
            throw .invalidURL("'\(Self.redacted(text))' names no host")
        }
        if settings.database.isEmpty { settings.database = settings.username }
        self = .postgres(settings)
    }

    /// The URL with its password replaced by `***`, safe to print and log.
    static func redacted(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), let scheme = text.range(of: "://"),
              scheme.upperBound < at else { return text }
        let credentials = text[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }
}

struct PostgresSettings: Equatable {
    enum TLSMode: String { case disable, prefer, require }

    var host: String
    var port: Int
    var username: String
    var password: String?
    var database: String
    var tls: TLSMode = .prefer
    /// A folder holding the server's socket (`/var/run/postgresql`).
    var unixSocketDirectory: String?
    /// Connections the pool keeps at most (`pool_max_conns`). By default
    /// twice this host's cores: more backends than the CPUs can run at once
    /// only make each statement wait for a time slice (on 2 cores with the
    /// server beside it, 8 connections gave numbered pages a p99 of 20–30 ms,
    /// 4 gave 9.5 ms at the same throughput).
    var maximumConnections = 2 * ProcessInfo.processInfo.activeProcessorCount
}

/// Masks the password of a database URL, for `config show` and logs.
public func redactedDatabaseURL(_ url: String) -> String {
    DatabaseURL.redacted(url)
}

import Foundation
import Logging
import MiniBotCore
import MiniBotStore
import PostgresNIO

/// The two store backends the store and CLI tests run on. PostgreSQL needs
/// `MINIBOT_TEST_POSTGRES_URL` (a user allowed to create databases), which
/// `scripts/test` sets after starting a private server; under CI its absence
/// fails the PostgreSQL cases instead of skipping them.
public enum Backend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres

    public var description: String { rawValue }

    public static let postgresURL = ProcessInfo.processInfo.environment["MINIBOT_TEST_POSTGRES_URL"]

    /// Backends to test here: PostgreSQL when a server is given or under CI.
    public static var available: [Backend] {
        postgresURL != nil || ProcessInfo.processInfo.environment["CI"] != nil ? allCases : [.sqlite]
    }
}

public struct TestSetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

public let testLogger: Logger = {
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    return logger
}()

/// A fresh, empty, migrated database of `backend` for one test, removed afterwards.
public func withFreshStore<T>(_ backend: Backend, _ body: (any Store, String) async throws -> T) async throws -> T {
    let (url, cleanup) = try await freshDatabase(backend)
    let store = try await openStore(url: url, logger: testLogger)
    do {
        let result = try await body(store, url)
        await store.close()
        try await cleanup()
        return result
    } catch {
        await store.close()
        try? await cleanup()
        throw error
    }
}

/// The URL of a new, empty database and how to remove it.
public func freshDatabase(_ backend: Backend) async throws -> (url: String, cleanup: @Sendable () async throws -> Void) {
    let name = "mb_" + UUID().uuidString.prefix(8).lowercased()
    switch backend {
    case .sqlite:
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("minibot-tests-\(name)").path
        return ("sqlite://\(folder)/test.sqlite", { try? FileManager.default.removeItem(atPath: folder) })
    case .postgres:
        guard let admin = Backend.postgresURL else {
            throw TestSetupError("MINIBOT_TEST_POSTGRES_URL is not set: run the tests through scripts/test")
        }
        try await adminQuery(admin, "CREATE DATABASE \(name)")
        var components = URLComponents(string: admin)!
        components.path = "/" + name
        return (components.string!, { try await adminQuery(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") })
    }
}

/// Runs one statement on the server's maintenance database (CREATE/DROP DATABASE).
public func adminQuery(_ url: String, _ sql: String) async throws {
    let c = URLComponents(string: url)!
    let configuration = PostgresConnection.Configuration(
        host: c.host ?? "127.0.0.1", port: c.port ?? 5432, username: c.user ?? "", password: c.password,
        database: String(c.path.dropFirst()), tls: .disable)
    let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: testLogger)
    do {
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: testLogger)
        try await connection.close()
    } catch {
        try? await connection.close()
        throw error
    }
}

public let testDate = Date(timeIntervalSince1970: 1_790_000_000)

public func upsert(_ phone: String, first: String = "", last: String = "", email: String = "", company: String = "",
                   notes: String = "", status: ContactStatus? = nil) throws -> ContactUpsert {
    ContactUpsert(phone: try PhoneNumberParser().parse(phone), firstName: first, lastName: last, email: email,
                  company: company, notes: notes, status: status)
}

/// A scratch folder under the system's temporary directory.
public func temporaryFolder(_ prefix: String) -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))").path
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

import ArgumentParser
import Foundation
import Logging
import MiniBotCore
import MiniBotStore

/// Options every command that touches the configuration takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default: $MINIBOT_CONFIG, ./minibot.yaml, ~/.config/minibot/minibot.yaml).")
    var config: String?

    @Option(name: .long, help: "Database URL, over the configuration: sqlite:///path/file.sqlite or postgres://user:password@host/db.")
    var databaseURL: String?
}

/// What a command needs at run time: the configuration, a logger, the store.
struct Runtime {
    let loaded: LoadedConfig
    let logger: Logger
    var config: MiniBotConfig { loaded.config }

    init(_ options: GlobalOptions) throws {
        var loaded = try ConfigLoader().load(path: options.config)
        if let url = options.databaseURL {
            loaded.config.databaseURL = url
            loaded.sources.append("--database-url")
        }
        self.loaded = loaded
        Self.bootstrapLogging(level: loaded.config.logLevel)
        self.logger = Logger(label: "minibot")
    }

    nonisolated(unsafe) private static var bootstrapped = false

    private static func bootstrapLogging(level: String) {
        guard !bootstrapped else { return }
        bootstrapped = true
        let level = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    func openStore() async throws -> any Store {
        try await MiniBotStore.openStore(url: config.effectiveDatabaseURL, logger: logger)
    }

    var phoneParser: PhoneNumberParser {
        PhoneNumberParser(defaultRegion: NumberingRegion.named(config.phone.defaultRegion)!,
                          rejectPremiumRate: config.phone.rejectPremiumRate)
    }

    /// Opens the store, runs `body`, and closes the store whatever happens.
    func withStore<T>(_ body: (any Store) async throws -> T) async throws -> T {
        let store = try await openStore()
        do {
            let result = try await body(store)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }
}

extension ContactStatus: ExpressibleByArgument {
    public init?(argument: String) { self.init(lenient: argument) }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension UnknownColumnPolicy: ExpressibleByArgument {}

/// Writes to standard output without Foundation's buffering surprises.
enum Output {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        write(String(decoding: try encoder.encode(value), as: UTF8.self) + "\n")
    }

    static var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
}

import ArgumentParser
import MiniBotStore

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show the effective configuration.",
        subcommands: [Show.self]
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the effective configuration as YAML, secrets masked.")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let runtime = try Runtime(global)
            Output.write("# from: \(runtime.loaded.sources.joined(separator: ", "))\n")
            Output.write("# database: \(redactedDatabaseURL(runtime.config.effectiveDatabaseURL))\n")
            Output.write(try ConfigLoader.render(runtime.config))
        }
    }
}

import ArgumentParser

/// The root of the `minibot` command line. Each subcommand lives in its own
/// file under `Commands/`, parses its options and delegates to a library.
public struct MiniBotCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "minibot",
        abstract: "MiniBotPanel: an outbound calling robot for lead-qualification campaigns in French.",
        version: MiniBotVersion.current,
        subcommands: [
            // Keep one line per command.
            DemoCommand.self,
            ImportCommand.self,
            ExportCommand.self,
            ContactsCommand.self,
            ConfigCommand.self,
            CallCommand.self,
            IntentCommand.self,
            TranscribeCommand.self,
            ModelsCommand.self,
            PromptsCommand.self,
            ScenarioCommand.self,
            WebhooksCommand.self,
            OptOutCommand.self,
            AMDCommand.self,
            CampaignCommand.self,
            WorkerCommand.self,
            ServeCommand.self,
            APIKeyCommand.self,
            CleanupCommand.self,
            DoctorCommand.self,
            UserCommand.self,
        ]
    )

    public init() {}

    /// Parses the process's arguments and runs the command they name.
    public static func runFromCommandLine() async {
        await main(nil)
    }
}

public enum MiniBotVersion {
    public static let current = "0.1.0"
}

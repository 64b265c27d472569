import ArgumentParser

/// Benchmarks that print figures as a readable table and as JSON.
/// One subcommand per benchmark, each in its own file.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "minibot-bench",
        abstract: "MiniBotPanel benchmarks: each prints a table and one JSON object.",
        subcommands: [
            // Keep one line per benchmark.
            ImportBench.self,
            SIPLoadBench.self,
            SIPChurnBench.self,
            ARILoadBench.self,
            IntentBench.self,
            AudioBench.self,
            SpeechBench.self,
            AMDBench.self,
            DialerBench.self,
            APIBench.self,
        ]
    )
}

import Foundation
import MiniBotCore
import MiniBotDialer

/// The scenarios the API may use: the built-in one and the YAML files of
/// DATA_DIR/scenarios, by name only (never an arbitrary path from a request).
public struct ScenarioCatalog: Sendable {
    let environment: APIEnvironment

    public init(environment: APIEnvironment) {
        self.environment = environment
    }

    public var folder: String { (environment.config.dataDir as NSString).appendingPathComponent("scenarios") }
    public var builtinPromptDirectory: String {
        (environment.config.dataDir as NSString).appendingPathComponent("prompts/\(ScenarioLoader.builtinName)")
    }

    /// Names: `universal` first, then the files' names without extension, sorted.
    public func names() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let yaml = files.filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && SafeFile.isPlainName($0) }
            .map { ($0 as NSString).deletingPathExtension }
        return [ScenarioLoader.builtinName] + Set(yaml).sorted()
    }

    /// What a campaign stores as its scenario: `universal`, or the file's absolute path.
    public func path(of name: String, field: String) throws -> String {
        if name == ScenarioLoader.builtinName { return name }
        guard SafeFile.isPlainName(name) else { throw Problem.invalid(field, "must be a scenario name from GET /scenarios") }
        for ext in ["yaml", "yml"] {
            if let real = try? SafeFile(folder: folder).resolve("\(name).\(ext)") { return real }
        }
        throw Problem.invalid(field, "no scenario named '\(name)' (GET /scenarios lists them)")
    }

    /// The scenario's problems (empty when it loads), prompts included when asked.
    public func check(_ path: String, checkPrompts: Bool) -> [String] {
        let listen = environment.config.listen
        do {
            _ = try ScenarioLoader.load(path, defaultPromptDirectory: builtinPromptDirectory, checkPrompts: checkPrompts) { step in
                let timeouts = listen.timeouts(for: step)
                return ListenTimeouts(maxSilenceSeconds: timeouts.maxSilenceSeconds, waitBeforeStop: timeouts.waitBeforeStop)
            }
            return []
        } catch let error as ScenarioError {
            return error.problems.map(redacted)
        } catch {
            return [redacted("\(error)")]
        }
    }

    /// A problem without the server's folders in it.
    func redacted(_ text: String) -> String {
        text.replacingOccurrences(of: builtinPromptDirectory, with: "prompts/\(ScenarioLoader.builtinName)")
            .replacingOccurrences(of: folder + "/", with: "")
            .replacingOccurrences(of: environment.config.dataDir, with: "DATA_DIR")
    }
}

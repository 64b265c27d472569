import Foundation
import MiniBotAudio
import MiniBotCore
import Yams

/// A validated scenario and where its prompts are.
public struct LoadedScenario: Sendable {
    public var scenario: Scenario
    /// The file it was read from, or `builtin:universal`.
    public var source: String
    /// Absolute folder of the prompts' audio.
    public var promptDirectory: String

    /// The absolute path of a prompt's audio file.
    public func path(of prompt: ScenarioPrompt) -> String {
        prompt.file.hasPrefix("/") ? prompt.file : (promptDirectory as NSString).appendingPathComponent(prompt.file)
    }
}

/// Reads scenario files (YAML or JSON) and the built-in universal scenario.
public enum ScenarioLoader {
    /// The name that selects the built-in scenario instead of a file.
    public static let builtinName = "universal"

    /// The built-in scenario's YAML text, to copy and adapt.
    public static var builtinText: String {
        get throws {
            guard let url = Bundle.module.url(forResource: "universal", withExtension: "yaml") else {
                throw ScenarioError(problems: ["the built-in scenario is missing from this build"])
            }
            return try String(contentsOf: url, encoding: .utf8)
        }
    }

    /// Loads and validates `nameOrPath`: a scenario file, or `universal` for
    /// the built-in one whose prompts are in `defaultPromptDirectory`.
    /// - Parameters:
    ///   - checkPrompts: also open each prompt file (missing, unreadable, not audio).
    ///   - timeouts: listen timeouts for steps that set none (the configuration's `listen`).
    public static func load(_ nameOrPath: String, defaultPromptDirectory: String, checkPrompts: Bool,
                            timeouts: @escaping (String) -> ListenTimeouts) throws -> LoadedScenario {
        let text: String
        let source: String
        let baseDirectory: String
        if nameOrPath == builtinName {
            text = try builtinText
            source = "builtin:\(builtinName)"
            baseDirectory = defaultPromptDirectory
        } else {
            let path = (nameOrPath as NSString).expandingTildeInPath
            guard FileManager.default.fileExists(atPath: path) else {
                throw ScenarioError(problems: ["\(nameOrPath): no such scenario file (or `\(builtinName)` for the built-in one)"])
            }
            guard let data = FileManager.default.contents(atPath: path), let string = String(data: data, encoding: .utf8) else {
                throw ScenarioError(problems: ["\(nameOrPath): not readable UTF-8 text"])
            }
            text = string
            source = path
            baseDirectory = ((path as NSString).deletingLastPathComponent as NSString).standardizingPath
        }
        let scenario = try parse(text, source: source, defaultName: ((source as NSString).lastPathComponent as NSString).deletingPathExtension,
                                 timeouts: timeouts)
        let promptDirectory = scenario.promptDirectory.hasPrefix("/") ? scenario.promptDirectory
            : ((baseDirectory as NSString).appendingPathComponent(scenario.promptDirectory) as NSString).standardizingPath
        let loaded = LoadedScenario(scenario: scenario, source: source, promptDirectory: promptDirectory)
        if checkPrompts {
            do {
                try scenario.validatePrompts { prompt in problem(with: loaded.path(of: prompt)) }
            } catch var error as ScenarioError {
                error.problems.append("prompts are read from \(promptDirectory)")
                throw error
            }
        }
        return loaded
    }

    /// Parses YAML (JSON is YAML too) into a validated scenario.
    public static func parse(_ text: String, source: String = "scenario", defaultName: String = "scenario",
                             timeouts: @escaping (String) -> ListenTimeouts = { _ in ListenTimeouts(maxSilenceSeconds: 4, waitBeforeStop: 1.2) }) throws -> Scenario {
        let document: ScenarioDocument
        do {
            document = try YAMLDecoder().decode(ScenarioDocument.self, from: text)
        } catch let error as DecodingError {
            throw ScenarioError(problems: ["\(source): \(describe(error))"])
        } catch {
            throw ScenarioError(problems: ["\(source): not valid YAML: \(error)"])
        }
        return try Scenario(document: document, defaultName: defaultName, defaultTimeouts: timeouts)
    }

    /// Why a prompt file cannot be played, or nil when it can.
    static func problem(with path: String) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return "no such file (record it, or `minibot prompts synthesize`)" }
        do {
            let file = try WAVFile.read(path: path)
            if file.buffer.samples.isEmpty { return "the file holds no audio" }
            return nil
        } catch {
            return "unreadable: \(error)"
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "" : keys.joined(separator: ".") + ": "
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context))missing key '\(key.stringValue)'"
        case .typeMismatch(let type, let context): return "\(path(context))expected \(type) (\(context.debugDescription))"
        case .valueNotFound(let type, let context): return "\(path(context))expected \(type), found nothing"
        case .dataCorrupted(let context):
            if let underlying = context.underlyingError {
                return "\(path(context))not valid YAML: \(String(describing: underlying).replacingOccurrences(of: "\n", with: " "))"
            }
            return "\(path(context))\(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

import Foundation
import MiniBotAudio
import MiniBotCore

/// A scenario's prompts, read once and converted to 8 kHz mono for every call.
public struct PromptSet: Sendable {
    /// Audio by step name; `recording_notice` and `voicemail` when present.
    public var audio: [String: PCMBuffer]

    public init(audio: [String: PCMBuffer]) {
        self.audio = audio
    }

    /// Reads every step's prompt, and the notice and voicemail when `optional` names them.
    /// Throws a ``ScenarioError`` naming each prompt that cannot be played.
    public static func load(_ scenario: LoadedScenario, including optional: Set<String> = []) throws -> PromptSet {
        var audio: [String: PCMBuffer] = [:]
        var problems: [String] = []
        for (name, prompt) in scenario.scenario.promptFiles where scenario.scenario.steps[name] != nil || optional.contains(name) {
            let path = scenario.path(of: prompt)
            do {
                let buffer = try WAVFile.read(path: path).buffer.mono()
                let converted = buffer.sampleRate == 8_000 ? buffer : try Resampler.resample(buffer, to: 8_000)
                guard !converted.samples.isEmpty else { throw ScenarioError(problems: ["the file holds no audio"]) }
                audio[name] = converted
            } catch {
                let reason = FileManager.default.fileExists(atPath: path) ? "\(error)" : "no such file"
                problems.append("\(name): \(path): \(reason)")
            }
        }
        if !problems.isEmpty { throw ScenarioError(problems: problems) }
        return PromptSet(audio: audio)
    }
}

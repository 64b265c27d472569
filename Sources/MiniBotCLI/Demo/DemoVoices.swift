import Foundation
import MiniBotAudio
import MiniBotCore
import MiniBotSpeech

/// The callee's side of each demo call: what the person says, spoken by Pico
/// and placed in time against the robot's prompts, at 8 kHz as the line carries it.
struct DemoVoices {
    let synthesizer: any SpeechSynthesizer
    let scenario: Scenario
    /// Seconds each step's prompt lasts.
    let promptLength: [String: Double]
    let classifier = IntentClassifier()

    /// The persona's track: each answer starts a little after the prompt it
    /// answers should have ended.
    func track(for persona: DemoPersona) async throws -> PCMBuffer {
        var samples = [Int16](repeating: 0, count: 8_000 * 90)
        func place(_ audio: PCMBuffer, at seconds: Double) -> Double {
            let start = Int(seconds * 8_000)
            for (offset, sample) in audio.samples.enumerated() where start + offset < samples.count { samples[start + offset] = sample }
            return seconds + Double(audio.samples.count) / 8_000
        }
        var end = 0.3
        if let voicemail = persona.voicemail {
            end = place(try await say(voicemail), at: 0.4)
            end = place(Self.beep, at: end + 0.3)
            return PCMBuffer(sampleRate: 8_000, samples: Array(samples.prefix(Int((end + 15) * 8_000))))
        }
        if let greeting = persona.greeting {
            end = place(try await say(greeting), at: 0.3)
        }
        // The robot speaks once it has decided a person answered (≈ 1.5 s after the greeting).
        var promptStart = end + 1.5
        var step = scenario.start
        for answer in persona.answers {
            end = place(try await say(answer), at: promptStart + (promptLength[step] ?? 3) + 1.2)
            let wait = scenario.steps[step]?.listen?.waitBeforeStop ?? 1.5
            // After the answer: the end-of-turn silence, then transcription.
            promptStart = end + wait + 1.2
            step = next(after: step, answer: answer)
        }
        let tail = persona.hangsUp ? 2.0 : 40.0
        return PCMBuffer(sampleRate: 8_000, samples: Array(samples.prefix(Int((end + tail) * 8_000))))
    }

    private func say(_ text: String) async throws -> PCMBuffer {
        try Resampler.resample(try await synthesizer.synthesize(text).mono(), to: 8_000)
    }

    /// The step the robot goes to next, by the real classifier (to time the next answer).
    private func next(after step: String, answer: String) -> String {
        let event = ScenarioEvent(classifier.classify(answer).intent)
        return scenario.steps[step]?.transitions[event]?.next ?? step
    }

    /// A voicemail's beep: 1 kHz for half a second.
    static let beep = PCMBuffer(sampleRate: 8_000, samples: (0..<4_000).map { Int16(8_000 * sin(2 * .pi * 1_000 * Double($0) / 8_000)) })
}

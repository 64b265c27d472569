import MiniBotAudio
import MiniBotCore
import MiniBotSpeech

/// What a simulated callee says, for the end-to-end campaign tests (SIP and ARI).
public struct CalleeScript: Sendable {
    /// Said right after the answer ("Allô ?"); nil: a voicemail greeting or silence.
    public var greeting: String?
    /// The answers, one per listening step, in order. A `|` in an answer is a
    /// pause of ``pauseBetweenParts`` seconds ("Non merci. | Enfin si, allez-y.").
    public var answers: [String]
    /// The track ends (and the callee hangs up) right after the last answer.
    public var hangsUp: Bool
    /// A voicemail greeting and beep instead of a person.
    public var voicemail: String?

    public init(greeting: String?, answers: [String], hangsUp: Bool = false, voicemail: String? = nil) {
        self.greeting = greeting
        self.answers = answers
        self.hangsUp = hangsUp
        self.voicemail = voicemail
    }
}

/// The callee's side of a call as one 8 kHz track, timed against the robot's
/// prompts: each answer starts a little after the prompt it answers should
/// have ended, following the scenario by the real classifier.
public enum CalleeTrack {
    /// 8 kHz mono, as the line carries it.
    public static func telephone(_ buffer: PCMBuffer) throws -> PCMBuffer {
        try Resampler.resample(buffer.mono(), to: 8_000)
    }

    public static func build(_ script: CalleeScript, scenario: Scenario, promptLength: [String: Double],
                             pico: PicoSynthesizer) async throws -> PCMBuffer {
        var samples = [Int16](repeating: 0, count: 8_000 * 90)
        func place(_ audio: PCMBuffer, at seconds: Double) -> Double {
            let start = Int(seconds * 8_000)
            for (offset, sample) in audio.samples.enumerated() where start + offset < samples.count { samples[start + offset] = sample }
            return seconds + Double(audio.samples.count) / 8_000
        }
        var end = 0.3
        if let voicemail = script.voicemail {
            end = place(try telephone(await pico.synthesize(voicemail)), at: 0.4)
            end = place(Tone.sine(1_000, seconds: 0.5), at: end + 0.3)
            samples = Array(samples.prefix(Int((end + 15) * 8_000)))
            return PCMBuffer(sampleRate: 8_000, samples: samples)
        }
        if let greeting = script.greeting {
            end = place(try telephone(await pico.synthesize(greeting)), at: 0.3)
        }
        // The robot speaks once it has decided a person answered (≈ 1.5 s after the greeting).
        var promptStart = end + 1.5
        var step = scenario.start
        for answer in script.answers {
            var audio = PCMBuffer(sampleRate: 8_000, samples: [])
            for (index, part) in answer.split(separator: "|").enumerated() {
                if index > 0 { audio.samples += [Int16](repeating: 0, count: Int(pauseBetweenParts * 8_000)) }
                audio.samples += try telephone(await pico.synthesize(part.trimmingCharacters(in: .whitespaces))).samples
            }
            end = place(audio, at: promptStart + (promptLength[step] ?? 3) + 1.2)
            let wait = scenario.steps[step]?.listen?.waitBeforeStop ?? 1.5
            // After the answer: the end-of-turn silence, then transcription.
            promptStart = end + wait + 1.2
            step = next(after: step, answer: answer, in: scenario)
        }
        let tail = script.hangsUp ? 2.0 : 40.0
        samples = Array(samples.prefix(Int((end + tail) * 8_000)))
        return PCMBuffer(sampleRate: 8_000, samples: samples)
    }

    /// The pause at a `|` in an answer: longer than the call session's
    /// speculative pause (0.5 s), shorter than the turn's end (1.2 s).
    public static let pauseBetweenParts = 0.7

    /// The step the robot goes to next, by the real classifier (to time the next answer).
    public static func next(after step: String, answer: String, in scenario: Scenario) -> String {
        let event = ScenarioEvent(IntentClassifier().classify(answer.replacingOccurrences(of: "|", with: " ")).intent)
        return scenario.steps[step]?.transitions[event]?.next ?? step
    }
}

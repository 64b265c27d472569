import Foundation
import MiniBotCore

/// Decides whether a person or an answering machine took the call, from the
/// inbound audio of its first seconds: a value-type state machine with no
/// clock and no I/O. Time is the count of 20 ms frames fed (0 = the answer).
///
/// Feed every inbound frame from the answer on to ``process(_:)``; it returns
/// the decision once, when it is final, and nil before and after, so the
/// caller may stop feeding at the first non-nil.
///
/// What it listens for, in the order it trusts it:
/// - **A beep**: a steady tone of `beepMinimumDuration` (``ToneDetector``) is
///   a voicemail's; the decision comes while the beep still sounds.
/// - **The greeting's length**: speech (``VoiceActivityDetector`` against the
///   line's own noise floor, and above `silenceThreshold`) is cut into words at
///   pauses of `betweenWordsSilence`; once the greeting has lasted `greeting` ms
///   from its first word (pauses included: recorded greetings pause between
///   sentences as long as people do between words), or
///   one sound lasts `maximumWordLength`, or there are more than
///   `maximumNumberOfWords` words, it is a recorded greeting.
/// - **The silence after it**: people say something short and wait. After a
///   short greeting (≤ `shortGreeting`), `afterGreetingSilence` of
///   silence makes it a person; after a longer one, the silence needed grows
///   in proportion up to `afterLongGreetingSilence`, long enough for a
///   voicemail's beep to come first (a 2.3 s voicemail greeting followed by
///   0.5 s of silence and a beep is not taken for a person).
/// - **A transcript** (optional): take each new span with
///   ``takeGreetingTranscriptSpan()``, transcribe that audio and pass the text
///   to ``transcript(_:)``; a voicemail phrase ("messagerie", "laissez un
///   message"…) makes it a machine at once. While a transcript of a greeting
///   longer than `shortGreeting` is being made, the silence that makes it a
///   person is lengthened by up to `transcriptWait`: a voicemail greeting
///   without a beep sounds like a person who said a sentence and waits.
/// - Nothing said for `initialSilence`, or no decision in `totalAnalysisTime`:
///   `unknown` (the call session treats it as it chooses; speaking first is
///   the polite default, since people who say nothing are waiting for us).
public struct AnsweringMachineDetector: AMDStreamingDetector {
    /// The thresholds this detector runs with.
    public let configuration: Configuration
    var vad: VoiceActivityDetector
    var tones: ToneDetector
    let keywords: [String]               // normalised
    var frameIndex = 0
    var decided = false

    // Speech segmentation, in frames.
    var inVoice = false                  // the last frame was voice
    var voiceRun = 0                     // current run of voice, pauses shorter than betweenWordsSilence included
    var silenceRun = 0                   // frames since the last voice frame
    var wordCounted = false              // the current run already counted as a word
    var words = 0
    var greetingStart: Int?              // first frame of the first word
    var lastVoice = 0                    // last voice frame
    // Transcript exchange.
    var transcriptSpan: Range<Duration>?
    var takenSpan: Range<Duration>?
    var transcriptsUnderWay = 0

    /// A detector that has heard nothing yet.
    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
        var tone = ToneDetector.Configuration()
        tone.minimumDuration = .milliseconds(configuration.beepMinimumDuration)
        tones = ToneDetector(configuration: tone)
        // The line's floor over 3 s rather than 1.5: steadier under a greeting, and it still
        // follows a noise that starts after the answer (a street, a room) within 3 s.
        var voice = VoiceActivityDetector.Configuration()
        voice.minimumSpeechDBFS = Self.dBFS(meanMagnitude: configuration.silenceThreshold)
        voice.noiseWindow = .seconds(3)
        vad = VoiceActivityDetector(configuration: voice)
        keywords = configuration.keywords.map(Self.normalise).filter { !$0.isEmpty }
    }

    /// True while the caller should keep feeding frames (no decision yet).
    public var isDeciding: Bool { !decided }

    /// Feeds one 20 ms frame of the inbound audio (8 kHz).
    public mutating func process(_ frame: AudioFrame) -> AMDDecision? {
        guard !decided else { return nil }
        let c = configuration
        let i = frameIndex
        frameIndex += 1

        if case .toneStarted(let frequency, _) = tones.process(frame) {
            return decide(.machine, "beep \(Int(frequency.rounded())) Hz")
        }
        let verdict = vad.analyse(frame)
        let isVoice = verdict.isSpeech || (inVoice && verdict.isEdge)
        inVoice = isVoice

        if isVoice {
            if silenceRun >= frames(c.betweenWordsSilence) { voiceRun = 0; wordCounted = false }
            silenceRun = 0
            voiceRun += 1
            lastVoice = i
            if !wordCounted && voiceRun >= frames(c.minWordLength) {
                wordCounted = true
                words += 1
                if greetingStart == nil { greetingStart = i - voiceRun + 1 }
            }
        } else {
            silenceRun += 1
            if silenceRun < frames(c.betweenWordsSilence) { voiceRun += 1 }
        }

        guard greetingStart != nil else {
            if frameIndex >= frames(c.initialSilence) {
                return decide(.unknown, "initial-silence \(frameIndex * 20) ms")
            }
            return nil
        }
        if greetingLength >= frames(c.greeting) {
            return decide(.machine, "long-greeting \(greetingLength * 20) ms")
        }
        if isVoice && voiceRun >= frames(c.maximumWordLength) {
            return decide(.machine, "max-word-length \(voiceRun * 20) ms")
        }
        if words > c.maximumNumberOfWords {
            return decide(.machine, "max-words \(words)")
        }
        if !isVoice {
            if silenceRun == frames(150) { offerTranscript() }
            if silenceRun >= frames(silenceNeeded) && !awaitingTranscript {
                return decidePerson()
            }
        }
        if frameIndex >= frames(c.totalAnalysisTime) {
            // Only the wait for a transcript kept a person undecided: the person it is.
            if !isVoice && silenceRun >= frames(silenceNeeded) {
                return decidePerson(", no transcript by the total analysis time")
            }
            return decide(.unknown, "total-analysis-time \(frameIndex * 20) ms")
        }
        return nil
    }

    /// True while a transcript of a greeting longer than `shortGreeting` is being made and the silence after
    /// it has not outlasted the usual silence by `transcriptWait`.
    var awaitingTranscript: Bool {
        transcriptsUnderWay > 0 && greetingLength > frames(configuration.shortGreeting)
            && silenceRun < frames(silenceNeeded + configuration.transcriptWait)
    }

    /// Frames from the greeting's first word to its last voice frame so far.
    var greetingLength: Int { greetingStart.map { lastVoice - $0 + 1 } ?? 0 }

    /// The silence, in ms, that ends the greeting heard so far.
    var silenceNeeded: Int {
        let c = configuration
        let length = greetingLength * 20
        if length <= c.shortGreeting { return c.afterGreetingSilence }
        let span = max(1, c.greeting - c.shortGreeting)
        let share = min(1, Double(length - c.shortGreeting) / Double(span))
        return c.afterGreetingSilence + Int(Double(c.afterLongGreetingSilence - c.afterGreetingSilence) * share)
    }

    /// `human`, for the silence after the greeting (`detail` says what else held it back).
    mutating func decidePerson(_ detail: String = "") -> AMDDecision {
        decide(.human, "after-greeting-silence \(silenceRun * 20) ms after a \(greetingLength * 20) ms greeting" + detail)
    }

    mutating func decide(_ result: AMDResult, _ reason: String) -> AMDDecision {
        decided = true
        return AMDDecision(result: result, decidedAt: .milliseconds(20 * frameIndex), reason: reason)
    }

    func frames(_ milliseconds: Int) -> Int { max(1, (milliseconds + 10) / 20) }

    /// The level of a sine whose mean absolute value is `magnitude` (Asterisk's silence threshold), in dBFS.
    static func dBFS(meanMagnitude magnitude: Int) -> Double {
        guard magnitude > 0 else { return FrameEnergy.floorDBFS }
        let rms = Double(magnitude) * Double.pi / 2 / 2.0.squareRoot()
        return 20 * log10(rms / 32_768)
    }
}

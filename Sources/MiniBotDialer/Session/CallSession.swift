import Foundation
import Logging
import Metrics
import MiniBotAudio
import MiniBotCore
import MiniBotSpeech
import MiniBotStore
import Synchronization

/// One answered call, from the first frame to the stored transcript:
/// answering-machine detection, then the scenario (play each prompt, with
/// barge-in where the step allows; listen until the callee falls silent;
/// transcribe; classify; next step), then the full-call WAV and transcripts.
///
/// Call time is the count of inbound 20 ms frames since the answer, so
/// recordings and decisions line up whatever the machine's load. A callee
/// who hangs up, a lost RTP stream, a recogniser failure or the call timeout
/// each end or continue the call with a recorded reason; nothing here throws.
public struct CallSession: Sendable {
    public struct Configuration: Sendable {
        public var scenario: LoadedScenario
        public var prompts: PromptSet
        public var settings: CampaignSettings
        /// Nil turns answering-machine detection off (everyone is taken for a person).
        public var amd: AnsweringMachineDetector.Configuration?
        public var recognitionTimeout: Duration
        /// A pause this long after speech starts transcribing the answer before
        /// the turn is over (kept if the callee says nothing more); nil waits
        /// for the end of the turn (`speech.speculative_pause`).
        public var speculativePause: Duration?
        /// The watchdog: the call is ended this long after the answer.
        public var maximumDuration: Duration
        /// No inbound audio for this long ends the call as a lost stream.
        public var stallTimeout: Duration
        /// Longest wait for a voicemail beep before leaving the message anyway.
        public var beepTimeout: Duration
        /// What to do with Asterisk's `AMD()` verdict when the leg brings one (`ari.asterisk_amd`).
        public var asteriskAMD: AsteriskAMDPolicy

        public init(scenario: LoadedScenario, prompts: PromptSet, settings: CampaignSettings = .init(),
                    amd: AnsweringMachineDetector.Configuration? = .init(), recognitionTimeout: Duration = .seconds(20),
                    speculativePause: Duration? = MiniBotConfig.Speech().speculativePauseDuration, maximumDuration: Duration = .seconds(120),
                    stallTimeout: Duration = .seconds(5), beepTimeout: Duration = .seconds(20), asteriskAMD: AsteriskAMDPolicy = .record) {
            self.scenario = scenario
            self.prompts = prompts
            self.settings = settings
            self.amd = amd
            self.recognitionTimeout = recognitionTimeout
            self.speculativePause = speculativePause
            self.maximumDuration = maximumDuration
            self.stallTimeout = stallTimeout
            self.beepTimeout = beepTimeout
            self.asteriskAMD = asteriskAMD
        }
    }

    /// The end reason of a call cut short by the dialer's own shutdown.
    public static let shutdownReason = "the dialer shut down"

    public let configuration: Configuration
    /// The recogniser, timed: the dialer reads its latencies to pace the calls.
    public let recognizer: RecognizerMeter
    let classifier: IntentClassifier
    let store: (any Store)?
    let files: CallFiles
    let logger: Logger
    let sleep: @Sendable (Duration) async throws -> Void

    /// - Parameters:
    ///   - store: where each answer is written as it happens (nil: only returned).
    ///   - sleep: the watchdog's clock.
    public init(configuration: Configuration, recognizer: any SpeechRecognizer, classifier: IntentClassifier, store: (any Store)?,
                files: CallFiles, logger: Logger, sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        self.configuration = configuration
        self.recognizer = (recognizer as? RecognizerMeter) ?? RecognizerMeter(recognizer)
        self.classifier = classifier
        self.store = store
        self.files = files
        self.logger = logger
        self.sleep = sleep
    }

    /// Runs the call on `leg` and hangs it up. `answeredAt` dates the interactions.
    public func run(callID: String, phone: String, campaignID: String?, leg: any CallLeg, answeredAt: Date) async -> CallSessionResult {
        let media = CallMedia()
        var logger = self.logger
        logger[metadataKey: "call_id"] = "\(callID)"
        let firstEvents = media.events()
        let pump = Task {
            for await frame in leg.inbound { media.receive(frame) }
        }
        let endWatch = Task {
            let ending = await leg.ended()
            media.post(.ended(ending))
        }
        let watchdog = Task { [sleep, configuration] in
            let tick = Duration.milliseconds(250)
            var elapsed = Duration.zero
            var quiet = Duration.zero
            var lastCount = 0
            while !Task.isCancelled {
                do { try await sleep(tick) } catch { return }
                elapsed += tick
                let count = media.frameCount
                quiet = count == lastCount ? quiet + tick : .zero
                lastCount = count
                if elapsed >= configuration.maximumDuration { media.post(.timedOut); return }
                if quiet >= configuration.stallTimeout { media.post(.stalled); return }
            }
        }
        defer {
            pump.cancel()
            endWatch.cancel()
            watchdog.cancel()
            media.finish()
        }

        var run = Run(callID: callID, phone: phone, campaignID: campaignID, answeredAt: answeredAt, media: media, leg: leg, logger: logger)
        run.asteriskAMD = configuration.asteriskAMD == .ignore ? nil : leg.asteriskAMD
        var engine = ScenarioEngine(scenario: configuration.scenario.scenario)
        var stop: Stop?

        // 1. Who answered.
        if let amdConfiguration = configuration.amd {
            switch await detect(amdConfiguration, events: firstEvents, run: run) {
            case .decided(let ours):
                let decision = combined(ours, asterisk: run.asteriskAMD)
                run.amd = decision
                Counter(label: "minibot_amd_results_total", dimensions: [("result", decision.result.rawValue)]).increment()
                if let asterisk = run.asteriskAMD {
                    // Asterisk's AMD() beside ours, whatever the policy does with it: how often they agree.
                    Counter(label: "minibot_asterisk_amd_verdicts_total",
                            dimensions: [("asterisk", asterisk.label), ("ours", ours.result.rawValue)]).increment()
                }
            case .stopped(let reason):
                stop = reason
            }
        }

        // 2. The scenario, or the voicemail.
        if stop == nil {
            if run.amd?.result == .machine, configuration.settings.machineAction == .voicemail,
               let message = configuration.prompts.audio["voicemail"] {
                stop = await leaveVoicemail(message, run: &run)
                _ = engine.begin(amd: .machine)
            } else {
                var action = engine.begin(amd: run.amd?.result)
                if case .play = action, configuration.settings.compliance.recordingNotice, let notice = configuration.prompts.audio["recording_notice"] {
                    if case .stopped(let reason) = await play(notice, step: nil, run: &run) { stop = reason; action = .hangUp }
                }
                while stop == nil, case .play(let step) = action {
                    switch await turn(step, run: &run) {
                    case .played:
                        action = engine.promptFinished()
                    case .answered(let event):
                        action = engine.answer(event)
                    case .stopped(let reason):
                        stop = reason
                    }
                }
            }
        }

        // 3. Hang up and keep everything.
        let ending = media.ending
        if ending == nil { await leg.hangup() }
        let endReason: String
        switch stop {
        case .hungUp(let step)?:
            // The line can also end without the callee (ARI's connection lost): its cause says so.
            let what = ending.map { $0.remoteHangup ? "callee hung up" : $0.cause } ?? "callee hung up"
            endReason = what + (step.map { " during \($0)" } ?? "")
        case .stalled(let step)?: endReason = "lost the callee's audio (no RTP for \(configuration.stallTimeout))" + (step.map { " during \($0)" } ?? "")
        case .timedOut(let step)?: endReason = "call timeout (\(configuration.maximumDuration))" + (step.map { " during \($0)" } ?? "")
        case .voicemailLeft?: endReason = "voicemail left"
        case .playbackFailed(let step)?: endReason = "playback failed during \(step)"
        case .shutdown?: endReason = Self.shutdownReason
        case nil: endReason = engine.endReason ?? "hung up"
        }
        logger.info("call ended", metadata: ["reason": "\(endReason)", "outcome": "\(engine.outcome?.rawValue ?? "none")"])
        var result = finish(run: run, engine: engine, endReason: endReason, remoteHangup: ending?.remoteHangup ?? false)
        result.hangupCause = ending?.cause
        return result
    }

    // MARK: - Phases

    /// Why the call stopped before the scenario ended it.
    enum Stop: Sendable, Equatable {
        case hungUp(String?)
        case stalled(String?)
        case timedOut(String?)
        case voicemailLeft
        case playbackFailed(String)
        /// The dialer is shutting down and cut the call.
        case shutdown
    }

    enum Detection {
        case decided(AMDDecision)
        case stopped(Stop)
    }

    enum TurnResult {
        case played
        case answered(ScenarioEvent)
        case stopped(Stop)
    }

    /// What one call accumulates.
    struct Run {
        let callID: String
        let phone: String
        let campaignID: String?
        let answeredAt: Date
        let media: CallMedia
        let leg: any CallLeg
        let logger: Logger
        var amd: AMDDecision?
        /// Asterisk's verdict as the leg brought it (nil with `ignore`).
        var asteriskAMD: AsteriskAMDVerdict?
        var turns: [CallTranscript.Turn] = []
        var interactions: [CallInteraction] = []
        var finalIntent: String?
    }

    private func detect(_ amdConfiguration: AnsweringMachineDetector.Configuration, events: AsyncStream<MediaEvent>, run: Run) async -> Detection {
        var transcriptions: [Task<Void, Never>] = []
        let detection = await detect(amdConfiguration, events: events, run: run, transcriptions: &transcriptions)
        // Transcriptions of the greeting still running once the detector has decided are of no use: cancelled, and
        // awaited so that none outlives its call (whisper.cpp stops at its abort callback, a queued one at once).
        for transcription in transcriptions { transcription.cancel() }
        for transcription in transcriptions { await transcription.value }
        return detection
    }

    private func detect(_ amdConfiguration: AnsweringMachineDetector.Configuration, events: AsyncStream<MediaEvent>, run: Run,
                        transcriptions: inout [Task<Void, Never>]) async -> Detection {
        var detector = AnsweringMachineDetector(configuration: amdConfiguration)
        for await event in events {
            switch event {
            case .frame(let frame, _):
                if let decision = detector.process(frame) { return .decided(decision) }
                // Each new span of greeting is transcribed once; a voicemail phrase in it decides at once.
                // A failed transcription posts an empty text, so the detector stops waiting for it.
                // Behind every answer a callee waits for: under load the timing rules decide first.
                if let span = detector.takeGreetingTranscriptSpan() {
                    let clip = run.media.clip(from: span.lowerBound, to: span.upperBound)
                    transcriptions.append(Task(priority: .backgroundTranscription) { [recognizer, settings = configuration.settings] in
                        let transcript = try? await recognizer.transcribe(clip, language: settings.language, prompt: nil)
                        if !Task.isCancelled { run.media.post(.greeting(transcript?.text ?? "")) }
                    })
                }
            case .greeting(let text):
                if let decision = detector.transcript(text) { return .decided(decision) }
            case .ended: return .stopped(.hungUp(nil))
            case .stalled: return .stopped(.stalled(nil))
            case .timedOut: return .stopped(.timedOut(nil))
            case .played: break
            }
        }
        return .stopped(Task.isCancelled ? .shutdown : .hungUp(nil))
    }

    /// Our decision with Asterisk's verdict folded in by the policy's rule
    /// (``AsteriskAMDPolicy/result(ours:asterisk:)``): unchanged, or ours
    /// `unknown` replaced by Asterisk's, its reason saying so.
    func combined(_ ours: AMDDecision, asterisk: AsteriskAMDVerdict?) -> AMDDecision {
        guard let asterisk, let result = configuration.asteriskAMD.result(ours: ours.result, asterisk: asterisk), result != ours.result else {
            return ours
        }
        return AMDDecision(result: result, decidedAt: ours.decidedAt, reason: "asterisk \(asterisk) over ours: \(ours.reason)")
    }

    /// Waits for the beep (or the beep timeout), then plays the message.
    private func leaveVoicemail(_ message: PCMBuffer, run: inout Run) async -> Stop {
        var tones = ToneDetector()
        var waited = Duration.zero
        waiting: for await event in run.media.events() {
            switch event {
            case .frame(let frame, _):
                waited += AudioFrame.duration
                if case .toneEnded = tones.process(frame) { break waiting }
                if waited >= configuration.beepTimeout { break waiting }
            case .ended: return .hungUp("voicemail")
            case .stalled: return .stalled("voicemail")
            case .timedOut: return .timedOut("voicemail")
            case .played, .greeting: continue
            }
        }
        if Task.isCancelled { return .shutdown }
        if case .stopped(let stop) = await play(message, step: nil, run: &run) { return stop }
        return .voicemailLeft
    }

    /// Plays a prompt that is not listened after (the recording notice, the voicemail message).
    private func play(_ audio: PCMBuffer, step: ScenarioStep?, run: inout Run) async -> TurnResult {
        let start = run.media.now
        let events = run.media.events()
        let leg = run.leg
        let media = run.media
        let playback = Task { media.post(.played(await leg.play(audio))) }
        defer { playback.cancel() }
        for await event in events {
            switch event {
            case .played(let complete):
                run.media.addBot(audio, at: start, playedFor: complete ? nil : run.media.now - start)
                return complete ? .played : .stopped(await cutShort(run.media, step: step?.name))
            case .ended:
                leg.stopPlayback()
                run.media.addBot(audio, at: start, playedFor: run.media.now - start)
                return .stopped(.hungUp(step?.name))
            case .stalled, .timedOut:
                leg.stopPlayback()
                run.media.addBot(audio, at: start, playedFor: run.media.now - start)
                return .stopped(stopReason(run.media, step: step?.name) )
            case .frame, .greeting:
                continue
            }
        }
        return .stopped(Task.isCancelled ? .shutdown : .hungUp(step?.name))
    }

    private func stopReason(_ media: CallMedia, step: String?) -> Stop {
        media.ending != nil ? .hungUp(step) : .playbackFailed(step ?? "a prompt")
    }

    /// A prompt we did not stop came back unfinished: the line closed under
    /// it (the hang-up is reported a moment later), or playback failed.
    private func cutShort(_ media: CallMedia, step: String?) async -> Stop {
        for _ in 0..<10 where media.ending == nil {
            try? await Task.sleep(for: .milliseconds(50))
        }
        return stopReason(media, step: step)
    }

    /// Plays a step's prompt and, for a listening step, listens for the answer and classifies it.
    private func turn(_ step: ScenarioStep, run: inout Run) async -> TurnResult {
        guard let audio = configuration.prompts.audio[step.name] else { return .stopped(.playbackFailed(step.name)) }
        guard let listen = step.listen else {
            let start = run.media.now
            let result = await play(audio, step: step, run: &run)
            run.turns.append(.init(step: step.name, prompt: step.prompt.text, promptStartMs: Int(start.milliseconds.rounded()), bargedIn: false))
            return result
        }
        let media = run.media
        let leg = run.leg
        let promptStart = media.now
        let events = media.events()
        let playback = Task { media.post(.played(await leg.play(audio))) }
        defer { playback.cancel() }

        var turnTiming = Endpointer.Configuration(maxSilenceSeconds: listen.maxSilenceSeconds, waitBeforeStop: listen.waitBeforeStop,
                                                  maximumListen: .milliseconds(Int(listen.maxListenSeconds * 1000)))
        turnTiming.provisionalSilence = configuration.speculativePause
        var playing = true
        var bargedAt: Duration?
        // While the prompt plays, a barge-in window waits for speech with no timeout of its own.
        var bargeWindow: Endpointer? = step.bargeIn
            ? Endpointer(configuration: .init(noSpeechTimeout: .seconds(3_600), endOfTurnSilence: turnTiming.endOfTurnSilence,
                                              maximumListen: .seconds(3_600), provisionalSilence: turnTiming.provisionalSilence))
            : nil
        var bargeFirstFrame: Int?
        var listener: Endpointer?
        var listenFirstFrame: Int?
        var speech: (start: Duration, end: Duration)?
        var silent = false
        // The answer so far, transcribed from its first pause on (`speculativePause`).
        var early: Transcription?
        defer { early?.task.cancel() }

        listening: for await event in events {
            switch event {
            case .frame(let frame, let index):
                if playing, var window = bargeWindow {
                    if bargeFirstFrame == nil { bargeFirstFrame = index }
                    let verdict = window.process(frame)
                    bargeWindow = window
                    if case .speechStarted = verdict {
                        leg.stopPlayback()
                        bargedAt = media.now
                        playing = false
                        listener = window
                        listenFirstFrame = bargeFirstFrame
                    }
                } else if !playing, var current = listener {
                    if listenFirstFrame == nil { listenFirstFrame = index }
                    let verdict = current.process(frame)
                    listener = current
                    let base = Duration.milliseconds(20 * (listenFirstFrame ?? index))
                    switch verdict {
                    case .endOfTurn(let start, let end)?:
                        speech = (base + start, base + end)
                        break listening
                    case .noSpeech?:
                        silent = true
                        break listening
                    case .listenLimitReached(let start, let at)?:
                        if let start { speech = (base + start, base + at) } else { silent = true }
                        break listening
                    case .pause(let start, let end)?:
                        early?.task.cancel()
                        early = transcribe(step: step, speech: (base + start, base + end), media: media)
                    case .resumed?:
                        early?.task.cancel()
                        early = nil
                    case .speechStarted?, nil:
                        continue
                    }
                }
            case .played(let complete):
                guard playing else { continue }
                playing = false
                if !complete {
                    media.addBot(audio, at: promptStart, playedFor: media.now - promptStart)
                    record(step: step, promptStart: promptStart, bargedAt: nil, answer: nil, run: &run)
                    return .stopped(await cutShort(media, step: step.name))
                }
                listener = Endpointer(configuration: turnTiming, detector: bargeWindow?.detector ?? VoiceActivityDetector())
                listenFirstFrame = nil
            case .ended:
                leg.stopPlayback()
                media.addBot(audio, at: promptStart, playedFor: playing ? media.now - promptStart : bargedAt.map { $0 - promptStart })
                record(step: step, promptStart: promptStart, bargedAt: bargedAt, answer: nil, run: &run)
                return .stopped(.hungUp(step.name))
            case .stalled, .timedOut:
                leg.stopPlayback()
                media.addBot(audio, at: promptStart, playedFor: playing ? media.now - promptStart : bargedAt.map { $0 - promptStart })
                record(step: step, promptStart: promptStart, bargedAt: bargedAt, answer: nil, run: &run)
                if case .timedOut = event { return .stopped(.timedOut(step.name)) }
                return .stopped(.stalled(step.name))
            case .greeting:
                continue
            }
        }
        if Task.isCancelled {
            leg.stopPlayback()
            media.addBot(audio, at: promptStart, playedFor: media.now - promptStart)
            record(step: step, promptStart: promptStart, bargedAt: bargedAt, answer: nil, run: &run)
            return .stopped(.shutdown)
        }
        media.addBot(audio, at: promptStart, playedFor: bargedAt.map { $0 - promptStart })
        if silent || speech == nil {
            record(step: step, promptStart: promptStart, bargedAt: bargedAt,
                   answer: Answer(text: "", event: .silence, confidence: nil, start: nil, end: nil, clip: nil, seconds: nil, error: nil), run: &run)
            return .answered(.silence)
        }
        let answer = await understand(step: step, speech: speech!, early: early, run: run)
        record(step: step, promptStart: promptStart, bargedAt: bargedAt, answer: answer, run: &run)
        return .answered(answer.event)
    }

    // MARK: - Understanding an answer

    struct Answer {
        var text: String
        var event: ScenarioEvent
        var confidence: Double?
        var start: Duration?
        var end: Duration?
        var clip: String?
        var seconds: Double?
        var error: String?
    }

    /// A transcription under way: of the answer at a pause, or of the whole turn.
    struct Transcription {
        var speech: (start: Duration, end: Duration)
        var clip: PCMBuffer
        var started: ContinuousClock.Instant
        var task: Task<Transcript, any Error>
    }

    /// Starts transcribing the speech from `speech.start` to `speech.end`, with a margin each side.
    private func transcribe(step: ScenarioStep, speech: (start: Duration, end: Duration), media: CallMedia) -> Transcription {
        let margin = Duration.milliseconds(200)
        let clip = media.clip(from: speech.start - margin, to: speech.end + margin)
        let language = configuration.settings.language
        let task = Task { [recognizer] in try await recognizer.transcribe(clip, language: language, prompt: step.hint) }
        return Transcription(speech: speech, clip: clip, started: .now, task: task)
    }

    /// The answer's transcript and intent. `early` is the transcription started
    /// at the turn's last pause: used when the turn ended there, else cancelled.
    private func understand(step: ScenarioStep, speech: (start: Duration, end: Duration), early: Transcription?,
                            run: Run) async -> Answer {
        let turnEnded = ContinuousClock.now
        let current: Transcription
        if let early, early.speech == speech {
            current = early
        } else {
            early?.task.cancel()
            current = transcribe(step: step, speech: speech, media: run.media)
        }
        var clipPath: String? = files.clip(callID: run.callID, sequence: run.interactions.count, step: step.name)
        do {
            try WAVFile.writePCM16(current.clip, to: files.absolute(clipPath!))
        } catch {
            run.logger.error("could not write the answer's clip", metadata: ["error": "\(error)"])
            clipPath = nil
        }
        let outcome = await withTimeout(configuration.recognitionTimeout - current.started.duration(to: turnEnded)) {
            try await current.task.value
        }
        if case .failure = outcome { current.task.cancel() }
        // What the callee waits for after their turn is over (the transcription started at a pause shortens it).
        Metrics.Timer(label: "minibot_answer_wait_seconds", preferredDisplayUnit: .seconds)
            .record(duration: turnEnded.duration(to: .now))
        let seconds = AudioTime.seconds(current.started.duration(to: .now))
        switch outcome {
        case .success(let transcript):
            let text = transcript.text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else {
                return Answer(text: "", event: .unknown, start: speech.start, end: speech.end, clip: clipPath, seconds: seconds,
                              error: nil)
            }
            let result = classifier.classify(text)
            return Answer(text: text, event: ScenarioEvent(result.intent), confidence: result.confidence, start: speech.start,
                          end: speech.end, clip: clipPath, seconds: seconds)
        case .failure(let error):
            run.logger.warning("recogniser failed; the answer counts as unknown", metadata: ["error": "\(error)"])
            return Answer(text: "", event: .unknown, start: speech.start, end: speech.end, clip: clipPath, seconds: seconds,
                          error: "recogniser: \(error)")
        }
    }

    /// Runs `body`, giving up after `timeout` (the work itself is left to finish on its own).
    private func withTimeout<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async -> Result<T, any Error> {
        let gate = Mutex<CheckedContinuation<Result<T, any Error>, Never>?>(nil)
        return await withCheckedContinuation { continuation in
            gate.withLock { $0 = continuation }
            let resume: @Sendable (Result<T, any Error>) -> Void = { result in
                gate.withLock { $0.take() }?.resume(returning: result)
            }
            let work = Task {
                do { resume(.success(try await body())) } catch { resume(.failure(error)) }
            }
            Task { [sleep] in
                try? await sleep(timeout)
                resume(.failure(SpeechTimeout(timeout: timeout)))
                work.cancel()
            }
        }
    }

    struct SpeechTimeout: Error, CustomStringConvertible {
        var timeout: Duration
        var description: String { "no transcript within \(timeout)" }
    }

    private func record(step: ScenarioStep, promptStart: Duration, bargedAt: Duration?, answer: Answer?, run: inout Run) {
        let sequence = run.interactions.count
        let milliseconds = { (d: Duration) in Int(d.milliseconds.rounded()) }
        run.turns.append(CallTranscript.Turn(
            step: step.name, prompt: step.prompt.text, promptStartMs: milliseconds(promptStart), bargedIn: bargedAt != nil,
            answer: answer?.text, answerStartMs: answer?.start.map(milliseconds), answerEndMs: answer?.end.map(milliseconds),
            intent: answer?.event.rawValue, confidence: answer?.confidence, transcriptionMs: answer?.seconds.map { Int($0 * 1000) },
            clip: answer?.clip, error: answer?.error))
        guard let answer else { return }
        run.finalIntent = answer.event.rawValue
        let interaction = CallInteraction(
            callID: run.callID, sequence: sequence, step: step.name, prompt: step.prompt.text, transcription: answer.text,
            intent: answer.event.rawValue, confidence: answer.confidence,
            responseDuration: answer.start.flatMap { start in answer.end.map { AudioTime.seconds($0 - start) } } ?? 0,
            startedAt: run.answeredAt.addingTimeInterval(AudioTime.seconds(promptStart)),
            endedAt: run.answeredAt.addingTimeInterval(AudioTime.seconds(run.media.now)),
            transcriptionSeconds: answer.seconds, error: answer.error, clipPath: answer.clip)
        run.interactions.append(interaction)
        if let store {
            let logger = run.logger
            Task {
                do { try await store.addInteraction(interaction) } catch {
                    logger.error("could not store an answer", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    // MARK: - Keeping the call

    private func finish(run: Run, engine: ScenarioEngine, endReason: String, remoteHangup: Bool) -> CallSessionResult {
        let duration = run.media.now
        var recordingPath: String? = files.fullCall(callID: run.callID)
        do {
            try WAVFile.writePCM16(run.media.assemble(), to: files.absolute(recordingPath!))
        } catch {
            run.logger.error("could not write the full-call recording", metadata: ["error": "\(error)"])
            recordingPath = nil
        }
        let transcript = CallTranscript(
            callID: run.callID, phone: run.phone, campaignID: run.campaignID, scenario: configuration.scenario.scenario.name,
            answeredAt: run.answeredAt, durationSeconds: AudioTime.seconds(duration), amd: run.amd?.result.rawValue,
            amdReason: run.amd?.reason, asteriskAMD: run.asteriskAMD?.description, outcome: engine.outcome?.rawValue, isLead: engine.isLead, endReason: endReason, turns: run.turns)
        var transcriptPath: String? = files.transcriptJSON(callID: run.callID)
        do {
            try transcript.json().write(to: URL(fileURLWithPath: files.absolute(transcriptPath!)), options: .atomic)
            try transcript.text.write(toFile: files.absolute(files.transcriptText(callID: run.callID)), atomically: true, encoding: .utf8)
        } catch {
            run.logger.error("could not write the transcript", metadata: ["error": "\(error)"])
            transcriptPath = nil
        }
        return CallSessionResult(amd: run.amd, asteriskAMD: run.asteriskAMD, outcome: engine.outcome, isLead: engine.isLead, finalIntent: run.finalIntent,
                                 endReason: endReason, remoteHangup: remoteHangup, duration: duration, interactions: run.interactions,
                                 path: engine.path, recordingPath: recordingPath, transcriptPath: transcriptPath)
    }
}

/// What an answered call came to.
public struct CallSessionResult: Sendable {
    public var amd: AMDDecision?
    /// Asterisk's `AMD()` verdict as the leg brought it, unless `ari.asterisk_amd` is `ignore`.
    public var asteriskAMD: AsteriskAMDVerdict?
    /// The contact's new status as the scenario set it; nil when the call ended before one was set.
    public var outcome: ContactStatus?
    public var isLead: Bool
    /// The intent of the last answer.
    public var finalIntent: String?
    public var endReason: String
    public var remoteHangup: Bool
    /// From the answer to the hang-up.
    public var duration: Duration
    public var interactions: [CallInteraction]
    /// The steps played.
    public var path: [String]
    /// Relative to the data directory; nil when the file could not be written.
    public var recordingPath: String?
    public var transcriptPath: String?
    /// The backend's cause when the line ended by itself (a Q.850 cause, `BYE from the callee`,
    /// `ARI connection lost: …`); nil when the robot hung up.
    public var hangupCause: String? = nil
}

import Foundation
import MiniBotAudio
import Testing
@testable import MiniBotSpeech

/// The Pico voice that `scripts/setup` installs (py-nanotts in `.deps/tts`).
/// Under CI (`CI=true`) its absence fails the tests that need it; locally they are skipped.
enum PicoVoice {
    static let python = SpeechTestData.root.appendingPathComponent(".deps/tts/bin/python").path
    static var available: Bool { FileManager.default.isExecutableFile(atPath: python) }
    static var needed: ConditionTrait {
        .enabled(if: available || SpeechTestData.isCI, "no \(python) with py-nanotts: run scripts/setup")
    }

    static func synthesizer(voice: String = "fr-FR", speed: Int = 100) throws -> PicoSynthesizer {
        try SpeechTestData.require(python)
        return PicoSynthesizer(python: python, voice: voice, speed: speed)
    }

    static let sentence = "Bonjour, je vous appelle au sujet de vos factures d'énergie."
}

/// Writes an executable shell script standing in for the Python interpreter.
private func fakeInterpreter(_ body: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("fake-python-\(UUID().uuidString)").path
    try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    return path
}

extension RealLibraryTests {
    /// Real Pico speech, heard by the real whisper.cpp (base model): the words come back.
    @Suite(PicoVoice.needed) struct PicoHeardByWhisperTests {
        @Test func aFrenchSentenceIsSpokenAndHeardBack() async throws {
            let audio = try await PicoVoice.synthesizer().synthesize(PicoVoice.sentence)
            #expect(audio.sampleRate == 16_000 && audio.channels == 1)
            let seconds = AudioTime.seconds(audio.duration)
            #expect((2.0...8.0).contains(seconds), "\(seconds) s for ten words")
            let level = try Loudness.measure(audio)
            let loudness = try #require(level.integratedLUFS)
            #expect((-30.0 ... -3.0).contains(loudness), "\(loudness) LUFS")
            #expect(level.samplePeakDBFS > -12, "peak \(level.samplePeakDBFS) dBFS")

            // As a caller hears it: prepared for the line (8 kHz), then recognised.
            let (prompt, _) = try PromptPreparation.prepare(audio)
            let heard = try await WhisperRecognizer(modelPath: SpeechTestData.model).transcribe(prompt, language: "fr")
            var wer = WordErrorRate()
            wer.add(reference: PicoVoice.sentence, hypothesis: heard.text)
            #expect(wer.rate <= 0.3, "\"\(heard.text)\": WER \(wer.rate)")
            #expect(WordErrorRate.words(heard.text).contains("factures"), "\(heard.text)")
        }

        @Test func aSpeechServerIsHeardLikePico() async throws {
            try SpeechTestData.require(PicoVoice.python)
            let server = try SpeechServerProcess(python: PicoVoice.python, pico: true, options: ["--api-key", "k3y", "--rate", "24000"])
            let synthesizer = HTTPSpeechSynthesizer(configuration: .init(baseURL: server.baseURL, model: "tts-1", voice: "julie",
                                                                         apiKey: "k3y", timeout: .seconds(30)))
            let audio = try await synthesizer.synthesize(PicoVoice.sentence)
            #expect(audio.sampleRate == 24_000)
            let heard = try await WhisperRecognizer(modelPath: SpeechTestData.model).transcribe(audio, language: "fr")
            var wer = WordErrorRate()
            wer.add(reference: PicoVoice.sentence, hypothesis: heard.text)
            #expect(wer.rate <= 0.3, "\"\(heard.text)\": WER \(wer.rate)")

            let request = try #require(server.requests.first)
            #expect(server.requests.count == 1)
            #expect(request.path == "/v1/audio/speech")
            #expect(request.authorization == "Bearer k3y")
            #expect(request.json == ["model": "tts-1", "input": PicoVoice.sentence, "voice": "julie", "response_format": "wav"])
        }
    }
}

/// Pico through the real py-nanotts process, without the recogniser.
@Suite(PicoVoice.needed) struct PicoSynthesizerTests {
    @Test func quotesAccentsAndLinesGoThroughStandardInput() async throws {
        let plain = try await PicoVoice.synthesizer().synthesize("Ça m'intéresse.")
        let tricky = try await PicoVoice.synthesizer().synthesize("\"Ça\" m'intéresse ; « vraiment » — $HOME `ls` \\n\nÀ bientôt !")
        // The tricky text is longer and arrives whole: more audio, not a shell or argv error.
        #expect(tricky.duration > plain.duration + .seconds(1), "\(tricky.duration) vs \(plain.duration)")
    }

    @Test func aLongTextIsNotCutAndDoesNotDeadlock() async throws {
        // About 40 s of speech: 1.3 MB of PCM, far past a pipe's buffer.
        let text = String(repeating: "Votre logement est-il chauffé à l'électricité ? ", count: 14)
        let audio = try await PicoVoice.synthesizer().synthesize(text)
        #expect(AudioTime.seconds(audio.duration) > 25, "\(audio.duration)")
    }

    @Test func speedChangesTheRate() async throws {
        let normal = try await PicoVoice.synthesizer().synthesize(PicoVoice.sentence)
        let slow = try await PicoVoice.synthesizer(speed: 70).synthesize(PicoVoice.sentence)
        #expect(slow.duration > normal.duration * 1.2, "\(slow.duration) vs \(normal.duration)")
    }

    @Test func anUnknownVoiceIsNamedWithTheKnownOnes() async throws {
        await #expect(throws: SynthesisError.unknownVoice("xx-XX", known: PicoSynthesizer.voices)) {
            _ = try await PicoVoice.synthesizer(voice: "xx-XX").synthesize("Bonjour")
        }
        #expect(SynthesisError.unknownVoice("xx-XX", known: PicoSynthesizer.voices).description.contains("fr-FR"))
    }
}

/// Pico's process handling with interpreters that fail, and where the interpreter is found.
@Suite struct PicoProcessTests {
    @Test func anEmptyTextIsRefusedBeforeRunningAnything() async throws {
        await #expect(throws: SynthesisError.emptyText) {
            _ = try await PicoSynthesizer(python: "/nonexistent/python").synthesize("  \n ")
        }
    }

    @Test func aMissingInterpreterSaysToRunSetup() async throws {
        do {
            _ = try await PicoSynthesizer(python: "/nonexistent/python").synthesize("Bonjour")
            Issue.record("a missing interpreter synthesised")
        } catch let error as SynthesisError {
            guard case .engineMissing(let python, _) = error else { Issue.record("\(error)"); return }
            #expect(python == "/nonexistent/python")
            #expect(error.description.contains("scripts/setup"))
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "no /usr/bin/python3"))
    func aPythonWithoutPyNanoTTSSaysToRunSetup() async throws {
        do {
            _ = try await PicoSynthesizer(python: "/usr/bin/python3").synthesize("Bonjour")
            Issue.record("/usr/bin/python3 has py_nanotts: this test needs an interpreter without it")
        } catch let error as SynthesisError {
            guard case .engineMissing(_, let reason) = error else { Issue.record("\(error)"); return }
            #expect(reason.contains("py_nanotts"), "\(reason)")
            #expect(error.description.contains("scripts/setup"))
        }
    }

    @Test func aFailingEngineGivesItsStatusAndMessage() async throws {
        let python = try fakeInterpreter("cat >/dev/null; echo 'Segmentation in lingware' >&2; exit 7")
        defer { try? FileManager.default.removeItem(atPath: python) }
        await #expect(throws: SynthesisError.engineFailed(program: "Pico (\(python))", status: 7, message: "Segmentation in lingware")) {
            _ = try await PicoSynthesizer(python: python).synthesize("Bonjour")
        }
    }

    @Test func noOutputIsAnError() async throws {
        let python = try fakeInterpreter("cat >/dev/null; exit 0")
        defer { try? FileManager.default.removeItem(atPath: python) }
        await #expect(throws: SynthesisError.noAudio(engine: "Pico (\(python))")) {
            _ = try await PicoSynthesizer(python: python).synthesize("Bonjour")
        }
    }

    @Test func theTextArrivesOnStandardInputAndTheOptionsAsArguments() async throws {
        // Echoes its stdin back as "PCM", and saves its arguments.
        let arguments = FileManager.default.temporaryDirectory.appendingPathComponent("args-\(UUID().uuidString)").path
        let python = try fakeInterpreter("shift 2; echo \"$@\" > \(arguments); cat")
        defer { try? FileManager.default.removeItem(atPath: python); try? FileManager.default.removeItem(atPath: arguments) }
        let text = "« Ça » 'va' \"bien\" ?"
        let audio = try await PicoSynthesizer(python: python, voice: "fr-FR", speed: 90, pitch: 120).synthesize(text)
        let bytes = audio.samples.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] }
        // Whole (an odd last byte is not a sample), unchanged.
        #expect(bytes.count == text.utf8.count / 2 * 2)
        #expect(Array(text.utf8).prefix(bytes.count).elementsEqual(bytes))
        #expect(try String(contentsOfFile: arguments, encoding: .utf8) == "fr-FR 0.9 1.2\n")
    }

    @Test func cancellingKillsTheEngineAtOnce() async throws {
        let python = try fakeInterpreter("exec sleep 30")
        defer { try? FileManager.default.removeItem(atPath: python) }
        let start = ContinuousClock.now
        let task = Task { try await PicoSynthesizer(python: python).synthesize("Bonjour") }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let result = await task.result
        #expect(ContinuousClock.now - start < .seconds(10))
        #expect(throws: CancellationError.self) { try result.get() }
    }

    @Test func theDefaultInterpreterIsFoundFromTheExecutableOrTheCurrentFolder() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("pico-root-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let python = root.appendingPathComponent(".deps/tts/bin/python")
        let build = root.appendingPathComponent(".build/x86_64-unknown-linux-gnu/debug")
        try FileManager.default.createDirectory(at: python.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: build, withIntermediateDirectories: true)
        try "#!/bin/sh\n".write(to: python, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: python.path)
        let elsewhere = FileManager.default.temporaryDirectory.path

        // .build/<triple>/debug/minibot → the checkout's .deps/tts.
        #expect(PicoSynthesizer.defaultPython(environment: [:], executable: build.appendingPathComponent("minibot").path,
                                              currentDirectory: elsewhere)?.hasSuffix("/.deps/tts/bin/python") == true)
        #expect(PicoSynthesizer.defaultPython(environment: [:], executable: build.appendingPathComponent("minibot").path,
                                              currentDirectory: elsewhere).map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
                == python.resolvingSymlinksInPath().path)
        // An installed binary elsewhere, run from the checkout (or a folder in it).
        #expect(PicoSynthesizer.defaultPython(environment: [:], executable: "/nonexistent/bin/minibot",
                                              currentDirectory: root.appendingPathComponent(".build").path) != nil)
        // The environment wins.
        #expect(PicoSynthesizer.defaultPython(environment: ["MINIBOT_TTS_PYTHON": "/opt/py/bin/python"],
                                              executable: build.appendingPathComponent("minibot").path, currentDirectory: elsewhere)
                == "/opt/py/bin/python")
        // Nowhere to be found.
        #expect(PicoSynthesizer.defaultPython(environment: ["MINIBOT_TTS_PYTHON": ""], executable: "/nonexistent/bin/minibot",
                                              currentDirectory: "/nonexistent") == nil)
    }

    @Test(PicoVoice.needed) func theTestRunnerFindsThisCheckoutsVoice() throws {
        try SpeechTestData.require(PicoVoice.python)
        let found = try #require(PicoSynthesizer.defaultPython(environment: [:]))
        #expect(URL(fileURLWithPath: found).resolvingSymlinksInPath() == URL(fileURLWithPath: PicoVoice.python).resolvingSymlinksInPath())
    }
}

/// The HTTP engine against speech_server.py (Python standard library): formats and failures.
@Suite(.serialized) struct HTTPSpeechSynthesizerTests {
    static func synthesizer(_ server: SpeechServerProcess, apiKey: String? = nil, timeout: Duration = .seconds(10)) -> HTTPSpeechSynthesizer {
        HTTPSpeechSynthesizer(configuration: .init(baseURL: server.baseURL, apiKey: apiKey, timeout: timeout))
    }

    @Test func aStereoStreamingWAVBecomesMonoAtItsOwnRate() async throws {
        let server = try SpeechServerProcess(options: ["--rate", "22050", "--stereo", "--streaming"])
        let audio = try await Self.synthesizer(server).synthesize("Bonjour")
        #expect(audio.sampleRate == 22_050 && audio.channels == 1)
        #expect(abs(AudioTime.seconds(audio.duration) - 1) < 0.01, "\(audio.duration)")
        #expect(try Loudness.measure(audio).samplePeakDBFS > -13)
        #expect(server.requests.first?.authorization == nil)
    }

    @Test func oneServerErrorIsRetriedTwoAreReportedWithTheBody() async throws {
        let once = try SpeechServerProcess(options: ["--fail-first", "1"])
        let audio = try await Self.synthesizer(once).synthesize("Bonjour")
        #expect(!audio.isEmpty)
        #expect(once.requests.count == 2)

        let twice = try SpeechServerProcess(options: ["--fail-first", "2"])
        do {
            _ = try await Self.synthesizer(twice).synthesize("Bonjour")
            Issue.record("two 503 answers gave audio")
        } catch let error as SynthesisError {
            #expect(error.description.contains("HTTP 503"), "\(error)")
            #expect(error.description.contains("warming up"), "\(error)")
            #expect(error.description.contains("\(twice.baseURL.absoluteString)/v1/audio/speech"), "\(error)")
        }
        #expect(twice.requests.count == 2)
    }

    @Test func aWrongKeyIsReportedAndNotRetried() async throws {
        let server = try SpeechServerProcess(options: ["--api-key", "right"])
        do {
            _ = try await Self.synthesizer(server, apiKey: "wrong").synthesize("Bonjour")
            Issue.record("a wrong API key was accepted")
        } catch let error as SynthesisError {
            #expect(error.description.contains("HTTP 401"), "\(error)")
            #expect(error.description.contains("api_key"), "\(error)")
            #expect(error.description.contains("invalid API key"), "\(error)")
        }
        #expect(server.requests.count == 1)
        #expect(server.requests.first?.authorization == "Bearer wrong")
    }

    @Test func aClientErrorStatusIsReportedOnce() async throws {
        let server = try SpeechServerProcess(options: ["--status", "422"])
        do {
            _ = try await Self.synthesizer(server).synthesize("Bonjour")
            Issue.record("a 422 gave audio")
        } catch let error as SynthesisError {
            #expect(error.description.contains("HTTP 422"), "\(error)")
            #expect(error.description.contains("the voice model is not loaded"), "\(error)")
        }
        #expect(server.requests.count == 1)
    }

    @Test func anAnswerThatIsNotAWAVIsNamed() async throws {
        let server = try SpeechServerProcess(options: ["--not-wav"])
        do {
            _ = try await Self.synthesizer(server).synthesize("Bonjour")
            Issue.record("JSON was taken for audio")
        } catch let error as SynthesisError {
            #expect(error.description.contains("not a WAV file"), "\(error)")
            #expect(error.description.contains("application/json"), "\(error)")
        }
    }

    @Test func aSlowServerTimesOutAfterOneRetry() async throws {
        let server = try SpeechServerProcess(options: ["--delay", "4"])
        let start = ContinuousClock.now
        do {
            _ = try await Self.synthesizer(server, timeout: .seconds(1)).synthesize("Bonjour")
            Issue.record("a 4 s answer came within a 1 s timeout")
        } catch let error as SynthesisError {
            guard case .timedOut(let url, let seconds) = error else { Issue.record("\(error)"); return }
            #expect(url.hasSuffix("/v1/audio/speech") && seconds == 1)
        }
        #expect(ContinuousClock.now - start < .seconds(4))
        #expect(server.requests.count == 2)
    }

    @Test func anUnreachableServerIsAClearError() async throws {
        // Port 9 (discard) on loopback: nothing listens there.
        let synthesizer = HTTPSpeechSynthesizer(configuration: .init(baseURL: URL(string: "http://127.0.0.1:9")!, timeout: .seconds(5)))
        do {
            _ = try await synthesizer.synthesize("Bonjour")
            Issue.record("no error from an unreachable server")
        } catch let error as SynthesisError {
            #expect(error.description.contains("http://127.0.0.1:9/v1/audio/speech"), "\(error)")
            #expect(error.description.contains("cannot connect"), "\(error)")
        }
    }

    @Test(arguments: ["http://h:8880", "http://h:8880/", "http://h:8880/v1", "http://h:8880/v1/"])
    func endpointIsBuiltFromTheBaseURL(base: String) {
        #expect(HTTPSpeechSynthesizer.Configuration(baseURL: URL(string: base)!).endpoint.absoluteString == "http://h:8880/v1/audio/speech")
    }

    @Test func anEmptyTextIsNotSent() async throws {
        let synthesizer = HTTPSpeechSynthesizer(configuration: .init(baseURL: URL(string: "http://127.0.0.1:9")!))
        await #expect(throws: SynthesisError.emptyText) { _ = try await synthesizer.synthesize(" ") }
    }
}

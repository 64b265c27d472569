import Foundation
import MiniBotCore
import MiniBotAudio

/// The SVOX Pico voices (French: `fr-FR`, female) through the `py-nanotts`
/// package, run as a separate Python process for each text: the text goes in
/// on standard input, raw 16 kHz 16-bit mono PCM comes back on standard
/// output. Nothing is downloaded; `scripts/setup` installs the package into
/// `.deps/tts`.
public struct PicoSynthesizer: SpeechSynthesizer {
    /// The voices Pico has.
    public static let voices = ["fr-FR", "en-GB", "en-US", "de-DE", "es-ES", "it-IT"]
    /// Pico's output rate.
    public static let sampleRate = 16_000

    /// A Python interpreter that can import `py_nanotts`.
    public let python: String
    public let voice: String
    /// Speaking rate in percent of Pico's normal rate (20…500).
    public let speed: Int
    /// Pitch in percent of the voice's normal pitch (50…200).
    public let pitch: Int

    /// - Parameter python: an interpreter that has `py-nanotts` (see ``defaultPython(environment:)``).
    public init(python: String, voice: String = "fr-FR", speed: Int = 100, pitch: Int = 100) {
        self.python = python
        self.voice = voice
        self.speed = speed
        self.pitch = pitch
    }

    /// The interpreter to use when none is configured: `$MINIBOT_TTS_PYTHON`,
    /// else `.deps/tts/bin/python` in the checkout that holds the running
    /// executable (`.build/<config>/minibot` → the repository root), else in
    /// the current directory or a folder above it; nil when there is none.
    public static func defaultPython(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        defaultPython(environment: environment, executable: CheckoutFile.runningExecutable,
                      currentDirectory: FileManager.default.currentDirectoryPath)
    }

    static func defaultPython(environment: [String: String], executable: String?, currentDirectory: String) -> String? {
        if let configured = environment["MINIBOT_TTS_PYTHON"], !configured.isEmpty { return configured }
        return CheckoutFile.locate(".deps/tts/bin/python", executable: executable, currentDirectory: currentDirectory,
                                   accept: { FileManager.default.isExecutableFile(atPath: $0) })
    }

    /// Reads UTF-8 text on stdin, writes PCM on stdout. Exit 3: no py_nanotts; 4: a voice Pico lacks.
    static let script = """
        import sys
        try:
            from py_nanotts import NanoTTS
        except ImportError as error:
            sys.stderr.write(str(error)); sys.exit(3)
        text = sys.stdin.buffer.read().decode("utf-8")
        try:
            pcm = NanoTTS().speak(text, voice=sys.argv[1], speed=float(sys.argv[2]), pitch=float(sys.argv[3]))
        except ValueError as error:
            sys.stderr.write(str(error)); sys.exit(4)
        sys.stdout.buffer.write(pcm)
        """

    public func synthesize(_ text: String) async throws -> PCMBuffer {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw SynthesisError.emptyText }
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw SynthesisError.engineMissing(python: python, reason: "no such program")
        }
        let result: ChildProcess.Result
        do {
            result = try await ChildProcess.run(python, arguments: ["-c", Self.script, voice,
                                                                    String(Double(speed) / 100), String(Double(pitch) / 100)],
                                                input: Data(text.utf8))
        } catch {
            throw SynthesisError.engineMissing(python: python, reason: "cannot run it: \((error as NSError).localizedDescription)")
        }
        try Task.checkCancellation()
        let message = String(decoding: result.stderr.suffix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        switch (result.signalled, result.status) {
        case (false, 0): break
        case (false, 3): throw SynthesisError.engineMissing(python: python, reason: message)
        case (false, 4): throw SynthesisError.unknownVoice(voice, known: Self.voices)
        default: throw SynthesisError.engineFailed(program: "Pico (\(python))", status: result.status,
                                                   message: result.signalled ? "killed by signal \(result.status)" : message)
        }
        let samples = result.stdout.withUnsafeBytes { raw in
            (0..<(raw.count / 2)).map { Int16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: Int16.self)) }
        }
        guard !samples.isEmpty else { throw SynthesisError.noAudio(engine: "Pico (\(python))") }
        return PCMBuffer(sampleRate: Self.sampleRate, samples: samples)
    }
}

import ArgumentParser
import Foundation
import MiniBotAudio
import MiniBotSpeech

struct TranscribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcribe",
        abstract: "Transcribe WAV files with Whisper (in-process), or with an OpenAI-compatible server.",
        discussion: """
        Each FILE is transcribed on its own, in order. With --json, one object a line: \
        {"file","text","language","audio_ms","infer_ms"}; otherwise a readable line per file. \
        --model takes a ggml file or the name of an installed model (minibot models list); \
        --server sends the audio to POST {URL}/v1/audio/transcriptions instead.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "WAV files (any rate; 8 kHz telephone audio is resampled).")
    var files: [String]

    @Option(name: .long, help: "A ggml Whisper model file, or an installed model's name.")
    var model: String = "base"

    @Option(name: .long, help: "Language of the speech (ISO 639-1), or auto.")
    var language: String = "fr"

    @Option(name: .long, help: "Expected vocabulary, given to Whisper as its initial prompt.")
    var prompt: String?

    @Option(name: .long, help: "CPU threads per transcription.")
    var threads: Int = 2

    @Option(name: .long, help: "Beam search with this many beams (default: greedy).")
    var beam: Int?

    @Flag(name: .long, help: "Encode the full 30 s window instead of one fitted to each clip.")
    var fullWindow = false

    @Option(name: .long, help: "Base URL of an OpenAI-compatible transcription server (instead of the local model).")
    var server: String?

    @Option(name: .long, help: "API key for --server (default: $MINIBOT_STT_API_KEY).")
    var apiKey: String?

    @Option(name: .long, help: "The model name sent to --server.")
    var serverModel: String = "whisper-1"

    @Flag(help: "Print one JSON object a line.")
    var json = false

    func validate() throws {
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let beam, beam < 1 { throw ValidationError("--beam must be at least 1") }
    }

    func run() async throws {
        let recognizer = try makeRecognizer()
        for file in files {
            let audio = try WAVFile.read(path: file).buffer
            let transcript = try await recognizer.transcribe(audio, language: language, prompt: prompt)
            if json {
                try Output.json(Line(file: file, text: transcript.text, language: transcript.language,
                                     audio_ms: Int(transcript.audioDuration.milliseconds.rounded()),
                                     infer_ms: Int(transcript.inferenceDuration.milliseconds.rounded())))
            } else {
                let seconds = { (d: Duration) in String(format: "%.2f s", d.milliseconds / 1000) }
                Output.write("\(file) (\(seconds(transcript.audioDuration)), \(seconds(transcript.inferenceDuration))): \(transcript.text)\n")
            }
        }
    }

    private struct Line: Encodable {
        let file: String
        let text: String
        let language: String
        let audio_ms: Int
        let infer_ms: Int
    }

    private func makeRecognizer() throws -> any SpeechRecognizer {
        if let server {
            guard let url = URL(string: server), url.scheme == "http" || url.scheme == "https" else {
                throw ValidationError("--server must be an http:// or https:// URL, got \(server)")
            }
            let key = apiKey ?? ProcessInfo.processInfo.environment["MINIBOT_STT_API_KEY"]
            return HTTPTranscriptionRecognizer(configuration: .init(baseURL: url, model: serverModel, apiKey: key))
        }
        var configuration = WhisperRecognizer.Configuration(threads: threads)
        if let beam, beam > 1 { configuration.decoding = .beamSearch(beamSize: beam) }
        if fullWindow { configuration.audioContext = .full }
        return try LocalRecognizer.open(model: model, dataDirectory: try Runtime(global).config.dataDir, configuration: configuration)
    }
}

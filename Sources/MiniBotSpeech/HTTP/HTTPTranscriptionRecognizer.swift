import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MiniBotAudio

/// Speech recognition by an OpenAI-compatible server:
/// `POST {baseURL}/v1/audio/transcriptions` with a multipart form (`file`: a
/// 16 kHz WAV, `model`, `language`, `response_format=json`, and `prompt` when
/// given). Works with faster-whisper-server / speaches, whisper.cpp's server
/// and hosted APIs.
///
/// A transport error, a timeout or a 5xx answer is retried once; a 4xx answer
/// is not. Every failure is a ``SpeechError/server(url:reason:)`` or
/// ``SpeechError/timedOut(seconds:)``.
public final class HTTPTranscriptionRecognizer: SpeechRecognizer {
    /// Where and how to reach the server.
    public struct Configuration: Sendable, Equatable {
        /// The server's root, e.g. `http://127.0.0.1:8000` (`/v1/audio/transcriptions` is appended).
        public var baseURL: URL
        /// The `model` form field (e.g. `whisper-1`, `Systran/faster-whisper-base`).
        public var model: String
        /// Sent as `Authorization: Bearer …` when set.
        public var apiKey: String?
        /// Limit for one attempt.
        public var timeout: Duration
        /// Attempts after the first on a transport error, a timeout or a 5xx answer.
        public var retries: Int

        public init(baseURL: URL, model: String = "whisper-1", apiKey: String? = nil,
                    timeout: Duration = .seconds(10), retries: Int = 1) {
            self.baseURL = baseURL
            self.model = model
            self.apiKey = apiKey
            self.timeout = timeout
            self.retries = retries
        }

        /// The full transcription endpoint.
        public var endpoint: URL {
            var base = baseURL.absoluteString
            while base.hasSuffix("/") { base.removeLast() }
            if base.hasSuffix("/v1") { base.removeLast(3) }
            return URL(string: base + "/v1/audio/transcriptions")!
        }
    }

    public let configuration: Configuration
    private let session: URLSession

    public init(configuration: Configuration) {
        self.configuration = configuration
        let sessionConfiguration = URLSessionConfiguration.ephemeral
        sessionConfiguration.timeoutIntervalForRequest = AudioTime.seconds(configuration.timeout)
        sessionConfiguration.timeoutIntervalForResource = AudioTime.seconds(configuration.timeout)
        self.session = URLSession(configuration: sessionConfiguration)
    }

    public func transcribe(_ audio: PCMBuffer, language: String, prompt: String?) async throws -> Transcript {
        guard !audio.isEmpty else { throw SpeechError.emptyAudio }
        let wav = Data(WAVFile.encodePCM16(try Resampler.resample(audio.mono(), to: 16_000)))
        var form = MultipartForm()
        form.addFile("file", filename: "answer.wav", contentType: "audio/wav", data: wav)
        form.addField("model", configuration.model)
        form.addField("language", language)
        form.addField("response_format", "json")
        form.addField("temperature", "0")
        if let prompt, !prompt.isEmpty { form.addField("prompt", prompt) }

        var request = URLRequest(url: configuration.endpoint)
        request.httpMethod = "POST"
        request.timeoutInterval = AudioTime.seconds(configuration.timeout)
        request.setValue(form.contentType, forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let key = configuration.apiKey, !key.isEmpty {
            request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
        }
        let body = form.finished()

        let start = ContinuousClock.now
        var attempt = 0
        while true {
            do {
                let text = try await send(request, body: body)
                return Transcript(text: text, language: language, audioDuration: audio.duration,
                                  inferenceDuration: ContinuousClock.now - start)
            } catch let failure as Failure {
                attempt += 1
                guard failure.retryable, attempt <= configuration.retries else { throw failure.error }
            }
        }
    }

    private struct Failure: Error {
        let error: SpeechError
        let retryable: Bool
    }

    private func send(_ request: URLRequest, body: Data) async throws -> String {
        let url = request.url!.absoluteString
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.upload(for: request, from: body)
        } catch let error as URLError where error.code == .timedOut {
            throw Failure(error: .timedOut(seconds: AudioTime.seconds(configuration.timeout)), retryable: true)
        } catch {
            throw Failure(error: .server(url: url, reason: "cannot connect: \((error as NSError).localizedDescription)"), retryable: true)
        }
        guard let http = response as? HTTPURLResponse else {
            throw Failure(error: .server(url: url, reason: "not an HTTP response"), retryable: true)
        }
        guard (200..<300).contains(http.statusCode) else {
            let snippet = String(decoding: data.prefix(300), as: UTF8.self)
            let hint = http.statusCode == 401 || http.statusCode == 403 ? " (check the API key)" : ""
            throw Failure(error: .server(url: url, reason: "HTTP \(http.statusCode)\(hint): \(snippet)"),
                          retryable: http.statusCode >= 500)
        }
        struct Body: Decodable { let text: String }
        guard let decoded = try? JSONDecoder().decode(Body.self, from: data) else {
            let snippet = String(decoding: data.prefix(300), as: UTF8.self)
            throw Failure(error: .server(url: url, reason: "answer is not JSON with a \"text\" field: \(snippet)"), retryable: false)
        }
        return decoded.text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

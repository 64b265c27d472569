import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MiniBotAudio

/// Speech from an OpenAI-compatible server: `POST {baseURL}/v1/audio/speech`
/// with JSON `{"model", "input", "voice", "response_format": "wav"}`, a WAV
/// file in answer (any rate; stereo is mixed down). Works with OpenAI's API
/// and the self-hosted servers that copy it (openedai-speech, Kokoro-FastAPI,
/// speaches…).
///
/// A transport error, a timeout or a 5xx answer is retried once; a 4xx answer
/// is not. Every failure is a ``SynthesisError/server(url:reason:)`` (with the
/// status and the start of the body) or ``SynthesisError/timedOut(url:seconds:)``.
public struct HTTPSpeechSynthesizer: SpeechSynthesizer {
    /// Where and how to reach the server.
    public struct Configuration: Sendable, Equatable {
        /// The server's root, e.g. `http://127.0.0.1:8880` (`/v1/audio/speech` is appended).
        public var baseURL: URL
        /// The `model` field (`tts-1`, `kokoro`…).
        public var model: String
        /// The `voice` field, in the server's own names (`alloy`, `ff_siwis`…).
        public var voice: String
        /// Sent as `Authorization: Bearer …` when set.
        public var apiKey: String?
        /// Limit for one attempt.
        public var timeout: Duration
        /// Attempts after the first on a transport error, a timeout or a 5xx answer.
        public var retries: Int

        public init(baseURL: URL, model: String = "tts-1", voice: String = "alloy", apiKey: String? = nil,
                    timeout: Duration = .seconds(30), retries: Int = 1) {
            self.baseURL = baseURL
            self.model = model
            self.voice = voice
            self.apiKey = apiKey
            self.timeout = timeout
            self.retries = retries
        }

        /// The full speech endpoint.
        public var endpoint: URL {
            var base = baseURL.absoluteString
            while base.hasSuffix("/") { base.removeLast() }
            if base.hasSuffix("/v1") { base.removeLast(3) }
            return URL(string: base + "/v1/audio/speech")!
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

    /// The JSON body of a request.
    struct Request: Encodable {
        var model: String
        var input: String
        var voice: String
        var responseFormat = "wav"

        enum CodingKeys: String, CodingKey {
            case model, input, voice
            case responseFormat = "response_format"
        }
    }

    public func synthesize(_ text: String) async throws -> PCMBuffer {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw SynthesisError.emptyText }
        var request = URLRequest(url: configuration.endpoint)
        request.httpMethod = "POST"
        request.timeoutInterval = AudioTime.seconds(configuration.timeout)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("audio/wav", forHTTPHeaderField: "Accept")
        if let key = configuration.apiKey, !key.isEmpty {
            request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
        }
        let body = try JSONEncoder().encode(Request(model: configuration.model, input: text, voice: configuration.voice))

        var attempt = 0
        while true {
            do {
                return try await send(request, body: body)
            } catch let failure as Failure {
                attempt += 1
                guard failure.retryable, attempt <= configuration.retries else { throw failure.error }
            }
        }
    }

    private struct Failure: Error {
        let error: SynthesisError
        let retryable: Bool
    }

    private func send(_ request: URLRequest, body: Data) async throws -> PCMBuffer {
        let url = request.url!.absoluteString
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.upload(for: request, from: body)
        } catch let error as URLError where error.code == .timedOut {
            throw Failure(error: .timedOut(url: url, seconds: AudioTime.seconds(configuration.timeout)), retryable: true)
        } catch {
            throw Failure(error: .server(url: url, reason: "cannot connect: \((error as NSError).localizedDescription)"), retryable: true)
        }
        guard let http = response as? HTTPURLResponse else {
            throw Failure(error: .server(url: url, reason: "not an HTTP response"), retryable: true)
        }
        guard (200..<300).contains(http.statusCode) else {
            let hint = http.statusCode == 401 || http.statusCode == 403 ? " (check tts.api_key)"
                : http.statusCode == 404 ? " (check tts.base_url: is this a /v1/audio/speech server?)" : ""
            throw Failure(error: .server(url: url, reason: "HTTP \(http.statusCode)\(hint): \(Self.excerpt(data))"),
                          retryable: http.statusCode >= 500)
        }
        let audio: PCMBuffer
        do {
            audio = try WAVFile.decode([UInt8](data), file: url).buffer
        } catch {
            let type = http.value(forHTTPHeaderField: "Content-Type").map { " (Content-Type \($0))" } ?? ""
            throw Failure(error: .server(url: url, reason: "the answer is not a WAV file\(type): \(error); body starts \(Self.excerpt(data))"),
                          retryable: false)
        }
        return audio.mono()
    }

    /// The start of a body, for error messages: text as is, binary as a byte count.
    static func excerpt(_ data: Data) -> String {
        guard !data.isEmpty else { return "(empty body)" }
        let head = data.prefix(300)
        guard !head.contains(0) else { return "(\(data.count) bytes, not text)" }
        return String(decoding: head, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\n", with: " ")
            + (data.count > head.count ? "…" : "")
    }
}

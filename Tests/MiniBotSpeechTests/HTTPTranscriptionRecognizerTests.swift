import Foundation
import MiniBotAudio
import Testing
@testable import MiniBotSpeech

extension RealLibraryTests {
    /// The HTTP engine against a real server process (transcription_server.py,
    /// which runs the built `minibot` on the same whisper.cpp library and model).
    @Suite struct HTTPTranscriptionRecognizerTests {
        static func clip() throws -> SpeechTestData.Clip {
            try SpeechTestData.require(SpeechTestData.model)
            try SpeechTestData.require(SpeechTestData.minibot)
            return try #require(try SpeechTestData.clips(voice: "pico").first { $0.text.hasPrefix("Non merci") })
        }

        @Test func transcribesThroughARealServerLikeTheLocalEngine() async throws {
            let clip = try Self.clip()
            let server = try TranscriptionServerProcess(apiKey: "secret")
            let remote = HTTPTranscriptionRecognizer(configuration: .init(baseURL: server.baseURL, apiKey: "secret", timeout: .seconds(60)))
            let heard = try await remote.transcribe(try clip.audio(), language: "fr")
            let local = try await WhisperRecognizer(modelPath: SpeechTestData.model).transcribe(try clip.audio(), language: "fr")
            #expect(heard.text == local.text)
            #expect(WordErrorRate.words(heard.text) == ["non", "merci", "ca", "ne", "m", "interesse", "pas"])
            #expect(heard.language == "fr")
        }

        @Test func aWrongAPIKeyIsReportedAndNotRetried() async throws {
            let clip = try Self.clip()
            let server = try TranscriptionServerProcess(apiKey: "secret", failFirst: 0)
            let remote = HTTPTranscriptionRecognizer(configuration: .init(baseURL: server.baseURL, apiKey: "wrong", timeout: .seconds(60)))
            do {
                _ = try await remote.transcribe(try clip.audio(), language: "fr")
                Issue.record("a wrong API key was accepted")
            } catch let error as SpeechError {
                #expect(error.description.contains("HTTP 401"))
                #expect(error.description.contains("API key"))
            }
        }

        @Test func oneServerErrorIsRetriedTwoAreReported() async throws {
            let clip = try Self.clip()
            let once = try TranscriptionServerProcess(failFirst: 1)
            let recovered = try await HTTPTranscriptionRecognizer(configuration: .init(baseURL: once.baseURL, timeout: .seconds(60)))
                .transcribe(try clip.audio(), language: "fr")
            #expect(!recovered.text.isEmpty)

            let twice = try TranscriptionServerProcess(failFirst: 2)
            do {
                _ = try await HTTPTranscriptionRecognizer(configuration: .init(baseURL: twice.baseURL, timeout: .seconds(60)))
                    .transcribe(try clip.audio(), language: "fr")
                Issue.record("two 503 answers gave a transcript")
            } catch let error as SpeechError {
                #expect(error.description.contains("HTTP 503"))
            }
        }
    }
}

@Suite struct HTTPTranscriptionRecognizerOfflineTests {
    @Test func anUnreachableServerIsAClearError() async throws {
        // Port 9 (discard) on loopback: nothing listens there.
        let remote = HTTPTranscriptionRecognizer(configuration: .init(baseURL: URL(string: "http://127.0.0.1:9")!, timeout: .seconds(5)))
        do {
            _ = try await remote.transcribe(PCMBuffer.silence(sampleRate: 8000, duration: .seconds(1)), language: "fr")
            Issue.record("no error from an unreachable server")
        } catch let error as SpeechError {
            #expect(error.description.contains("http://127.0.0.1:9/v1/audio/transcriptions"))
        }
    }

    @Test(arguments: ["http://h:8000", "http://h:8000/", "http://h:8000/v1", "http://h:8000/v1/"])
    func endpointIsBuiltFromTheBaseURL(base: String) {
        let configuration = HTTPTranscriptionRecognizer.Configuration(baseURL: URL(string: base)!)
        #expect(configuration.endpoint.absoluteString == "http://h:8000/v1/audio/transcriptions")
    }

    @Test func multipartBodyHasEachFieldAndTheFile() {
        var form = MultipartForm(boundary: "B")
        form.addField("language", "fr")
        form.addFile("file", filename: "a.wav", contentType: "audio/wav", data: Data([1, 2]))
        let text = String(decoding: form.finished(), as: UTF8.self)
        #expect(form.contentType == "multipart/form-data; boundary=B")
        #expect(text == "--B\r\nContent-Disposition: form-data; name=\"language\"\r\n\r\nfr\r\n"
                + "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\n\u{1}\u{2}\r\n--B--\r\n")
    }
}

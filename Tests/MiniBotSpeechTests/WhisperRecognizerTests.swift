import Foundation
import MiniBotAudio
import Testing
@testable import MiniBotSpeech

extension RealLibraryTests {
    /// The real whisper.cpp library on generated French answers (8 kHz, µ-law).
    @Suite struct WhisperRecognizerTests {
        static func recognizer(concurrency: Int = 1) throws -> WhisperRecognizer {
            try SpeechTestData.require(SpeechTestData.model)
            return try WhisperRecognizer(modelPath: SpeechTestData.model,
                                         configuration: .init(threads: 2, concurrency: concurrency))
        }

        @Test func picoAnswersAreMostlyRight() async throws {
            let recognizer = try Self.recognizer()
            var wer = WordErrorRate()
            var transcripts: [String: String] = [:]
            for clip in try SpeechTestData.clips(voice: "pico").prefix(12) {   // 8 and 11 looped without timestamps
                let transcript = try await recognizer.transcribe(try clip.audio(), language: "fr")
                #expect(transcript.language == "fr")
                #expect(transcript.audioDuration > .seconds(1))
                wer.add(reference: clip.text, hypothesis: transcript.text)
                transcripts[clip.text] = transcript.text
            }
            // faster-whisper base on the same voice: 21 % (research/voices.md).
            #expect(wer.rate < 0.35, "WER \(wer.rate): \(transcripts)")
            #expect(WordErrorRate.words(transcripts["Non merci, ça ne m'intéresse pas."] ?? "")
                    == ["non", "merci", "ca", "ne", "m", "interesse", "pas"])
        }

        @Test func espeakAnswersGoThroughWithoutRunaway() async throws {
            let recognizer = try Self.recognizer()
            for clip in try SpeechTestData.clips(voice: "espeak").prefix(3) {
                let transcript = try await recognizer.transcribe(try clip.audio(), language: "fr")
                // espeak-ng is the floor (about 100 % WER for Whisper base); the
                // token cap keeps a hallucination short.
                #expect(WordErrorRate.words(transcript.text).count <= 3 * WordErrorRate.words(clip.text).count + 5,
                        "\(clip.text) → \(transcript.text)")
            }
        }

        @Test func promptTeachesAnUncommonWord() async throws {
            let recognizer = try Self.recognizer()
            let clip = try #require(try SpeechTestData.clips(voice: "pico").first { $0.text.contains("Bloctel") })
            let prompted = try await recognizer.transcribe(try clip.audio(), language: "fr", prompt: "Bloctel")
            #expect(prompted.text.contains("Bloctel"), "\(prompted.text)")
        }

        /// A decoder state keeps nothing of the clip before: each answer reads
        /// the same after a long clip went through the same state. (With
        /// flash attention, whisper.cpp 1.8 let the decoder read the encoder's
        /// output rounded up to 256 positions, unmasked: a 320-position window
        /// heard the end of the previous, longer clip.)
        @Test func aStateForgetsTheClipBefore() async throws {
            try SpeechTestData.require(SpeechTestData.model)
            let recognizer = try WhisperRecognizer(modelPath: SpeechTestData.model, configuration: .init(
                threads: 2, concurrency: 1, audioContext: .fitted(minimum: 320, margin: 64, granularity: 64)))
            let answers = try SpeechTestData.clips(voice: "pico").prefix(6).map { try $0.audio() }
            var fresh: [String] = []
            for answer in answers { fresh.append(try await recognizer.transcribe(answer).text) }
            // About 19 s of other answers back to back: a 1,024-position window.
            let others = try SpeechTestData.clips(voice: "pico-slow").prefix(7).map { try $0.audio() }
            let long = PCMBuffer(sampleRate: others[0].sampleRate, samples: others.flatMap(\.samples))
            var after: [String] = []
            for answer in answers {
                _ = try await recognizer.transcribe(long)
                after.append(try await recognizer.transcribe(answer).text)
            }
            #expect(after == fresh)
        }

        @Test func concurrentCallsShareOneModelAndAgreeWithSequentialOnes() async throws {
            let recognizer = try Self.recognizer(concurrency: 2)
            let clips = Array(try SpeechTestData.clips(voice: "pico-slow").prefix(4))
            var sequential: [String] = []
            for clip in clips { sequential.append(try await recognizer.transcribe(try clip.audio()).text) }
            let concurrent = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for (index, clip) in clips.enumerated() {
                    let audio = try clip.audio()
                    group.addTask { (index, try await recognizer.transcribe(audio).text) }
                }
                var texts = [String](repeating: "", count: clips.count)
                for try await (index, text) in group { texts[index] = text }
                return texts
            }
            #expect(concurrent == sequential)
            #expect(await recognizer.statesCreated == 2)
            #expect(try WhisperModel.shared(path: SpeechTestData.model) === recognizer.model)
        }

        @Test func fullWindowAndFittedWindowBothRecogniseAClearAnswer() async throws {
            try SpeechTestData.require(SpeechTestData.model)
            let model = try WhisperModel.shared(path: SpeechTestData.model)
            let clip = try #require(try SpeechTestData.clips(voice: "pico").first { $0.text.hasPrefix("Non merci") })
            for policy in [AudioContextPolicy.full, .fitted()] {
                let recognizer = WhisperRecognizer(model: model, configuration: .init(audioContext: policy))
                let text = try await recognizer.transcribe(try clip.audio()).text
                var wer = WordErrorRate()
                wer.add(reference: clip.text, hypothesis: text)
                #expect(wer.errors <= 2, "\(policy): \(text)")
            }
        }

        @Test func aTimeoutStopsWhisperAndSaysSo() async throws {
            try SpeechTestData.require(SpeechTestData.model)
            let clip = try #require(try SpeechTestData.clips(voice: "pico").first)
            let recognizer = try WhisperRecognizer(modelPath: SpeechTestData.model,
                                                   configuration: .init(audioContext: .full, timeout: .milliseconds(1)))
            await #expect(throws: SpeechError.timedOut(seconds: 0.001)) {
                try await recognizer.transcribe(try clip.audio(), language: "fr")
            }
        }

        @Test func cancellingTheTaskStopsWhisper() async throws {
            let recognizer = try Self.recognizer()
            let audio = try #require(try SpeechTestData.clips(voice: "pico").first).audio()
            let task = Task { try await recognizer.transcribe(audio, language: "fr") }
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            // The state went back to the pool: the next call works.
            #expect(try await !recognizer.transcribe(audio, language: "fr").text.isEmpty)
        }

        @Test func waitingCallersAreServedByPriorityAndLeaveWhenCancelled() async throws {
            try SpeechTestData.require(SpeechTestData.model)
            let pool = WhisperStatePool(model: try WhisperModel.shared(path: SpeechTestData.model), capacity: 1)
            let held = try await pool.acquire(priority: .medium)
            func waitFor(_ count: Int) async throws {
                while await pool.waiting != count { try await Task.sleep(for: .milliseconds(2)) }
            }
            let served = Served()
            let greeting = Task {
                let state = try await pool.acquire(priority: .backgroundTranscription)
                served.append("greeting")
                await pool.release(state)
            }
            try await waitFor(1)
            let answer = Task {
                let state = try await pool.acquire(priority: .medium)
                served.append("answer")
                await pool.release(state)
            }
            try await waitFor(2)
            let abandoned = Task { try await pool.acquire(priority: .high) }
            try await waitFor(3)
            abandoned.cancel()
            await #expect(throws: CancellationError.self) { _ = try await abandoned.value }
            #expect(await pool.waiting == 2)

            await pool.release(held)
            try await answer.value
            try await greeting.value
            #expect(served.names == ["answer", "greeting"])
            #expect(await pool.statesCreated == 1)
        }

        @Test func rejectsBadInputWithClearErrors() async throws {
            let recognizer = try Self.recognizer()
            let second = PCMBuffer.silence(sampleRate: 8000, duration: .seconds(1))
            await #expect(throws: SpeechError.unknownLanguage("klingon")) {
                try await recognizer.transcribe(second, language: "klingon")
            }
            await #expect(throws: SpeechError.emptyAudio) {
                try await recognizer.transcribe(PCMBuffer(sampleRate: 8000), language: "fr")
            }
        }
    }
}

@Suite struct WhisperModelErrorTests {
    @Test func missingOrForeignModelFilesAreNamed() throws {
        #expect(throws: SpeechError.modelNotLoaded(path: "/nonexistent/ggml.bin", reason: "no such file")) {
            try WhisperModel(path: "/nonexistent/ggml.bin")
        }
        let junk = FileManager.default.temporaryDirectory.appendingPathComponent("junk-\(UUID().uuidString).bin").path
        _ = FileManager.default.createFile(atPath: junk, contents: Data("not a model".utf8))
        defer { try? FileManager.default.removeItem(atPath: junk) }
        do {
            _ = try WhisperModel(path: junk)
            Issue.record("a junk file loaded as a model")
        } catch let error as SpeechError {
            #expect(error.description.contains(junk))
            #expect(error.description.contains("minibot models install"))
        }
    }

    @Test func wordErrorRateNormalisesLikeTheResearchNotes() {
        var wer = WordErrorRate()
        wer.add(reference: "Oui, ça m'intéresse.", hypothesis: "oui ca m interesse")
        #expect(wer.rate == 0)
        wer.add(reference: "non merci", hypothesis: "moment donné")
        #expect(wer.errors == 2 && wer.referenceWords == 6)
        #expect(WordErrorRate.words("Rappelez-moi") == ["rappelez", "moi"])
    }
}

/// The order in which waiting callers got a state.
private final class Served: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func append(_ name: String) { lock.withLock { list.append(name) } }
    var names: [String] { lock.withLock { list } }
}

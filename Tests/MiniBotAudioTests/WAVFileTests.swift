import Foundation
import MiniBotTestSupport
import Testing
@testable import MiniBotAudio

/// Reading files sox wrote in every supported encoding, against sox's own
/// conversion of the same file to 16-bit.
@Suite struct WAVReadAgainstSoxTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var soxArguments: [String]
        var encoding: WAVEncoding
        /// Float input may round differently from sox's two-step conversion by one step.
        var tolerance: Int
        var testDescription: String { encoding.description }
    }

    static let cases: [Case] = [
        Case(soxArguments: ["-e", "signed-integer", "-b", "16"], encoding: .pcm(bits: 16), tolerance: 0),
        Case(soxArguments: ["-e", "signed-integer", "-b", "24"], encoding: .pcm(bits: 24), tolerance: 0),
        Case(soxArguments: ["-e", "signed-integer", "-b", "32"], encoding: .pcm(bits: 32), tolerance: 0),
        Case(soxArguments: ["-e", "unsigned-integer", "-b", "8"], encoding: .pcm(bits: 8), tolerance: 0),
        Case(soxArguments: ["-e", "floating-point", "-b", "32"], encoding: .float(bits: 32), tolerance: 1),
        Case(soxArguments: ["-e", "floating-point", "-b", "64"], encoding: .float(bits: 64), tolerance: 1),
        Case(soxArguments: ["-e", "u-law", "-b", "8"], encoding: .muLaw, tolerance: 0),
        Case(soxArguments: ["-e", "a-law", "-b", "8"], encoding: .aLaw, tolerance: 0),
    ]

    @Test(arguments: cases, [(8_000, 1), (44_100, 2), (16_000, 2)])
    func readsLikeSox(format: Case, layout: (rate: Int, channels: Int)) throws {
        let dir = try Support.temporaryDirectory()
        defer { Support.cleanUp(dir) }
        let file = dir.appendingPathComponent("in.wav"), reference = dir.appendingPathComponent("ref.raw")
        // A chirp with noise, −3 dBFS: every bit pattern region gets exercised.
        try Support.run("sox", ["-D", "-n", "-r", String(layout.rate), "-c", String(layout.channels)] + format.soxArguments
                        + [file.path, "synth", "0.3", "sine", "100-3000", "whitenoise", "gain", "-3"])
        try Support.run("sox", ["-D", file.path, "-t", "raw", "-e", "signed-integer", "-b", "16", reference.path])
        let expected = Support.int16LE(try Support.readBytes(reference))

        let contents = try WAVFile.read(path: file.path)
        #expect(contents.encoding == format.encoding)
        #expect(contents.buffer.sampleRate == layout.rate)
        #expect(contents.buffer.channels == layout.channels)
        #expect(contents.buffer.samples.count == expected.count)
        let worst = zip(contents.buffer.samples, expected).map { abs(Int($0) - Int($1)) }.max() ?? .max
        #expect(worst <= format.tolerance)
    }
}

@Suite struct WAVWriteTests {
    @Test(arguments: [1, 2])
    func pcm16RoundTripsAndSoxReadsIt(channels: Int) throws {
        let dir = try Support.temporaryDirectory()
        defer { Support.cleanUp(dir) }
        var rng = SeededRandom(seed: 7)
        let samples = (0..<(8_000 * channels)).map { _ in Int16.random(in: .min ... .max, using: &rng) }
        let buffer = PCMBuffer(sampleRate: 8_000, channels: channels, samples: samples)
        let file = dir.appendingPathComponent("out.wav"), raw = dir.appendingPathComponent("out.raw")
        try WAVFile.writePCM16(buffer, to: file.path)

        #expect(try WAVFile.read(path: file.path) == WAVFile.Contents(buffer: buffer, encoding: .pcm(bits: 16)))
        try Support.run("sox", [file.path, "-t", "raw", "-e", "signed-integer", "-b", "16", raw.path])
        #expect(Support.int16LE(try Support.readBytes(raw)) == samples)
    }

    @Test func skipsUnknownChunksAndOddPadding() throws {
        var bytes = WAVFile.encodePCM16(PCMBuffer(sampleRate: 8_000, samples: [1, -2, 3]))
        // Insert a 3-byte "LIST" chunk (padded to 4) between the header and "fmt ".
        bytes.insert(contentsOf: Array("LIST".utf8) + [3, 0, 0, 0, 0x61, 0x62, 0x63, 0], at: 12)
        let contents = try WAVFile.decode(bytes, file: "padded.wav")
        #expect(contents.buffer.samples == [1, -2, 3])
    }

    @Test func streamedDataSizeReadsToTheEndOfFile() throws {
        var bytes = WAVFile.encodePCM16(PCMBuffer(sampleRate: 8_000, samples: [5, 6, 7, 8]))
        bytes.replaceSubrange(40..<44, with: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(try WAVFile.decode(bytes, file: "streamed.wav").buffer.samples == [5, 6, 7, 8])
    }
}

/// Each malformed file gives its own error, naming the file.
@Suite struct WAVMalformedTests {
    static let valid = WAVFile.encodePCM16(PCMBuffer(sampleRate: 8_000, samples: [100, -100, 200, -200]))

    static func patched(_ edits: [(Int, [UInt8])]) -> [UInt8] {
        var bytes = valid
        for (offset, new) in edits { bytes.replaceSubrange(offset..<(offset + new.count), with: new) }
        return bytes
    }

    static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
    static func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(v >> (8 * $0) & 0xFF) } }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        var expected: WAVError
        var testDescription: String { name }
    }

    static let file = "prompts/hello.wav"
    static let cases: [Case] = [
        Case(name: "empty file", bytes: [], expected: .tooShort(file: file, size: 0)),
        Case(name: "cut inside the header", bytes: Array(valid.prefix(10)), expected: .tooShort(file: file, size: 10)),
        Case(name: "MP3 renamed .wav", bytes: Array("ID3".utf8) + [4, 0, 0, 0, 0, 0, 0, 0, 0],
             expected: .notRIFF(file: file, found: "bytes 49 44 33 04")),
        Case(name: "big-endian RIFX", bytes: patched([(0, Array("RIFX".utf8))]), expected: .notRIFF(file: file, found: "\"RIFX\"")),
        Case(name: "RIFF but AVI", bytes: patched([(8, Array("AVI ".utf8))]), expected: .notWAVE(file: file, found: "\"AVI \"")),
        Case(name: "oversized fmt header", bytes: patched([(16, le32(1_000))]),
             expected: .chunkOverrunsFile(file: file, chunk: "fmt ", declared: 1_000, available: 32)),
        Case(name: "truncated data", bytes: Array(valid.prefix(48)),
             expected: .chunkOverrunsFile(file: file, chunk: "data", declared: 8, available: 4)),
        Case(name: "fmt chunk too small", bytes: Array(valid.prefix(12)) + Array("fmt ".utf8) + le32(2) + [1, 0],
             expected: .formatChunkTooSmall(file: file, size: 2)),
        Case(name: "data before fmt", bytes: Array(valid.prefix(12)) + Array(valid[36...]),
             expected: .missingFormatChunk(file: file)),
        Case(name: "no data chunk", bytes: Array(valid.prefix(36)), expected: .missingDataChunk(file: file)),
        Case(name: "empty data", bytes: Array(valid.prefix(40)) + le32(0), expected: .emptyData(file: file)),
        Case(name: "half a sample", bytes: Array(valid.prefix(40)) + le32(3) + [1, 2, 3],
             expected: .partialSampleFrame(file: file, dataBytes: 3, blockAlign: 2)),
        Case(name: "zero channels", bytes: patched([(22, le16(0))]),
             expected: .invalidField(file: file, field: "channels", value: 0, expected: "1 or 2")),
        Case(name: "six channels", bytes: patched([(22, le16(6))]), expected: .unsupportedChannelCount(file: file, channels: 6)),
        Case(name: "zero sample rate", bytes: patched([(24, le32(0))]),
             expected: .invalidField(file: file, field: "sample_rate", value: 0, expected: "1…768000 Hz")),
        Case(name: "wrong block align", bytes: patched([(32, le16(4))]),
             expected: .invalidField(file: file, field: "block_align", value: 4, expected: "2 (channels × bytes per sample)")),
        Case(name: "zero bits per sample", bytes: patched([(34, le16(0))]),
             expected: .invalidField(file: file, field: "bits_per_sample", value: 0, expected: "8, 16, 24, 32 or 64")),
        Case(name: "IMA ADPCM", bytes: patched([(20, le16(0x11)), (34, le16(4))]),
             expected: .unsupportedEncoding(file: file, formatTag: 0x11, bitsPerSample: 4)),
    ]

    @Test(arguments: cases)
    func givesItsOwnErrorNamingTheFile(_ c: Case) {
        #expect(throws: c.expected) { try WAVFile.decode(c.bytes, file: Self.file) }
        #expect(c.expected.description.contains(Self.file))
    }

    @Test func everyMalformedCaseHasADistinctMessage() {
        let messages = Set(Self.cases.map(\.expected.description))
        #expect(messages.count == Self.cases.count)
    }

    @Test func aMissingFileIsNamed() {
        let path = "/nonexistent/dir/hello.wav"
        #expect {
            try WAVFile.read(path: path)
        } throws: { error in
            guard case let WAVError.unreadable(file, _) = error else { return false }
            return file == path && "\(error)".contains(path)
        }
    }

    /// Random corruption of a valid file never crashes: it decodes or throws a WAVError.
    @Test func randomCorruptionNeverCrashes() {
        var rng = SeededRandom(seed: 42)
        let base = WAVFile.encodePCM16(PCMBuffer(sampleRate: 8_000, channels: 2, samples: [Int16](repeating: 3, count: 64)))
        var thrown = 0
        for _ in 0..<5_000 {
            var bytes = base
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                bytes[Int.random(in: 0..<60, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            if Bool.random(using: &rng) { bytes.removeLast(Int.random(in: 0..<bytes.count, using: &rng)) }
            do { _ = try WAVFile.decode(bytes, file: "fuzz.wav") } catch is WAVError { thrown += 1 } catch { Issue.record("non-WAV error \(error)") }
        }
        #expect(thrown > 0)
    }
}

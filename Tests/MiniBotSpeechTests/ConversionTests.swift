import Foundation
import Testing
@testable import MiniBotSpeech

@Suite struct ConversionPrimitivesTests {
    @Test func byteDecoderInvertsGPT2Spelling() {
        #expect(GPT2ByteDecoder.table.count == 256)
        #expect(GPT2ByteDecoder.bytes(of: "Ġoui") == [0x20] + Array("oui".utf8))
        #expect(GPT2ByteDecoder.bytes(of: "Ċ") == [0x0A])
        #expect(GPT2ByteDecoder.bytes(of: "Ã§a") == Array("ça".utf8))     // UTF-8 of ç spelled byte by byte
        #expect(GPT2ByteDecoder.bytes(of: "") == [])
        #expect(GPT2ByteDecoder.bytes(of: "€") == nil)
    }

    @Test func halfToFloatMatchesFloat16ForEveryBitPattern() {
        for bits in UInt16.min...UInt16.max {
            let expected = Float(Float16(bitPattern: bits))
            let actual = HalfFloat.float(fromHalf: bits)
            #expect(actual.bitPattern == expected.bitPattern || (actual.isNaN && expected.isNaN), "half \(bits)")
            if !(actual.bitPattern == expected.bitPattern || (actual.isNaN && expected.isNaN)) { return }
        }
    }

    @Test func floatToHalfRoundsLikeFloat16() {
        var generator = SystemRandomNumberGenerator()
        var samples: [Float] = [0, -0, 1, -1, 65504, 65520, 1e-8, 6e-8, 5.96e-8, 2.98e-8, 1e9, .infinity, -.infinity, 0.1, 1.0 / 3]
        for _ in 0..<20_000 { samples.append(Float(bitPattern: generator.next()) ) }
        for value in samples where !value.isNaN {
            #expect(HalfFloat.half(from: value) == Float16(value).bitPattern, "float \(value)")
        }
        #expect(HalfFloat.half(from: .nan) & 0x7C00 == 0x7C00)
    }

    @Test func ct2ReaderParsesVariablesAndAliases() throws {
        let data = CT2Fixture.model([
            ("encoder/num_heads", [], 2, [8, 0]),
            ("w", [2, 2], 0, (0..<16).map { UInt8($0) }),
        ], aliases: [("v", "w")])
        let model = try CT2Model(data: data, file: "fixture")
        #expect(model.specName == "WhisperSpec")
        #expect(try model.integer("encoder/num_heads", file: "fixture") == 8)
        #expect(model.variables["w"]?.shape == [2, 2])
        #expect(model.variables["v"]?.range == model.variables["w"]?.range)
        #expect(throws: SpeechError.self) { try model.variable("missing", file: "fixture") }
    }

    @Test func ct2ReaderRejectsTruncatedAndForeignFiles() {
        let good = CT2Fixture.model([("w", [4], 0, [UInt8](repeating: 0, count: 16))], aliases: [])
        #expect(throws: SpeechError.self) { try CT2Model(data: good.prefix(good.count - 10), file: "t") }
        var wrongVersion = good
        wrongVersion[0] = 5
        do {
            _ = try CT2Model(data: wrongVersion, file: "t")
            Issue.record("version 5 accepted")
        } catch {
            #expect("\(error)".contains("version 5"))
        }
    }

    @Test func vocabularyKeepsOrdinaryTokensOnly() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vocab-\(UUID().uuidString).txt").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "!\nĠoui\n\n<|endoftext|>\n<|startoftranscript|>\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try CT2WhisperConverter.readVocabulary(file) == [[0x21], [0x20, 0x6F, 0x75, 0x69], []])
        try "!\nĠoui\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: SpeechError.self) { try CT2WhisperConverter.readVocabulary(file) }
    }
}

/// Builds CTranslate2 `model.bin` bytes.
enum CT2Fixture {
    static func model(_ variables: [(String, [UInt32], UInt8, [UInt8])], aliases: [(String, String)]) -> Data {
        var out = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func string(_ s: String) {
            withUnsafeBytes(of: UInt16(s.utf8.count + 1).littleEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: Array(s.utf8) + [0])
        }
        u32(6); string("WhisperSpec"); u32(3); u32(UInt32(variables.count))
        for (name, shape, type, bytes) in variables {
            string(name); out.append(UInt8(shape.count)); shape.forEach(u32); out.append(type)
            u32(UInt32(bytes.count)); out.append(contentsOf: bytes)
        }
        u32(UInt32(aliases.count))
        for (alias, target) in aliases { string(alias); string(target) }
        return out
    }
}

extension RealLibraryTests {
    @Suite struct ConversionOfRealModelTests {
        @Test func melFilterBankMatchesOpenAIWhisperAssets() throws {
            for bands in [80, 128] {
                let reference = SpeechTestData.folder.appendingPathComponent("mel_filters_\(bands).f32").path
                try SpeechTestData.require(reference)
                let data = try Data(contentsOf: URL(fileURLWithPath: reference))
                let expected = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
                let computed = MelFilterBank.whisper(melBands: bands)
                #expect(computed.count == expected.count)
                let worst = zip(computed, expected).map { abs($0 - $1) }.max() ?? .infinity
                #expect(worst <= 1e-9, "largest difference \(worst) for \(bands) bands")
            }
        }

        @Test func convertsFasterWhisperBaseIntoALoadableGGMLFile() throws {
            try SpeechTestData.require(SpeechTestData.ct2Model + "/model.bin")
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("ggml-\(UUID().uuidString).bin").path
            defer { try? FileManager.default.removeItem(atPath: out) }
            let summary = try CT2WhisperConverter.convert(ct2Directory: SpeechTestData.ct2Model, output: out)
            #expect(summary.bytes == 147_951_465)
            #expect(summary.tensors == 245)
            #expect(summary.encoderLayers == 6 && summary.decoderLayers == 6 && summary.melBands == 80)
            #expect(summary.vocabularySize == 51_865)
            #expect(!FileManager.default.fileExists(atPath: out + ".partial"))
            let model = try WhisperModel(path: out)
            #expect(model.melBands == 80)
            #expect(model.isMultilingual)
        }

        @Test func refusesASplitModelWithAHint() throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ct2-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            _ = FileManager.default.createFile(atPath: folder.appendingPathComponent("model.bin.part1").path, contents: Data([1]))
            do {
                _ = try CT2WhisperConverter.convert(ct2Directory: folder.path, output: folder.appendingPathComponent("out.bin").path)
                Issue.record("converted a folder without model.bin")
            } catch {
                #expect("\(error)".contains("model.bin.part1"))
            }
        }
    }
}

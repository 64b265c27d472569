import Foundation
import Testing
@testable import MiniBotAudio

@Suite struct G711ReferenceValueTests {
    @Test func silenceEncodesToTheStandardIdleCodes() {
        #expect(G711.muLawEncode(0) == 0xFF)
        #expect(G711.aLawEncode(0) == 0xD5)
    }

    /// Values from the G.711 tables: the decision levels' outputs at the ends of the range.
    @Test(arguments: [
        (UInt8(0x00), Int16(-32_124)), (0x80, 32_124), (0x7F, 0), (0xFF, 0), (0x7E, -8), (0xFE, 8),
        (0x0F, -16_764), (0x8F, 16_764), (0x70, -120), (0xF0, 120),
    ])
    func muLawDecodesToTheTable(code: UInt8, linear: Int16) {
        #expect(G711.muLawDecode(code) == linear)
    }

    @Test(arguments: [
        (UInt8(0x55), Int16(-8)), (0xD5, 8), (0x2A, -32_256), (0xAA, 32_256), (0x54, -24), (0xD4, 24),
        (0x45, -264), (0xC5, 264),
    ])
    func aLawDecodesToTheTable(code: UInt8, linear: Int16) {
        #expect(G711.aLawDecode(code) == linear)
    }

    @Test(arguments: G711.Law.allCases)
    func everyCodeSurvivesDecodeThenEncode(law: G711.Law) {
        // Each code decodes to a value inside its own quantisation interval, except
        // µ-law's negative zero (0x7F), which encodes back as positive zero (0xFF).
        let codes = (0...255).map(UInt8.init)
        let again = G711.encode(G711.decode(codes, law: law), law: law)
        let mismatches = zip(codes, again).filter { $0 != $1 && !(law == .muLaw && $0 == 0x7F && $1 == 0xFF) }
        #expect(mismatches.isEmpty, "\(law): \(mismatches.prefix(5))")
    }

    @Test(arguments: G711.Law.allCases)
    func bulkTablesAgreeWithTheScalarFunctions(law: G711.Law) {
        let all = (Int(Int16.min)...Int(Int16.max)).map { Int16($0) }
        let bulk = G711.encode(all, law: law)
        let scalar = all.map { law == .muLaw ? G711.muLawEncode($0) : G711.aLawEncode($0) }
        #expect(bulk == scalar)
    }
}

/// Every 16-bit input and every 8-bit code against sox's own G.711 coder.
@Suite struct G711AgainstSoxTests {
    @Test(arguments: G711.Law.allCases)
    func encodingEveryInt16MatchesSoxByteForByte(law: G711.Law) throws {
        let dir = try Support.temporaryDirectory()
        defer { Support.cleanUp(dir) }
        let all = (Int(Int16.min)...Int(Int16.max)).map { Int16($0) }
        let input = dir.appendingPathComponent("all.raw"), output = dir.appendingPathComponent("out.raw")
        try Support.writeBytes(Support.bytesLE(all), to: input)
        try Support.run("sox", ["-D", "-t", "raw", "-e", "signed-integer", "-b", "16", "-c", "1", "-r", "8000", input.path,
                                "-t", "raw", "-e", law == .muLaw ? "u-law" : "a-law", "-b", "8", output.path])
        let soxCodes = try Support.readBytes(output)
        let ours = G711.encode(all, law: law)
        #expect(soxCodes.count == ours.count)
        let firstDifference = zip(ours, soxCodes).enumerated().first { $0.element.0 != $0.element.1 }
        #expect(firstDifference == nil, "first difference at sample \(all[firstDifference?.offset ?? 0])")
    }

    @Test(arguments: G711.Law.allCases)
    func decodingEveryCodeMatchesSox(law: G711.Law) throws {
        let dir = try Support.temporaryDirectory()
        defer { Support.cleanUp(dir) }
        let codes = (0...255).map(UInt8.init)
        let input = dir.appendingPathComponent("codes.raw"), output = dir.appendingPathComponent("out.raw")
        try Support.writeBytes(codes, to: input)
        try Support.run("sox", ["-t", "raw", "-e", law == .muLaw ? "u-law" : "a-law", "-b", "8", "-c", "1", "-r", "8000", input.path,
                                "-t", "raw", "-e", "signed-integer", "-b", "16", output.path])
        #expect(Support.int16LE(try Support.readBytes(output)) == G711.decode(codes, law: law))
    }
}

@Suite struct G711FrameTests {
    @Test func aTwentyMillisecondPayloadDecodesToAFrame() throws {
        let frame = try #require(G711.decodeFrame([UInt8](repeating: 0xFF, count: 160), law: .muLaw))
        #expect(frame.samples == [Int16](repeating: 0, count: 160))
        #expect(G711.decodeFrame([UInt8](repeating: 0xD5, count: 320), law: .aLaw, sampleRate: 16_000)?.samples.count == 320)
    }

    @Test(arguments: [0, 80, 159, 161, 240])
    func aPayloadOfAnotherLengthIsRejected(length: Int) {
        #expect(G711.decodeFrame([UInt8](repeating: 0xFF, count: length), law: .muLaw) == nil)
    }
}

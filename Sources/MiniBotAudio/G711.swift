/// G.711 companding (ITU-T Rec. G.711, 1988): µ-law (PCMU, RTP payload 0)
/// and A-law (PCMA, RTP payload 8), between 16-bit linear PCM and 8-bit codes.
///
/// G.711 itself maps 14-bit (µ-law) and 13-bit (A-law) uniform PCM to codes;
/// its segment tables are applied exactly as in the reference `g711.c`. A
/// 16-bit sample is first rounded to the nearest 14- or 13-bit value (halves
/// up, clipped), as sox does, so the codes here equal sox's byte for byte.
/// Decoding gives the segment mid-points scaled to 16 bits. Bulk conversion
/// uses lookup tables built once from the scalar functions.
public enum G711 {
    /// The two companding laws.
    public enum Law: String, Sendable, CaseIterable {
        /// µ-law, used in North America and Japan; RTP PCMU.
        case muLaw = "ulaw"
        /// A-law, used in Europe (France included); RTP PCMA.
        case aLaw = "alaw"
    }

    // MARK: Scalar reference functions

    /// Encodes one 16-bit sample as a µ-law code.
    public static func muLawEncode(_ sample: Int16) -> UInt8 {
        muLawEncode14(min((Int32(sample) + 2) >> 2, 8191))
    }

    /// Encodes a 14-bit two's-complement value (−8192…8191) per the µ-law segment table.
    static func muLawEncode14(_ value: Int32) -> UInt8 {
        var pcm = value
        let mask: Int32
        if pcm < 0 { pcm = -pcm; mask = 0x7F } else { mask = 0xFF }
        if pcm > 8159 { pcm = 8159 }                // clip: 8159 + 33 = 8192, just past segment 7
        pcm += 33                                   // bias (0x84 >> 2)
        let segment = segmentIndex(pcm, ends: muLawSegmentEnds)
        if segment >= 8 { return UInt8(truncatingIfNeeded: 0x7F ^ mask) }
        let code = (Int32(segment) << 4) | ((pcm >> Int32(segment + 1)) & 0x0F)
        return UInt8(truncatingIfNeeded: code ^ mask)
    }

    /// Decodes one µ-law code to a 16-bit sample (range ±32,124).
    public static func muLawDecode(_ code: UInt8) -> Int16 {
        let u = Int32(~code)
        var t = ((u & 0x0F) << 3) + 0x84
        t <<= (u & 0x70) >> 4
        return Int16((u & 0x80) != 0 ? 0x84 - t : t - 0x84)
    }

    /// Encodes one 16-bit sample as an A-law code (even bits inverted, as sent on the wire).
    public static func aLawEncode(_ sample: Int16) -> UInt8 {
        aLawEncode13(min((Int32(sample) + 4) >> 3, 4095))
    }

    /// Encodes a 13-bit two's-complement value (−4096…4095) per the A-law segment table.
    static func aLawEncode13(_ value: Int32) -> UInt8 {
        var pcm = value
        let mask: Int32
        if pcm >= 0 { mask = 0xD5 } else { mask = 0x55; pcm = -pcm - 1 }
        let segment = segmentIndex(pcm, ends: aLawSegmentEnds)
        if segment >= 8 { return UInt8(truncatingIfNeeded: 0x7F ^ mask) }
        var code = Int32(segment) << 4
        code |= segment < 2 ? (pcm >> 1) & 0x0F : (pcm >> Int32(segment)) & 0x0F
        return UInt8(truncatingIfNeeded: code ^ mask)
    }

    /// Decodes one A-law code to a 16-bit sample (range ±32,256).
    public static func aLawDecode(_ code: UInt8) -> Int16 {
        let a = Int32(code ^ 0x55)
        var t = (a & 0x0F) << 4
        let segment = (a & 0x70) >> 4
        switch segment {
        case 0: t += 8
        case 1: t += 0x108
        default: t = (t + 0x108) << (segment - 1)
        }
        return Int16((a & 0x80) != 0 ? t : -t)
    }

    // MARK: Bulk conversion

    /// Encodes samples with `law`.
    public static func encode(_ samples: [Int16], law: Law) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: samples.count)
        samples.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in encode(src, into: dst, law: law) }
        }
        return out
    }

    /// Encodes `source` into `destination` (which must be at least as long) without allocating.
    public static func encode(_ source: UnsafeBufferPointer<Int16>, into destination: UnsafeMutableBufferPointer<UInt8>, law: Law) {
        precondition(destination.count >= source.count, "G711.encode: destination shorter than source")
        switch law {
        case .muLaw:
            muLawEncodeTable.withUnsafeBufferPointer { table in
                for i in 0..<source.count { destination[i] = table[min((Int(source[i]) + 2) >> 2, 8191) + 8192] }
            }
        case .aLaw:
            aLawEncodeTable.withUnsafeBufferPointer { table in
                for i in 0..<source.count { destination[i] = table[min((Int(source[i]) + 4) >> 3, 4095) + 4096] }
            }
        }
    }

    /// Decodes codes with `law`.
    public static func decode(_ codes: [UInt8], law: Law) -> [Int16] {
        var out = [Int16](repeating: 0, count: codes.count)
        codes.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in decode(src, into: dst, law: law) }
        }
        return out
    }

    /// Decodes `source` into `destination` (which must be at least as long) without allocating.
    public static func decode(_ source: UnsafeBufferPointer<UInt8>, into destination: UnsafeMutableBufferPointer<Int16>, law: Law) {
        precondition(destination.count >= source.count, "G711.decode: destination shorter than source")
        let table = law == .muLaw ? muLawDecodeTable : aLawDecodeTable
        table.withUnsafeBufferPointer { table in
            for i in 0..<source.count { destination[i] = table[Int(source[i])] }
        }
    }

    /// Decodes one 20 ms RTP payload into a frame; nil when the payload is
    /// not 20 ms long at `sampleRate` (160 bytes at 8 kHz), so that a
    /// malformed packet from the network can be dropped, never trap.
    public static func decodeFrame(_ payload: [UInt8], law: Law, sampleRate: Int = 8_000) -> AudioFrame? {
        guard sampleRate % 50 == 0, payload.count == sampleRate / 50 else { return nil }
        return AudioFrame(sampleRate: sampleRate, samples: decode(payload, law: law))
    }

    // MARK: Tables

    private static let muLawSegmentEnds: [Int32] = [0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF]
    private static let aLawSegmentEnds: [Int32] = [0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF]

    private static func segmentIndex(_ value: Int32, ends: [Int32]) -> Int {
        for (i, end) in ends.enumerated() where value <= end { return i }
        return ends.count
    }

    /// Indexed by the rounded 14-bit value + 8192.
    private static let muLawEncodeTable: [UInt8] = (0..<16_384).map { muLawEncode14(Int32($0 - 8192)) }
    /// Indexed by the rounded 13-bit value + 4096.
    private static let aLawEncodeTable: [UInt8] = (0..<8_192).map { aLawEncode13(Int32($0 - 4096)) }
    private static let muLawDecodeTable: [Int16] = (0..<256).map { muLawDecode(UInt8($0)) }
    private static let aLawDecodeTable: [Int16] = (0..<256).map { aLawDecode(UInt8($0)) }
}

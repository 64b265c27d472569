import Foundation

/// Reading and writing WAV (RIFF/WAVE) files.
///
/// Reads linear PCM (8-bit unsigned, 16/24/32-bit signed), IEEE float 32/64,
/// µ-law and A-law, plain or `WAVE_FORMAT_EXTENSIBLE`, at any rate, mono or
/// stereo, into a 16-bit ``PCMBuffer`` (wider samples are rounded to the
/// nearest 16-bit value and clipped). Writes 16-bit PCM.
///
/// Every malformed file gives a ``WAVError`` naming it; none crashes and none
/// gives a silent empty buffer.
public enum WAVFile {
    /// A decoded file: its audio and the encoding it was stored in.
    public struct Contents: Sendable, Equatable {
        /// The audio, 16-bit, at the file's own rate and channel count.
        public var buffer: PCMBuffer
        /// How the file stored its samples.
        public var encoding: WAVEncoding
    }

    /// Reads and decodes the WAV file at `path`.
    public static func read(path: String) throws -> Contents {
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw WAVError.unreadable(file: path, reason: (error as NSError).localizedDescription)
        }
        return try decode(bytes, file: path)
    }

    /// Decodes WAV bytes; `file` is the name errors report.
    public static func decode(_ bytes: [UInt8], file: String) throws -> Contents {
        guard bytes.count >= 12 else { throw WAVError.tooShort(file: file, size: bytes.count) }
        guard fourCC(bytes, 0) == "RIFF" else { throw WAVError.notRIFF(file: file, found: fourCCDescription(bytes, 0)) }
        guard fourCC(bytes, 8) == "WAVE" else { throw WAVError.notWAVE(file: file, found: fourCCDescription(bytes, 8)) }

        var format: Format?
        var offset = 12
        // The RIFF size field is often wrong (streamed writers); the real file length rules.
        while bytes.count - offset >= 8 {
            let id = fourCC(bytes, offset)
            let declared = Int(le32(bytes, offset + 4))
            let bodyStart = offset + 8
            let available = bytes.count - bodyStart
            if id == "data" {
                guard let format else { throw WAVError.missingFormatChunk(file: file) }
                var size = declared
                if declared > available {
                    // 0xFFFFFFFF is the streaming writers' "until end of file".
                    guard declared == 0xFFFF_FFFF else {
                        throw WAVError.chunkOverrunsFile(file: file, chunk: id, declared: declared, available: available)
                    }
                    size = available - available % format.blockAlign
                }
                guard size > 0 else { throw WAVError.emptyData(file: file) }
                guard size % format.blockAlign == 0 else {
                    throw WAVError.partialSampleFrame(file: file, dataBytes: size, blockAlign: format.blockAlign)
                }
                let samples = bytes.withUnsafeBufferPointer { raw in
                    convert(UnsafeBufferPointer(rebasing: raw[bodyStart..<(bodyStart + size)]), encoding: format.encoding)
                }
                return Contents(buffer: PCMBuffer(sampleRate: format.sampleRate, channels: format.channels, samples: samples),
                                encoding: format.encoding)
            }
            guard declared <= available else {
                throw WAVError.chunkOverrunsFile(file: file, chunk: id, declared: declared, available: available)
            }
            if id == "fmt " {
                format = try parseFormat(bytes, at: bodyStart, size: declared, file: file)
            }
            offset = bodyStart + declared + (declared & 1)     // chunks are padded to even sizes
        }
        if format == nil { throw WAVError.missingFormatChunk(file: file) }
        throw WAVError.missingDataChunk(file: file)
    }

    /// A 16-bit PCM WAV file holding `buffer`.
    public static func encodePCM16(_ buffer: PCMBuffer) -> [UInt8] {
        let dataBytes = buffer.samples.count * 2
        var out: [UInt8] = []
        out.reserveCapacity(44 + dataBytes)
        out += Array("RIFF".utf8); appendLE32(&out, UInt32(36 + dataBytes))
        out += Array("WAVE".utf8)
        out += Array("fmt ".utf8); appendLE32(&out, 16)
        appendLE16(&out, 1)                                     // PCM
        appendLE16(&out, UInt16(buffer.channels))
        appendLE32(&out, UInt32(buffer.sampleRate))
        appendLE32(&out, UInt32(buffer.sampleRate * buffer.channels * 2))
        appendLE16(&out, UInt16(buffer.channels * 2))
        appendLE16(&out, 16)
        out += Array("data".utf8); appendLE32(&out, UInt32(dataBytes))
        #if _endian(little)
        buffer.samples.withUnsafeBytes { out.append(contentsOf: $0) }
        #else
        for s in buffer.samples { appendLE16(&out, UInt16(bitPattern: s)) }
        #endif
        return out
    }

    /// Writes `buffer` as a 16-bit PCM WAV file at `path`, atomically.
    public static func writePCM16(_ buffer: PCMBuffer, to path: String) throws {
        do {
            try Data(encodePCM16(buffer)).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw WAVError.unreadable(file: path, reason: "cannot write: \((error as NSError).localizedDescription)")
        }
    }

    // MARK: - Parsing

    private struct Format {
        var encoding: WAVEncoding
        var channels: Int
        var sampleRate: Int
        var blockAlign: Int
    }

    private static func parseFormat(_ b: [UInt8], at o: Int, size: Int, file: String) throws -> Format {
        guard size >= 16 else { throw WAVError.formatChunkTooSmall(file: file, size: size) }
        var tag = Int(le16(b, o))
        let channels = Int(le16(b, o + 2))
        let sampleRate = Int(le32(b, o + 4))
        let blockAlign = Int(le16(b, o + 12))
        let bits = Int(le16(b, o + 14))
        if tag == 0xFFFE {                                   // WAVE_FORMAT_EXTENSIBLE
            guard size >= 40 else { throw WAVError.formatChunkTooSmall(file: file, size: size) }
            tag = Int(le16(b, o + 24))                       // first two bytes of the sub-format GUID
        }
        guard channels > 0 else { throw WAVError.invalidField(file: file, field: "channels", value: 0, expected: "1 or 2") }
        guard channels <= 2 else { throw WAVError.unsupportedChannelCount(file: file, channels: channels) }
        guard sampleRate > 0 && sampleRate <= 768_000 else {
            throw WAVError.invalidField(file: file, field: "sample_rate", value: sampleRate, expected: "1…768000 Hz")
        }
        let encoding: WAVEncoding
        switch (tag, bits) {
        case (1, 8), (1, 16), (1, 24), (1, 32): encoding = .pcm(bits: bits)
        case (3, 32), (3, 64): encoding = .float(bits: bits)
        case (6, 8): encoding = .aLaw
        case (7, 8): encoding = .muLaw
        case (_, 0): throw WAVError.invalidField(file: file, field: "bits_per_sample", value: 0, expected: "8, 16, 24, 32 or 64")
        default: throw WAVError.unsupportedEncoding(file: file, formatTag: tag, bitsPerSample: bits)
        }
        let expectedAlign = channels * encoding.bytesPerSample
        guard blockAlign == expectedAlign else {
            throw WAVError.invalidField(file: file, field: "block_align", value: blockAlign, expected: "\(expectedAlign) (channels × bytes per sample)")
        }
        return Format(encoding: encoding, channels: channels, sampleRate: sampleRate, blockAlign: blockAlign)
    }

    private static func convert(_ raw: UnsafeBufferPointer<UInt8>, encoding: WAVEncoding) -> [Int16] {
        let count = raw.count / encoding.bytesPerSample
        return [Int16](unsafeUninitializedCapacity: count) { out, initialized in
            switch encoding {
            case .pcm(bits: 8):
                for i in 0..<count { out[i] = (Int16(raw[i]) - 128) << 8 }
            case .pcm(bits: 16):
                for i in 0..<count { out[i] = Int16(bitPattern: UInt16(raw[2 * i]) | UInt16(raw[2 * i + 1]) << 8) }
            case .pcm(bits: 24):
                for i in 0..<count {
                    let v = Int32(bitPattern: UInt32(raw[3 * i]) << 8 | UInt32(raw[3 * i + 1]) << 16 | UInt32(raw[3 * i + 2]) << 24) >> 8
                    out[i] = roundShift(Int64(v), by: 8)
                }
            case .pcm:
                for i in 0..<count { out[i] = roundShift(Int64(Int32(bitPattern: le32(raw, 4 * i))), by: 16) }
            case .float(bits: 32):
                for i in 0..<count { out[i] = fromFloat(Double(Float(bitPattern: le32(raw, 4 * i)))) }
            case .float:
                for i in 0..<count {
                    let bits = UInt64(le32(raw, 8 * i)) | UInt64(le32(raw, 8 * i + 4)) << 32
                    out[i] = fromFloat(Double(bitPattern: bits))
                }
            case .muLaw:
                G711.decode(raw, into: UnsafeMutableBufferPointer(rebasing: out[0..<count]), law: .muLaw)
            case .aLaw:
                G711.decode(raw, into: UnsafeMutableBufferPointer(rebasing: out[0..<count]), law: .aLaw)
            }
            initialized = count
        }
    }

    /// Rounds `v >> shift` to the nearest (halves up, as sox does) and clips to Int16.
    private static func roundShift(_ v: Int64, by shift: Int64) -> Int16 {
        Int16(clamping: (v + (1 << (shift - 1))) >> shift)
    }

    private static func fromFloat(_ x: Double) -> Int16 {
        guard x.isFinite else { return 0 }
        return Int16(clamping: Int64((x * 32768).rounded()))
    }

    // MARK: - Bytes

    private static func fourCC(_ b: [UInt8], _ o: Int) -> String {
        String(decoding: b[o..<(o + 4)], as: UTF8.self)
    }

    private static func fourCCDescription(_ b: [UInt8], _ o: Int) -> String {
        let chars = b[o..<(o + 4)]
        if chars.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return "\"\(String(decoding: chars, as: UTF8.self))\"" }
        return "bytes " + chars.map { String(format: "%02X", $0) }.joined(separator: " ")
    }

    private static func le16(_ b: [UInt8], _ o: Int) -> UInt16 { UInt16(b[o]) | UInt16(b[o + 1]) << 8 }
    private static func le32(_ b: [UInt8], _ o: Int) -> UInt32 {
        UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
    }
    private static func le32(_ b: UnsafeBufferPointer<UInt8>, _ o: Int) -> UInt32 {
        UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
    }
    private static func appendLE16(_ out: inout [UInt8], _ v: UInt16) { out.append(UInt8(v & 0xFF)); out.append(UInt8(v >> 8)) }
    private static func appendLE32(_ out: inout [UInt8], _ v: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((v >> UInt32(shift)) & 0xFF)) }
    }
}

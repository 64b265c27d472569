/// GPT-2's byte-level BPE spells each byte as a printable character
/// (`Ġ` for a space, `Ċ` for a newline…). CTranslate2's `vocabulary.txt` and
/// Hugging Face tokenizers use that spelling; ggml Whisper files hold the raw
/// bytes. This is the inverse of GPT-2's `bytes_to_unicode`.
enum GPT2ByteDecoder {
    /// Character → byte.
    static let table: [Unicode.Scalar: UInt8] = {
        var printable = Array(33...126) + Array(161...172) + Array(174...255)
        var scalars = printable
        var next = 0
        for byte in 0...255 where !printable.contains(byte) {
            printable.append(byte)
            scalars.append(256 + next)
            next += 1
        }
        var table: [Unicode.Scalar: UInt8] = [:]
        for (byte, scalar) in zip(printable, scalars) {
            table[Unicode.Scalar(UInt32(scalar))!] = UInt8(byte)
        }
        return table
    }()

    /// The bytes `token` stands for, or nil when it holds a character outside
    /// the 256 of the mapping.
    static func bytes(of token: Substring) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(token.unicodeScalars.count)
        for scalar in token.unicodeScalars {
            guard let byte = table[scalar] else { return nil }
            out.append(byte)
        }
        return out
    }
}

import Foundation

/// Converts a faster-whisper (CTranslate2) Whisper model directory —
/// `model.bin`, `vocabulary.txt` (and `config.json`) — into a whisper.cpp ggml
/// file: the same weights (float16, as the official ggml files), renamed to
/// OpenAI's tensor names, the fused attention projections split apart, the
/// vocabulary turned back into bytes, and the mel filter bank added.
public enum CT2WhisperConverter {
    /// What a conversion produced.
    public struct Summary: Sendable, Equatable {
        public var output: String
        public var bytes: Int
        public var vocabularySize: Int
        public var encoderLayers: Int
        public var decoderLayers: Int
        public var melBands: Int
        public var tensors: Int
    }

    /// Converts the model in `directory` into the ggml file `output`
    /// (written beside it under a temporary name, then renamed).
    public static func convert(ct2Directory directory: String, output: String) throws -> Summary {
        let folder = URL(fileURLWithPath: directory)
        let modelFile = folder.appendingPathComponent("model.bin").path
        let vocabularyFile = folder.appendingPathComponent("vocabulary.txt").path
        guard FileManager.default.fileExists(atPath: modelFile) else {
            let parts = (try? FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("model.bin.part") }) ?? []
            let hint = parts.isEmpty ? "" : " (found \(parts.sorted().joined(separator: ", ")): join them first, e.g. `cat model.bin.part1 model.bin.part2 > model.bin`)"
            throw SpeechError.invalidCT2Model(file: modelFile, reason: "no such file\(hint)")
        }
        let model = try CT2Model(contentsOf: modelFile)
        guard model.specName == "WhisperSpec" else {
            throw SpeechError.invalidCT2Model(file: modelFile, reason: "holds a \(model.specName), not a WhisperSpec")
        }
        let tokens = try readVocabulary(vocabularyFile)

        let p = Params(model: model, file: modelFile)
        let embeddings = try model.variable("decoder/embeddings/weight", file: modelFile)
        let encoderPositions = try model.variable("encoder/position_encodings/encodings", file: modelFile)
        let decoderPositions = try model.variable("decoder/position_encodings/encodings", file: modelFile)
        let conv1 = try model.variable("encoder/conv1/weight", file: modelFile)
        let hp = GGMLWhisperWriter.HyperParameters(
            vocabularySize: embeddings.shape[0],
            audioContext: encoderPositions.shape[0], audioState: encoderPositions.shape[1],
            audioHeads: try model.integer("encoder/num_heads", file: modelFile),
            audioLayers: layerCount(model, "encoder"),
            textContext: decoderPositions.shape[0], textState: decoderPositions.shape[1],
            textHeads: try model.integer("decoder/num_heads", file: modelFile),
            textLayers: layerCount(model, "decoder"),
            melBands: conv1.shape[1])
        guard tokens.count < hp.vocabularySize else {
            throw SpeechError.invalidCT2Model(file: vocabularyFile, reason: "\(tokens.count) ordinary tokens for an embedding of \(hp.vocabularySize) rows")
        }

        var tensors = 0
        let size = try GGMLWhisperWriter.writeAtomically(to: output) { writer in
            try writer.writeHeader(hp, melFilters: MelFilterBank.whisper(melBands: hp.melBands), fftBins: 201, tokens: tokens)
            func put(_ name: String, _ source: String, rows: Range<Int>? = nil, float32: Bool = false, shape: [Int]? = nil) throws {
                let (payload, sourceShape) = try p.elements(source, rows: rows, float32: float32)
                try writer.writeTensor(name: name, shape: shape ?? sourceShape, type: float32 ? .float32 : .float16, payload: payload)
                tensors += 1
            }
            func linear(_ name: String, _ source: String, rows: Range<Int>? = nil, bias: Bool = true) throws {
                try put(name + ".weight", source + "/weight", rows: rows)
                if bias { try put(name + ".bias", source + "/bias", rows: rows, float32: true) }
            }
            func norm(_ name: String, _ source: String) throws {
                try put(name + ".weight", source + "/gamma", float32: true)
                try put(name + ".bias", source + "/beta", float32: true)
            }
            let d = hp.audioState
            try put("encoder.positional_embedding", "encoder/position_encodings/encodings", float32: true)
            for conv in ["conv1", "conv2"] {
                try put("encoder.\(conv).weight", "encoder/\(conv)/weight")
                try put("encoder.\(conv).bias", "encoder/\(conv)/bias", float32: true, shape: [d, 1])
            }
            for i in 0..<hp.audioLayers {
                let to = "encoder.blocks.\(i)", from = "encoder/layer_\(i)"
                try norm("\(to).attn_ln", "\(from)/self_attention/layer_norm")
                try linear("\(to).attn.query", "\(from)/self_attention/linear_0", rows: 0..<d)
                try linear("\(to).attn.key", "\(from)/self_attention/linear_0", rows: d..<(2 * d), bias: false)
                try linear("\(to).attn.value", "\(from)/self_attention/linear_0", rows: (2 * d)..<(3 * d))
                try linear("\(to).attn.out", "\(from)/self_attention/linear_1")
                try norm("\(to).mlp_ln", "\(from)/ffn/layer_norm")
                try linear("\(to).mlp.0", "\(from)/ffn/linear_0")
                try linear("\(to).mlp.2", "\(from)/ffn/linear_1")
            }
            try norm("encoder.ln_post", "encoder/layer_norm")

            let t = hp.textState
            try put("decoder.positional_embedding", "decoder/position_encodings/encodings", float32: true)
            try put("decoder.token_embedding.weight", "decoder/embeddings/weight")
            for i in 0..<hp.textLayers {
                let to = "decoder.blocks.\(i)", from = "decoder/layer_\(i)"
                try norm("\(to).attn_ln", "\(from)/self_attention/layer_norm")
                try linear("\(to).attn.query", "\(from)/self_attention/linear_0", rows: 0..<t)
                try linear("\(to).attn.key", "\(from)/self_attention/linear_0", rows: t..<(2 * t), bias: false)
                try linear("\(to).attn.value", "\(from)/self_attention/linear_0", rows: (2 * t)..<(3 * t))
                try linear("\(to).attn.out", "\(from)/self_attention/linear_1")
                try norm("\(to).cross_attn_ln", "\(from)/attention/layer_norm")
                try linear("\(to).cross_attn.query", "\(from)/attention/linear_0")
                try linear("\(to).cross_attn.key", "\(from)/attention/linear_1", rows: 0..<t, bias: false)
                try linear("\(to).cross_attn.value", "\(from)/attention/linear_1", rows: t..<(2 * t))
                try linear("\(to).cross_attn.out", "\(from)/attention/linear_2")
                try norm("\(to).mlp_ln", "\(from)/ffn/layer_norm")
                try linear("\(to).mlp.0", "\(from)/ffn/linear_0")
                try linear("\(to).mlp.2", "\(from)/ffn/linear_1")
            }
            try norm("decoder.ln", "decoder/layer_norm")
        }
        return Summary(output: output, bytes: size, vocabularySize: hp.vocabularySize, encoderLayers: hp.audioLayers,
                       decoderLayers: hp.textLayers, melBands: hp.melBands, tensors: tensors)
    }

    /// The ordinary (byte-level BPE) tokens: every line before `<|endoftext|>`,
    /// as bytes. whisper.cpp names the special tokens itself.
    static func readVocabulary(_ file: String) throws -> [[UInt8]] {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw SpeechError.invalidCT2Model(file: file, reason: "missing or not UTF-8")
        }
        var tokens: [[UInt8]] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line == "<|endoftext|>" { return tokens }
            // Whisper's multilingual vocabulary has one empty token (50256), as in multilingual.tiktoken.
            guard let bytes = GPT2ByteDecoder.bytes(of: line) else {
                throw SpeechError.invalidCT2Model(file: file, reason: "line \(index + 1) (\"\(line.prefix(40))\") is not a byte-level BPE token")
            }
            tokens.append(bytes)
        }
        throw SpeechError.invalidCT2Model(file: file, reason: "no <|endoftext|> line: not a Whisper vocabulary")
    }

    private static func layerCount(_ model: CT2Model, _ side: String) -> Int {
        var count = 0
        while model.variables["\(side)/layer_\(count)/ffn/linear_0/weight"] != nil { count += 1 }
        return count
    }

    /// Reads variables as float16 or float32 bytes.
    private struct Params {
        let model: CT2Model
        let file: String

        func elements(_ name: String, rows: Range<Int>?, float32: Bool) throws -> (Data, [Int]) {
            let v = try model.variable(name, file: file)
            var shape = v.shape
            var range = v.range
            if let rows {
                guard let first = shape.first, rows.upperBound <= first else {
                    throw SpeechError.invalidCT2Model(file: file, reason: "variable \(name) of shape \(shape) has no rows \(rows)")
                }
                let rowBytes = shape.dropFirst().reduce(1, *) * v.type.size
                range = (v.range.lowerBound + rows.lowerBound * rowBytes)..<(v.range.lowerBound + rows.upperBound * rowBytes)
                shape[0] = rows.count
            }
            let source = model.bytes[range]
            switch (v.type, float32) {
            case (.float16, false), (.float32, true):
                return (Data(source), shape)
            case (.float16, true), (.bfloat16, true):
                let isHalf = v.type == .float16
                var out = Data(capacity: source.count * 2)
                forEachUInt16(source) { h in
                    let value = isHalf ? HalfFloat.float(fromHalf: h) : HalfFloat.float(fromBFloat16: h)
                    withUnsafeBytes(of: value.bitPattern.littleEndian) { out.append(contentsOf: $0) }
                }
                return (out, shape)
            case (.float32, false), (.bfloat16, false):
                var out = Data(capacity: source.count / (v.type == .float32 ? 2 : 1))
                if v.type == .float32 {
                    forEachFloat(source) { f in withUnsafeBytes(of: HalfFloat.half(from: f).littleEndian) { out.append(contentsOf: $0) } }
                } else {
                    forEachUInt16(source) { b in withUnsafeBytes(of: HalfFloat.half(from: HalfFloat.float(fromBFloat16: b)).littleEndian) { out.append(contentsOf: $0) } }
                }
                return (out, shape)
            default:
                throw SpeechError.invalidCT2Model(file: file, reason: "variable \(name) is \(v.type): quantised (int8/int16) models cannot be converted; convert a float16 or float32 faster-whisper model")
            }
        }

        private func forEachUInt16(_ data: Data, _ body: (UInt16) -> Void) {
            data.withUnsafeBytes { raw in
                for i in stride(from: 0, to: raw.count - 1, by: 2) {
                    body(UInt16(raw[i]) | UInt16(raw[i + 1]) << 8)
                }
            }
        }

        private func forEachFloat(_ data: Data, _ body: (Float) -> Void) {
            data.withUnsafeBytes { raw in
                for i in stride(from: 0, to: raw.count - 3, by: 4) {
                    body(Float(bitPattern: UInt32(raw[i]) | UInt32(raw[i + 1]) << 8 | UInt32(raw[i + 2]) << 16 | UInt32(raw[i + 3]) << 24))
                }
            }
        }
    }
}

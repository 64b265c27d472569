import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a quantised copy of a float16/float32 whisper.cpp model file, as
/// whisper.cpp's `examples/quantize` does: every 2-D weight matrix goes
/// through ggml's own `ggml_quantize_chunk`; the biases, norms, convolution
/// biases and positional embeddings stay as they are; the hyper-parameters'
/// `ftype` says the new type (with ggml's quantisation version). A base model
/// shrinks from 148 MB to 82 MB (q8_0) and its CPU inference gets faster.
public enum GGMLWhisperQuantizer {
    /// The quantisation types offered (the ones whisper.cpp recommends for Whisper).
    public enum QuantizationType: String, Sendable, CaseIterable {
        case q8_0, q5_1, q5_0

        /// ggml's `ggml_type` number.
        var ggmlType: Int32 {
            switch self {
            case .q5_0: 6
            case .q5_1: 7
            case .q8_0: 8
            }
        }

        /// ggml's `ggml_ftype` number (the file's `ftype`, before the version).
        var fileType: Int32 {
            switch self {
            case .q8_0: 7
            case .q5_0: 8
            case .q5_1: 9
            }
        }
    }

    /// What a quantisation produced.
    public struct Summary: Sendable, Equatable {
        public var output: String
        public var bytes: Int
        public var tensors: Int
        public var quantizedTensors: Int
    }

    /// ggml's quantisation format version, stored in `ftype` (× 1000).
    static let quantizationVersion: Int32 = 2

    /// Tensors `examples/quantize` keeps unquantised, whatever their shape.
    static let keptAsIs: Set<String> = [
        "encoder.conv1.bias", "encoder.conv2.bias", "encoder.positional_embedding", "decoder.positional_embedding",
    ]

    /// Quantises the model file `input` into `output` (written beside it under
    /// a temporary name, then renamed).
    public static func quantize(input: String, output: String, type: QuantizationType) throws -> Summary {
        let quantize = try quantizeChunk()
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: input), options: .alwaysMapped)
        } catch {
            throw SpeechError.invalidGGMLModel(file: input, reason: "cannot read it (\((error as NSError).localizedDescription))")
        }
        var reader = Reader(data: data, file: input)
        guard try reader.uint32() == GGMLWhisperWriter.magic else {
            throw SpeechError.invalidGGMLModel(file: input, reason: "not a ggml Whisper model (bad magic)")
        }
        let fields = try (0..<10).map { _ in Int(try reader.int32()) }
        let sourceType = try reader.int32()
        guard sourceType == 0 || sourceType == 1 else {
            throw SpeechError.invalidGGMLModel(file: input, reason: "already quantised (ftype \(sourceType)); quantise a float16 or float32 model")
        }
        let hp = GGMLWhisperWriter.HyperParameters(
            vocabularySize: fields[0], audioContext: fields[1], audioState: fields[2], audioHeads: fields[3], audioLayers: fields[4],
            textContext: fields[5], textState: fields[6], textHeads: fields[7], textLayers: fields[8], melBands: fields[9])
        let melBands = Int(try reader.int32()), fftBins = Int(try reader.int32())
        let filters = try (0..<(melBands * fftBins)).map { _ in Float(bitPattern: try reader.uint32()) }
        let tokens = try (0..<Int(try reader.int32())).map { _ in try reader.bytes(Int(try reader.uint32())) }

        var tensors = 0, quantized = 0
        let size = try GGMLWhisperWriter.writeAtomically(to: output) { writer in
            try writer.writeHeader(hp, melFilters: filters, fftBins: fftBins, tokens: tokens,
                                   fileType: quantizationVersion * 1000 + type.fileType)
            while !reader.atEnd {
                let dimensions = Int(try reader.int32()), nameLength = Int(try reader.int32()), elementType = try reader.int32()
                guard (1...4).contains(dimensions), elementType == 0 || elementType == 1 else {
                    throw SpeechError.invalidGGMLModel(file: input, reason: "tensor \(tensors + 1): \(dimensions) dimensions of type \(elementType)")
                }
                let extents = try (0..<dimensions).map { _ in Int(try reader.int32()) }   // innermost first
                let name = String(decoding: try reader.bytes(nameLength), as: UTF8.self)
                let count = extents.reduce(1, *)
                let payload = try reader.data(count * (elementType == 0 ? 4 : 2))
                let shape = Array(extents.reversed())
                tensors += 1
                guard dimensions == 2, !keptAsIs.contains(name) else {
                    try writer.writeTensor(name: name, shape: shape, type: elementType == 0 ? .float32 : .float16, payload: payload)
                    continue
                }
                guard extents[0] % 32 == 0 else {
                    throw SpeechError.invalidGGMLModel(file: input, reason: "tensor \(name): rows of \(extents[0]) elements, not a multiple of 32")
                }
                let floats = Self.floats(payload, half: elementType == 1)
                var out = Data(count: count * 4)
                let size = floats.withUnsafeBufferPointer { source in
                    out.withUnsafeMutableBytes { target in
                        quantize(type.ggmlType, source.baseAddress, target.baseAddress, 0, Int64(count / extents[0]), Int64(extents[0]), nil)
                    }
                }
                try writer.writeTensor(name: name, shape: shape, type: type.tensorType, payload: out.prefix(size))
                quantized += 1
            }
        }
        return Summary(output: output, bytes: size, tensors: tensors, quantizedTensors: quantized)
    }

    /// `ggml_quantize_chunk(type, src, dst, start, nrows, n_per_row, imatrix)`.
    typealias QuantizeChunk = @convention(c) (Int32, UnsafePointer<Float>?, UnsafeMutableRawPointer?, Int64, Int64, Int64, UnsafePointer<Float>?) -> Int

    /// ggml's quantiser, from the ggml-base library libwhisper already loaded.
    /// Looked up rather than linked: the library is a private copy of
    /// libwhisper's (named with a hash by the wheel), and linking the other
    /// copy in lib/ would load ggml twice.
    static func quantizeChunk() throws -> QuantizeChunk {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "ggml_quantize_chunk") else {
            throw SpeechError.invalidGGMLModel(file: "libggml-base", reason: "ggml_quantize_chunk not found in the loaded whisper.cpp libraries")
        }
        return unsafeBitCast(symbol, to: QuantizeChunk.self)
    }

    private static func floats(_ payload: Data, half: Bool) -> [Float] {
        payload.withUnsafeBytes { raw in
            if half {
                return (0..<(raw.count / 2)).map { HalfFloat.float(fromHalf: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self))) }
            }
            return (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    /// Reads little-endian fields from the model file, failing on truncation.
    private struct Reader {
        let data: Data
        let file: String
        var offset = 0

        var atEnd: Bool { offset >= data.count }

        mutating func data(_ count: Int) throws -> Data {
            guard count >= 0, offset + count <= data.count else {
                throw SpeechError.invalidGGMLModel(file: file, reason: "truncated at byte \(offset)")
            }
            defer { offset += count }
            let start = data.startIndex + offset
            return data[start..<(start + count)]
        }

        mutating func bytes(_ count: Int) throws -> [UInt8] { [UInt8](try data(count)) }

        mutating func uint32() throws -> UInt32 {
            let chunk = try data(4)
            return chunk.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
        }

        mutating func int32() throws -> Int32 { Int32(bitPattern: try uint32()) }
    }
}

extension GGMLWhisperQuantizer.QuantizationType {
    var tensorType: GGMLWhisperWriter.TensorType {
        switch self {
        case .q5_0: .q5_0
        case .q5_1: .q5_1
        case .q8_0: .q8_0
        }
    }
}

import Foundation

/// Writes a whisper.cpp model file (the "ggml" format of
/// `convert-pt-to-ggml.py`): magic, eleven hyper-parameters, the mel filter
/// bank, the vocabulary's bytes, then each tensor with its header.
struct GGMLWhisperWriter {
    /// Hyper-parameters, in file order.
    struct HyperParameters: Equatable {
        var vocabularySize: Int
        var audioContext: Int
        var audioState: Int
        var audioHeads: Int
        var audioLayers: Int
        var textContext: Int
        var textState: Int
        var textHeads: Int
        var textLayers: Int
        var melBands: Int
    }

    /// Element type of a tensor in the file (ggml's type numbers).
    enum TensorType: Int32 { case float32 = 0, float16 = 1, q5_0 = 6, q5_1 = 7, q8_0 = 8 }

    static let magic: UInt32 = 0x6767_6d6c       // "ggml"

    private let handle: FileHandle
    private let file: String
    private var buffer = Data()

    /// Writes `output` through `body` under a temporary name beside it, renamed into place only when `body`
    /// and the close succeed, so a failure never leaves a half-written model; returns the file's size in bytes.
    static func writeAtomically(to output: String, _ body: (inout GGMLWhisperWriter) throws -> Void) throws -> Int {
        let temporary = output + ".partial"
        var writer = try GGMLWhisperWriter(file: temporary)
        do {
            try body(&writer)
            try writer.close()
        } catch {
            try? writer.close()
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        do {
            if FileManager.default.fileExists(atPath: output) { try FileManager.default.removeItem(atPath: output) }
            try FileManager.default.moveItem(atPath: temporary, toPath: output)
        } catch {
            throw SpeechError.cannotWrite(file: output, reason: (error as NSError).localizedDescription)
        }
        return (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
    }

    /// Creates (or truncates) `file`.
    init(file: String) throws {
        guard FileManager.default.createFile(atPath: file, contents: nil),
              let handle = FileHandle(forWritingAtPath: file) else {
            throw SpeechError.cannotWrite(file: file, reason: "cannot create the file (does its folder exist and is it writable?)")
        }
        self.handle = handle
        self.file = file
    }

    /// The header; `fileType` is the hyper-parameters' `ftype` (1: mostly
    /// float16; a quantised file adds ggml's quantisation version × 1000).
    mutating func writeHeader(_ h: HyperParameters, melFilters: [Float], fftBins: Int, tokens: [[UInt8]], fileType: Int32 = 1) throws {
        append(Self.magic)
        for value in [h.vocabularySize, h.audioContext, h.audioState, h.audioHeads, h.audioLayers,
                      h.textContext, h.textState, h.textHeads, h.textLayers, h.melBands] {
            append(Int32(value))
        }
        append(fileType)
        append(Int32(h.melBands))
        append(Int32(fftBins))
        for value in melFilters { append(value.bitPattern) }
        append(Int32(tokens.count))
        for token in tokens {
            append(Int32(token.count))
            buffer.append(contentsOf: token)
        }
        try flush()
    }

    /// One tensor. `shape` is in PyTorch order (outermost first); the file
    /// stores it innermost first. `payload` holds the elements in `type`.
    mutating func writeTensor(name: String, shape: [Int], type: TensorType, payload: Data) throws {
        let nameBytes = Array(name.utf8)
        append(Int32(shape.count))
        append(Int32(nameBytes.count))
        append(type.rawValue)
        for dim in shape.reversed() { append(Int32(dim)) }
        buffer.append(contentsOf: nameBytes)
        buffer.append(payload)
        try flush()
    }

    func close() throws {
        do { try handle.close() } catch {
            throw SpeechError.cannotWrite(file: file, reason: (error as NSError).localizedDescription)
        }
    }

    private mutating func append(_ value: Int32) { append(UInt32(bitPattern: value)) }

    private mutating func append(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }

    private mutating func flush() throws {
        do { try handle.write(contentsOf: buffer) } catch {
            throw SpeechError.cannotWrite(file: file, reason: (error as NSError).localizedDescription)
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

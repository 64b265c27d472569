import Foundation

/// A CTranslate2 `model.bin` (binary format version 6, as written by
/// CTranslate2 ≥ 3): named tensors, scalar attributes, and aliases.
///
/// Layout, little-endian: `u32 version`, `string spec name`, `u32 revision`,
/// `u32 count`, then per variable `string name`, `u8 rank`, `u32 dims[rank]`,
/// `u8 dtype`, `u32 byte count`, bytes; then `u32 alias count` and pairs of
/// strings. A string is `u16 length` (with the NUL) and the bytes.
struct CT2Model {
    /// CTranslate2's element types (the `dtype` byte).
    enum DataType: UInt8 {
        case float32 = 0, int8 = 1, int16 = 2, int32 = 3, float16 = 4, bfloat16 = 5

        var size: Int {
            switch self {
            case .int8: return 1
            case .int16, .float16, .bfloat16: return 2
            case .float32, .int32: return 4
            }
        }
    }

    struct Variable {
        let shape: [Int]
        let type: DataType
        /// Where the elements lie in ``CT2Model/bytes``.
        let range: Range<Int>
        var count: Int { shape.reduce(1, *) }
    }

    let specName: String
    let bytes: Data
    private(set) var variables: [String: Variable] = [:]

    /// Reads `file` (memory-mapped).
    init(contentsOf file: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file), options: .alwaysMapped)
        } catch {
            throw SpeechError.invalidCT2Model(file: file, reason: "unreadable: \((error as NSError).localizedDescription)")
        }
        try self.init(data: data, file: file)
    }

    init(data: Data, file: String) throws {
        bytes = data
        var reader = Reader(data: data, file: file)
        let version = try reader.u32()
        guard version == 6 else {
            throw SpeechError.invalidCT2Model(file: file, reason: "binary format version \(version); only version 6 (CTranslate2 3.x–4.x) is read")
        }
        specName = try reader.string()
        _ = try reader.u32()                                    // spec revision
        let count = try reader.u32()
        for _ in 0..<count {
            let name = try reader.string()
            let rank = Int(try reader.u8())
            var shape: [Int] = []
            for _ in 0..<rank { shape.append(Int(try reader.u32())) }
            let code = try reader.u8()
            guard let type = DataType(rawValue: code) else {
                throw SpeechError.invalidCT2Model(file: file, reason: "variable \(name) has unknown data type \(code)")
            }
            let size = Int(try reader.u32())
            guard size == shape.reduce(1, *) * type.size else {
                throw SpeechError.invalidCT2Model(file: file, reason: "variable \(name): \(size) bytes for shape \(shape) of \(type)")
            }
            variables[name] = Variable(shape: shape, type: type, range: try reader.skip(size))
        }
        let aliases = try reader.u32()
        for _ in 0..<aliases {
            let alias = try reader.string()
            let target = try reader.string()
            if let variable = variables[target] { variables[alias] = variable }
        }
    }

    /// The variable `name`, or an error naming it.
    func variable(_ name: String, file: String) throws -> Variable {
        guard let variable = variables[name] else {
            throw SpeechError.invalidCT2Model(file: file, reason: "no variable \(name) (not a Whisper model?)")
        }
        return variable
    }

    /// An integer scalar attribute such as `encoder/num_heads`.
    func integer(_ name: String, file: String) throws -> Int {
        let v = try variable(name, file: file)
        let start = v.range.lowerBound
        switch v.type {
        case .int8: return Int(Int8(bitPattern: bytes[start]))
        case .int16: return Int(Int16(bitPattern: UInt16(bytes[start]) | UInt16(bytes[start + 1]) << 8))
        case .int32: return Int(Int32(bitPattern: UInt32(bytes[start]) | UInt32(bytes[start + 1]) << 8 | UInt32(bytes[start + 2]) << 16 | UInt32(bytes[start + 3]) << 24))
        default: throw SpeechError.invalidCT2Model(file: file, reason: "variable \(name) is not an integer")
        }
    }

    private struct Reader {
        let data: Data
        let file: String
        var offset: Int

        init(data: Data, file: String) {
            self.data = data
            self.file = file
            self.offset = data.startIndex
        }

        mutating func skip(_ count: Int) throws -> Range<Int> {
            guard count >= 0, data.endIndex - offset >= count else {
                throw SpeechError.invalidCT2Model(file: file, reason: "truncated at byte \(offset - data.startIndex) (wanted \(count) more bytes); was model.bin assembled from all its parts?")
            }
            defer { offset += count }
            return offset..<(offset + count)
        }

        mutating func u8() throws -> UInt8 { data[try skip(1).lowerBound] }

        mutating func u16() throws -> UInt16 {
            let r = try skip(2)
            return UInt16(data[r.lowerBound]) | UInt16(data[r.lowerBound + 1]) << 8
        }

        mutating func u32() throws -> UInt32 {
            let r = try skip(4)
            return (0..<4).reduce(UInt32(0)) { $0 | UInt32(data[r.lowerBound + $1]) << (8 * UInt32($1)) }
        }

        mutating func string() throws -> String {
            let length = Int(try u16())
            let r = try skip(length)
            return String(decoding: data[r].prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

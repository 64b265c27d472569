/// The sample encoding a WAV file was stored in, as read from its `fmt ` chunk.
public enum WAVEncoding: Sendable, Equatable, CustomStringConvertible {
    /// Linear PCM: 8-bit unsigned, or 16/24/32-bit signed little-endian.
    case pcm(bits: Int)
    /// IEEE float, 32 or 64 bits.
    case float(bits: Int)
    /// G.711 µ-law, 8 bits.
    case muLaw
    /// G.711 A-law, 8 bits.
    case aLaw

    /// Bytes per sample of one channel.
    var bytesPerSample: Int {
        switch self {
        case let .pcm(bits), let .float(bits): return bits / 8
        case .muLaw, .aLaw: return 1
        }
    }

    public var description: String {
        switch self {
        case let .pcm(bits): return "PCM \(bits)-bit"
        case let .float(bits): return "float \(bits)-bit"
        case .muLaw: return "µ-law"
        case .aLaw: return "A-law"
        }
    }
}

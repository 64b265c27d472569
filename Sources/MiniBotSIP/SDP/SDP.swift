/// The audio codecs we offer.
public enum AudioCodec: Int, Sendable, CaseIterable, CustomStringConvertible {
    case pcmu = 0
    case pcma = 8

    public var payloadType: UInt8 { UInt8(rawValue) }
    public var description: String { self == .pcmu ? "PCMU" : "PCMA" }
}

/// A session description (RFC 4566), as much as a phone call needs.
public struct SessionDescription: Sendable, Equatable {
    public struct Media: Sendable, Equatable {
        public var kind: String
        public var port: Int
        public var transport: String
        public var formats: [Int]
        /// `a=` lines of this media section, `name` or `name:value`.
        public var attributes: [String]
        /// The media-level `c=` address, when given.
        public var connectionAddress: String?

        /// The payload type whose rtpmap names `encoding` (`telephone-event`).
        public func payloadType(named encoding: String) -> Int? {
            for attribute in attributes where attribute.lowercased().hasPrefix("rtpmap:") {
                let value = attribute.dropFirst("rtpmap:".count)
                let parts = value.split(separator: " ", maxSplits: 1)
                guard parts.count == 2, let type = Int(parts[0]) else { continue }
                if parts[1].lowercased().hasPrefix(encoding.lowercased() + "/") { return type }
            }
            return nil
        }

        public var direction: String {
            attributes.first { ["sendrecv", "sendonly", "recvonly", "inactive"].contains($0.lowercased()) }?.lowercased() ?? "sendrecv"
        }

        public var ptime: Int? {
            attributes.first { $0.lowercased().hasPrefix("ptime:") }.flatMap { Int($0.dropFirst(6).trimmingSpaces) }
        }
    }

    public var sessionID: UInt64
    public var version: UInt64
    public var originAddress: String
    public var connectionAddress: String?
    public var media: [Media]

    public init(sessionID: UInt64, version: UInt64, originAddress: String, connectionAddress: String?, media: [Media]) {
        self.sessionID = sessionID
        self.version = version
        self.originAddress = originAddress
        self.connectionAddress = connectionAddress
        self.media = media
    }

    public init(parsing bytes: [UInt8]) throws(SIPParseError) {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .notUTF8 }
        var sessionID: UInt64 = 0, version: UInt64 = 0, origin = "", connection: String?
        var media: [Media] = []
        for raw in text.split(whereSeparator: \.isNewline) {
            guard raw.count >= 2, raw[raw.index(after: raw.startIndex)] == "=" else { continue }
            let type = raw.first!
            let value = String(raw.dropFirst(2))
            switch type {
            case "o":
                let parts = value.split(separator: " ")
                guard parts.count >= 6 else { throw .badHeader("SDP o=\(value)") }
                sessionID = UInt64(parts[1]) ?? 0
                version = UInt64(parts[2]) ?? 0
                origin = String(parts[5])
            case "c":
                let parts = value.split(separator: " ")
                guard parts.count >= 3 else { throw .badHeader("SDP c=\(value)") }
                let address = String(parts[2].split(separator: "/").first ?? parts[2])
                if media.isEmpty { connection = address } else { media[media.count - 1].connectionAddress = address }
            case "m":
                let parts = value.split(separator: " ")
                guard parts.count >= 4, let port = Int(parts[1].split(separator: "/")[0]), (0...65535).contains(port) else {
                    throw .badHeader("SDP m=\(value)")
                }
                media.append(Media(kind: String(parts[0]), port: port, transport: String(parts[2]),
                                   formats: parts[3...].compactMap { Int($0) }, attributes: [], connectionAddress: nil))
            case "a" where !media.isEmpty:
                media[media.count - 1].attributes.append(value)
            default:
                continue
            }
        }
        guard !media.isEmpty else { throw .badHeader("SDP without a media line") }
        self.init(sessionID: sessionID, version: version, originAddress: origin, connectionAddress: connection, media: media)
    }

    public var bytes: [UInt8] {
        var out = "v=0\r\no=minibot \(sessionID) \(version) IN IP4 \(originAddress)\r\ns=MiniBotPanel\r\n"
        if let connectionAddress { out += "c=IN IP4 \(connectionAddress)\r\n" }
        out += "t=0 0\r\n"
        for m in media {
            out += "m=\(m.kind) \(m.port) \(m.transport) \(m.formats.map(String.init).joined(separator: " "))\r\n"
            if let address = m.connectionAddress { out += "c=IN IP4 \(address)\r\n" }
            for attribute in m.attributes { out += "a=\(attribute)\r\n" }
        }
        return Array(out.utf8)
    }

    /// Our offer: one audio stream on `port`, PCMU and PCMA (in `codecs`
    /// order), telephone-event for DTMF, 20 ms packets.
    public static func offer(address: String, port: Int, codecs: [AudioCodec] = [.pcmu, .pcma],
                             telephoneEvent: Int = 101, sessionID: UInt64, version: UInt64 = 1) -> SessionDescription {
        var attributes = codecs.map { "rtpmap:\($0.rawValue) \($0)/8000" }
        attributes += ["rtpmap:\(telephoneEvent) telephone-event/8000", "fmtp:\(telephoneEvent) 0-16", "ptime:20", "sendrecv"]
        return SessionDescription(
            sessionID: sessionID, version: version, originAddress: address, connectionAddress: address,
            media: [Media(kind: "audio", port: port, transport: "RTP/AVP", formats: codecs.map(\.rawValue) + [telephoneEvent],
                          attributes: attributes, connectionAddress: nil)])
    }
}

/// What was agreed for the call's audio, read from the far end's SDP.
public struct NegotiatedMedia: Sendable, Equatable {
    public var remoteAddress: String
    public var remotePort: Int
    public var codec: AudioCodec
    /// The payload type of RFC 4733 DTMF events, when the far end supports them.
    public var telephoneEvent: Int?
    public var direction: String

    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case noAudio
        case noCommonCodec([Int])
        case noAddress

        public var description: String {
            switch self {
            case .noAudio: "the far end's SDP has no usable audio stream"
            case .noCommonCodec(let formats): "the far end offers none of PCMU or PCMA (payload types \(formats))"
            case .noAddress: "the far end's SDP gives no connection address"
            }
        }
    }

    public init(remoteAddress: String, remotePort: Int, codec: AudioCodec, telephoneEvent: Int?, direction: String = "sendrecv") {
        self.remoteAddress = remoteAddress
        self.remotePort = remotePort
        self.codec = codec
        self.telephoneEvent = telephoneEvent
        self.direction = direction
    }

    /// Picks the first of the far end's formats that we offered.
    public init(answer: SessionDescription, offered: [AudioCodec] = [.pcmu, .pcma]) throws(Failure) {
        guard let audio = answer.media.first(where: { $0.kind == "audio" && $0.port != 0 && $0.transport.uppercased().hasPrefix("RTP/AVP") })
        else { throw .noAudio }
        guard let codec = audio.formats.lazy.compactMap({ AudioCodec(rawValue: $0) }).first(where: offered.contains)
        else { throw .noCommonCodec(audio.formats) }
        guard let address = audio.connectionAddress ?? answer.connectionAddress else { throw .noAddress }
        remoteAddress = address
        remotePort = audio.port
        self.codec = codec
        telephoneEvent = audio.payloadType(named: "telephone-event")
        direction = audio.direction
    }
}

import Foundation

/// A channel as ARI describes it (the parts MiniBotPanel reads).
public struct ARIChannel: Decodable, Sendable, Equatable {
    public struct Caller: Decodable, Sendable, Equatable {
        public var name: String
        public var number: String
    }

    public var id: String
    public var name: String
    /// `Down`, `Rsrvd`, `OffHook`, `Dialing`, `Ring`, `Ringing`, `Up`, `Busy`, `Dialing Offhook`, `Pre-ring`, `Unknown`.
    public var state: String
    public var caller: Caller?
    /// Variables Asterisk sets on the channel (for externalMedia: `UNICASTRTP_LOCAL_ADDRESS` / `_PORT`).
    public var channelvars: [String: String]?

    public init(id: String, name: String, state: String, caller: Caller? = nil, channelvars: [String: String]? = nil) {
        self.id = id
        self.name = name
        self.state = state
        self.caller = caller
        self.channelvars = channelvars
    }
}

/// One message of the Stasis application's event stream, typed for the
/// events the backend acts on; anything else is kept as ``other(type:)``.
public enum ARIEvent: Sendable, Equatable {
    /// The channel entered the application: for an originated call, it was answered.
    case stasisStart(channel: ARIChannel, args: [String])
    case stasisEnd(channel: ARIChannel)
    case channelStateChange(channel: ARIChannel)
    /// The channel is gone, with its Q.850 hang-up cause.
    case channelDestroyed(channel: ARIChannel, cause: Int, causeText: String)
    /// Someone asked for the channel to hang up (the cause is absent when we did).
    case channelHangupRequest(channel: ARIChannel, cause: Int?, soft: Bool)
    /// Progress of a dial: `dialstatus` is empty while ringing, then `ANSWER`,
    /// `BUSY`, `NOANSWER`, `CONGESTION`, `CHANUNAVAIL`, `CANCEL`…
    case dial(peer: ARIChannel, caller: ARIChannel?, dialStatus: String)
    case playbackFinished(playbackID: String, targetURI: String, state: String)
    case other(type: String)

    /// The channel the event is about (the dialled peer for `Dial`).
    public var channelID: String? {
        switch self {
        case .stasisStart(let channel, _), .stasisEnd(let channel), .channelStateChange(let channel),
             .channelDestroyed(let channel, _, _), .channelHangupRequest(let channel, _, _):
            channel.id
        case .dial(let peer, _, _):
            peer.id
        case .playbackFinished, .other:
            nil
        }
    }

    /// Decodes one text message of `/ari/events`.
    public init(json: Data) throws(ARIError) {
        do {
            self = try JSONDecoder().decode(Wire.self, from: json).event
        } catch {
            let excerpt = String(decoding: json.prefix(200), as: UTF8.self)
            throw .malformed(path: "/events", reason: "\(error) in \(excerpt)")
        }
    }

    /// The JSON as Asterisk sends it: a `type` and the fields of that type.
    private struct Wire: Decodable {
        let event: ARIEvent

        struct Playback: Decodable {
            let id: String
            let target_uri: String
            let state: String
        }

        enum Keys: String, CodingKey {
            case type, channel, args, cause, cause_txt, soft, peer, caller, dialstatus, playback
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            let type = try c.decode(String.self, forKey: .type)
            switch type {
            case "StasisStart":
                event = .stasisStart(channel: try c.decode(ARIChannel.self, forKey: .channel),
                                     args: try c.decodeIfPresent([String].self, forKey: .args) ?? [])
            case "StasisEnd":
                event = .stasisEnd(channel: try c.decode(ARIChannel.self, forKey: .channel))
            case "ChannelStateChange":
                event = .channelStateChange(channel: try c.decode(ARIChannel.self, forKey: .channel))
            case "ChannelDestroyed":
                event = .channelDestroyed(channel: try c.decode(ARIChannel.self, forKey: .channel),
                                          cause: try c.decode(Int.self, forKey: .cause),
                                          causeText: try c.decodeIfPresent(String.self, forKey: .cause_txt) ?? "")
            case "ChannelHangupRequest":
                event = .channelHangupRequest(channel: try c.decode(ARIChannel.self, forKey: .channel),
                                              cause: try c.decodeIfPresent(Int.self, forKey: .cause),
                                              soft: try c.decodeIfPresent(Bool.self, forKey: .soft) ?? false)
            case "Dial":
                event = .dial(peer: try c.decode(ARIChannel.self, forKey: .peer),
                              caller: try c.decodeIfPresent(ARIChannel.self, forKey: .caller),
                              dialStatus: try c.decodeIfPresent(String.self, forKey: .dialstatus) ?? "")
            case "PlaybackFinished":
                let playback = try c.decode(Playback.self, forKey: .playback)
                event = .playbackFinished(playbackID: playback.id, targetURI: playback.target_uri, state: playback.state)
            default:
                event = .other(type: type)
            }
        }
    }
}

/// `GET /asterisk/info`: what health checks report.
public struct AsteriskInfo: Decodable, Sendable, Equatable {
    public struct System: Decodable, Sendable, Equatable {
        public var version: String
        public var entity_id: String?
    }

    public var system: System

    public var version: String { system.version }
}

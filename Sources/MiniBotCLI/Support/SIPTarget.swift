import Foundation
import MiniBotCore
import MiniBotSIP
import NIOCore

/// Turns the configuration and a number into what the SIP agent dials.
struct SIPTarget {
    var uri: SIPURI
    var from: NameAddress

    static func resolve(_ text: String, config: MiniBotConfig, parser: PhoneNumberParser) throws -> SIPTarget {
        let sip = config.sip
        let uri: SIPURI
        if text.lowercased().hasPrefix("sip:") || text.lowercased().hasPrefix("sips:") {
            uri = try SIPURI(parsing: text)
        } else {
            let number = try parser.parse(text)
            guard !sip.trunk.isEmpty else {
                throw ConfigError.invalid("sip.trunk is not set: set it to the host[:port] of your SIP trunk or PBX, or dial a full sip: URI")
            }
            let trunk = try SIPURI(parsing: "sip:" + sip.trunk)
            let user = sip.numberFormat == "national" && number.e164.hasPrefix("+33") ? "0" + number.e164.dropFirst(3) : number.e164
            uri = SIPURI(user: String(user), host: trunk.host, port: trunk.port, parameters: [("user", "phone")])
        }
        var generator = SystemRandomNumberGenerator()
        let caller = config.callerID.next(using: &generator) ?? "minibot"
        let fromHost = sip.trunk.isEmpty ? uri.host : ((try? SIPURI(parsing: "sip:" + sip.trunk))?.host ?? uri.host)
        return SIPTarget(uri: uri, from: NameAddress(uri: SIPURI(user: caller, host: fromHost)))
    }

    static func agentConfiguration(_ config: MiniBotConfig) throws -> SIPAgent.Configuration {
        let sip = config.sip
        return SIPAgent.Configuration(
            bindHost: sip.bindHost, bindPort: sip.bindPort,
            advertisedHost: sip.advertisedHost.isEmpty ? defaultAdvertisedHost(bindHost: sip.bindHost) : sip.advertisedHost,
            rtpPorts: sip.rtpPortMin...sip.rtpPortMax,
            outboundProxy: sip.outboundProxy.isEmpty ? nil : try SIPURI(parsing: sip.outboundProxy),
            username: sip.username.isEmpty ? nil : sip.username, password: sip.password.isEmpty ? nil : sip.password,
            userAgent: "MiniBotPanel/\(MiniBotVersion.current)")
    }

    /// What to register, when `sip.register` is on: `username@trunk` at the trunk.
    static func registration(_ config: MiniBotConfig, advertisedHost: String) throws -> Registration.Settings? {
        let sip = config.sip
        guard sip.register else { return nil }
        let trunk = try SIPURI(parsing: "sip:" + sip.trunk)
        return Registration.Settings(
            addressOfRecord: SIPURI(user: sip.username, host: trunk.host), registrar: SIPURI(host: trunk.host, port: trunk.port),
            contact: SIPURI(user: sip.username, host: advertisedHost), viaHost: advertisedHost, viaPort: 0,
            username: sip.username, password: sip.password.isEmpty ? nil : sip.password, expires: sip.registerExpires,
            userAgent: "MiniBotPanel/\(MiniBotVersion.current)")
    }

    /// The bind address, or when bound to every interface the first non-loopback IPv4 one.
    static func defaultAdvertisedHost(bindHost: String) -> String {
        guard bindHost == "0.0.0.0" else { return bindHost }
        let devices = (try? System.enumerateDevices()) ?? []
        for device in devices {
            if case .v4? = device.address, let ip = device.address?.ipAddress, !ip.hasPrefix("127.") { return ip }
        }
        return "127.0.0.1"
    }
}

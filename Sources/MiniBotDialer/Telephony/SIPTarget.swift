import Foundation
import MiniBotCore
import MiniBotSIP
import NIOCore

/// Turns the configuration and a number into what the SIP agent dials.
public struct SIPTarget: Sendable {
    public var uri: SIPURI
    public var from: NameAddress

    /// `target` is an E.164 number or a full `sip:` URI. A number listed in
    /// `sip.routes` goes to its URI; any other to `number@sip.trunk`.
    /// - Parameter callerID: the number to present; nil: the configured caller ID.
    public static func resolve(_ target: String, callerID: String? = nil, config: MiniBotConfig) throws -> SIPTarget {
        let sip = config.sip
        let uri: SIPURI
        if target.lowercased().hasPrefix("sip:") || target.lowercased().hasPrefix("sips:") {
            uri = try SIPURI(parsing: target)
        } else if let route = sip.routes[target] {
            uri = try SIPURI(parsing: route)
        } else {
            guard !sip.trunk.isEmpty else {
                throw TelephonyError.configuration("sip.trunk is not set: set it to the host[:port] of your SIP trunk or PBX, or route \(target) in sip.routes")
            }
            let trunk = try SIPURI(parsing: "sip:" + sip.trunk)
            let user = sip.numberFormat == "national" && target.hasPrefix("+33") ? "0" + target.dropFirst(3) : Substring(target)
            uri = SIPURI(user: String(user), host: trunk.host, port: trunk.port, parameters: [("user", "phone")])
        }
        var generator = SystemRandomNumberGenerator()
        let caller = callerID ?? config.callerID.next(using: &generator) ?? "minibot"
        let fromHost = sip.trunk.isEmpty ? uri.host : ((try? SIPURI(parsing: "sip:" + sip.trunk))?.host ?? uri.host)
        return SIPTarget(uri: uri, from: NameAddress(uri: SIPURI(user: caller, host: fromHost)))
    }

    public static func agentConfiguration(_ config: MiniBotConfig, userAgent: String) throws -> SIPAgent.Configuration {
        let sip = config.sip
        return SIPAgent.Configuration(
            bindHost: sip.bindHost, bindPort: sip.bindPort,
            advertisedHost: sip.advertisedHost.isEmpty ? defaultAdvertisedHost(bindHost: sip.bindHost) : sip.advertisedHost,
            rtpPorts: sip.rtpPortMin...sip.rtpPortMax,
            outboundProxy: sip.outboundProxy.isEmpty ? nil : try SIPURI(parsing: sip.outboundProxy),
            username: sip.username.isEmpty ? nil : sip.username, password: sip.password.isEmpty ? nil : sip.password,
            userAgent: userAgent)
    }

    /// What to register, when `sip.register` is on: `username@trunk` at the trunk.
    public static func registration(_ config: MiniBotConfig, advertisedHost: String, userAgent: String) throws -> Registration.Settings? {
        let sip = config.sip
        guard sip.register else { return nil }
        let trunk = try SIPURI(parsing: "sip:" + sip.trunk)
        return Registration.Settings(
            addressOfRecord: SIPURI(user: sip.username, host: trunk.host), registrar: SIPURI(host: trunk.host, port: trunk.port),
            contact: SIPURI(user: sip.username, host: advertisedHost), viaHost: advertisedHost, viaPort: 0,
            username: sip.username, password: sip.password.isEmpty ? nil : sip.password, expires: sip.registerExpires,
            userAgent: userAgent)
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

/// A telephony backend that cannot work as configured.
public enum TelephonyError: Error, Equatable, Sendable, CustomStringConvertible {
    case configuration(String)

    public var description: String {
        switch self {
        case .configuration(let problem): "telephony configuration: \(problem)"
        }
    }
}

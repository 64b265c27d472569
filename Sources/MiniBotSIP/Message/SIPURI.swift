/// A `sip:` or `sips:` URI (RFC 3261 §19.1): `sip:user@host:port;params?headers`.
public struct SIPURI: Sendable, Equatable, CustomStringConvertible {
    public var scheme: String
    public var user: String?
    public var host: String
    public var port: Int?
    /// URI parameters in order (`transport=tcp`, `lr`); a flag has an empty value.
    public var parameters: [(String, String)]
    public var headers: String?

    public init(scheme: String = "sip", user: String? = nil, host: String, port: Int? = nil,
                parameters: [(String, String)] = [], headers: String? = nil) {
        self.scheme = scheme
        self.user = user
        self.host = host
        self.port = port
        self.parameters = parameters
        self.headers = headers
    }

    public init(parsing text: String) throws(SIPParseError) {
        let trimmed = text.trimmedSpaces
        guard let colon = trimmed.firstIndex(of: ":") else { throw .badHeader("URI '\(text)'") }
        scheme = trimmed[..<colon].lowercased()
        guard scheme == "sip" || scheme == "sips" else { throw .badHeader("URI '\(text)' is not sip: or sips:") }
        var rest = trimmed[trimmed.index(after: colon)...]
        if let question = rest.firstIndex(of: "?") {
            headers = String(rest[rest.index(after: question)...])
            rest = rest[..<question]
        } else {
            headers = nil
        }
        var parts = rest.split(separator: ";", omittingEmptySubsequences: false)
        guard !parts.isEmpty else { throw .badHeader("URI '\(text)'") }
        var hostPart = parts.removeFirst()
        parameters = parts.map { part in
            let pair = part.split(separator: "=", maxSplits: 1)
            return (String(pair.first ?? "").lowercased(), pair.count > 1 ? String(pair[1]) : "")
        }
        if let at = hostPart.lastIndex(of: "@") {
            user = String(hostPart[..<at])
            hostPart = hostPart[hostPart.index(after: at)...]
        } else {
            user = nil
        }
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else { throw .badHeader("URI '\(text)'") }
            host = String(hostPart[...close])
            let after = hostPart[hostPart.index(after: close)...]
            port = after.hasPrefix(":") ? Int(after.dropFirst()) : nil
        } else if let portColon = hostPart.lastIndex(of: ":") {
            host = String(hostPart[..<portColon])
            guard let value = Int(hostPart[hostPart.index(after: portColon)...]), (1...65535).contains(value) else {
                throw .badHeader("URI '\(text)' has a bad port")
            }
            port = value
        } else {
            host = String(hostPart)
            port = nil
        }
        guard !host.isEmpty else { throw .badHeader("URI '\(text)' has no host") }
    }

    public func parameter(_ name: String) -> String? {
        parameters.first { $0.0 == name.lowercased() }?.1
    }

    public var description: String {
        var out = scheme + ":"
        if let user { out += user + "@" }
        out += host
        if let port { out += ":\(port)" }
        for (name, value) in parameters { out += value.isEmpty ? ";\(name)" : ";\(name)=\(value)" }
        if let headers { out += "?" + headers }
        return out
    }

    public static func == (lhs: SIPURI, rhs: SIPURI) -> Bool { lhs.description == rhs.description }
}

/// A `name-addr` or `addr-spec` with header parameters: the value of From,
/// To, Contact, Route, Record-Route and P-Asserted-Identity.
public struct NameAddress: Sendable, Equatable, CustomStringConvertible {
    public var displayName: String?
    public var uri: SIPURI
    /// Header parameters (`tag`, `expires`) in order.
    public var parameters: [(String, String)]

    public init(displayName: String? = nil, uri: SIPURI, parameters: [(String, String)] = []) {
        self.displayName = displayName
        self.uri = uri
        self.parameters = parameters
    }

    public init(parsing text: String) throws(SIPParseError) {
        var rest = Substring(text.trimmedSpaces)
        var displayName: String?
        if rest.hasPrefix("\"") {
            var name = ""
            var index = rest.index(after: rest.startIndex)
            var closed = false
            while index < rest.endIndex {
                let character = rest[index]
                if character == "\\", rest.index(after: index) < rest.endIndex {
                    index = rest.index(after: index)
                    name.append(rest[index])
                } else if character == "\"" {
                    closed = true
                    break
                } else {
                    name.append(character)
                }
                index = rest.index(after: index)
            }
            guard closed else { throw .badHeader("unclosed display name in '\(text)'") }
            displayName = name
            rest = rest[rest.index(after: index)...].trimmingSpaces
        }
        let uriText: Substring
        let parameterText: Substring
        if let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else { throw .badHeader("unclosed <> in '\(text)'") }
            if displayName == nil {
                let name = rest[..<open].trimmingSpaces
                displayName = name.isEmpty ? nil : String(name)
            }
            uriText = rest[rest.index(after: open)..<close]
            parameterText = rest[rest.index(after: close)...]
        } else {
            // addr-spec: parameters after the URI belong to the header (RFC 3261 §20.10).
            if let semicolon = rest.firstIndex(of: ";") {
                uriText = rest[..<semicolon]
                parameterText = rest[semicolon...]
            } else {
                uriText = rest
                parameterText = ""
            }
        }
        self.displayName = displayName
        uri = try SIPURI(parsing: String(uriText))
        parameters = parameterText.split(separator: ";").compactMap { part in
            let pair = part.split(separator: "=", maxSplits: 1)
            guard let name = pair.first?.trimmingSpaces, !name.isEmpty else { return nil }
            return (name.lowercased(), pair.count > 1 ? String(pair[1].trimmingSpaces) : "")
        }
    }

    public var tag: String? {
        get { parameter("tag") }
        set {
            parameters.removeAll { $0.0 == "tag" }
            if let newValue { parameters.append(("tag", newValue)) }
        }
    }

    public func parameter(_ name: String) -> String? {
        parameters.first { $0.0 == name.lowercased() }?.1
    }

    public var description: String {
        var out = ""
        if let displayName, !displayName.isEmpty {
            out += "\"" + displayName.replacingQuotes + "\" "
        }
        out += "<\(uri)>"
        for (name, value) in parameters { out += value.isEmpty ? ";\(name)" : ";\(name)=\(value)" }
        return out
    }

    public static func == (lhs: NameAddress, rhs: NameAddress) -> Bool { lhs.description == rhs.description }
}

extension String {
    fileprivate var replacingQuotes: String {
        var out = ""
        for character in self {
            if character == "\"" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out
    }
}

/// A `Via` value: `SIP/2.0/UDP host:port;branch=z9hG4bK…;rport;received=…`.
public struct Via: Sendable, Equatable, CustomStringConvertible {
    public var transport: String
    public var host: String
    public var port: Int?
    public var parameters: [(String, String)]

    public init(transport: String, host: String, port: Int?, parameters: [(String, String)]) {
        self.transport = transport
        self.host = host
        self.port = port
        self.parameters = parameters
    }

    public init(parsing text: String) throws(SIPParseError) {
        let parts = text.split(separator: ";", omittingEmptySubsequences: true)
        guard let first = parts.first else { throw .badHeader("Via: \(text)") }
        let protocolAndHost = first.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard protocolAndHost.count == 2 else { throw .badHeader("Via: \(text)") }
        let protocolParts = protocolAndHost[0].split(separator: "/")
        guard protocolParts.count == 3, protocolParts[0].uppercased() == "SIP" else { throw .badHeader("Via: \(text)") }
        transport = protocolParts[2].uppercased()
        let sentBy = protocolAndHost[1]
        if let colon = sentBy.lastIndex(of: ":"), !sentBy.hasSuffix("]") {
            host = String(sentBy[..<colon])
            port = Int(sentBy[sentBy.index(after: colon)...])
        } else {
            host = String(sentBy)
            port = nil
        }
        parameters = parts.dropFirst().map { part in
            let pair = part.split(separator: "=", maxSplits: 1)
            return (String(pair[0].trimmingSpaces).lowercased(), pair.count > 1 ? String(pair[1].trimmingSpaces) : "")
        }
    }

    public var branch: String? { parameters.first { $0.0 == "branch" }?.1 }

    public func parameter(_ name: String) -> String? { parameters.first { $0.0 == name }?.1 }

    public var description: String {
        var out = "SIP/2.0/\(transport) \(host)"
        if let port { out += ":\(port)" }
        for (name, value) in parameters { out += value.isEmpty ? ";\(name)" : ";\(name)=\(value)" }
        return out
    }

    public static func == (lhs: Via, rhs: Via) -> Bool { lhs.description == rhs.description }
}

/// The `CSeq` header: a sequence number and a method.
public struct CSeq: Sendable, Equatable, CustomStringConvertible {
    public var number: UInt32
    public var method: String

    public init(number: UInt32, method: String) {
        self.number = number
        self.method = method
    }

    public init?(parsing text: String) {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count == 2, let number = UInt32(parts[0]), number < 1 << 31, parts[1].allSatisfy(\.isTokenCharacter) else { return nil }
        self.number = number
        self.method = String(parts[1])
    }

    public var description: String { "\(number) \(method)" }
}

import Foundation
import Yams
import MiniBotCore

/// A configuration as a tree of JSON values: the typed defaults, with the
/// file's and the environment's text merged over them, each value coerced to
/// the type of the default it replaces (so `number: 0612345678` stays text).
indirect enum ConfigTree: Codable, Equatable, Sendable {
    case object([String: ConfigTree])
    case array([ConfigTree])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([ConfigTree].self) { self = .array(value) }
        else { self = .object(try container.decode([String: ConfigTree].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .object(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }

    init<T: Encodable>(encoding value: T) throws {
        self = try JSONDecoder().decode(ConfigTree.self, from: JSONEncoder().encode(value))
    }

    func decode<T: Decodable>(as type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: JSONEncoder().encode(self))
    }

    /// Replaces the value at `path` by `text` read as the type already there.
    mutating func set(_ path: [String], text: String, source: String) throws(ConfigError) {
        self = try merged(path, with: Node(text, Tag(.str)), source: source, at: [])
    }

    /// Merges a YAML node over this tree; unknown keys are errors.
    func merged(with node: Node, source: String) throws(ConfigError) -> ConfigTree {
        try merged([], with: node, source: source, at: [])
    }

    private func merged(_ path: [String], with node: Node, source: String, at location: [String]) throws(ConfigError) -> ConfigTree {
        if let key = path.first {
            guard case .object(var map) = self else { throw .unknownKey(location + [key], source: source) }
            let child = map[key] ?? Self.openMapTemplate(map, path: location + [key])
            guard let child else { throw .unknownKey(location + [key], source: source, known: map.keys.sorted()) }
            map[key] = try child.merged(Array(path.dropFirst()), with: node, source: source, at: location + [key])
            return .object(map)
        }
        let name = location.joined(separator: ".")
        switch (self, node) {
        case (_, .scalar(let scalar)) where scalar.tag.description.hasSuffix("null") || (scalar.string == "~" && scalar.style == .plain):
            return self
        case (.object(let map), .mapping(let mapping)):
            var result = self
            for (keyNode, valueNode) in mapping {
                guard let key = keyNode.string else { throw .invalidValue(name, "a key is not text", source: source) }
                guard map[key] != nil || Self.openMapTemplate(map, path: location + [key]) != nil else {
                    throw .unknownKey(location + [key], source: source, known: map.keys.sorted())
                }
                result = try result.merged([key], with: valueNode, source: source, at: location)
            }
            return result
        case (.array(let items), .sequence(let sequence)):
            let template = items.first ?? Self.arrayItems[name] ?? .string("")
            return .array(try sequence.map { (item: Node) throws(ConfigError) -> ConfigTree in
                try template.merged([], with: item, source: source, at: location)
            })
        case (.array(let items), .scalar(let scalar)):
            // From the environment: a comma-separated list.
            let template = items.first ?? .string("")
            let parts = scalar.string.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return .array(try parts.map { (part: String) throws(ConfigError) -> ConfigTree in
                try template.merged([], with: Node(part, Tag(.str)), source: source, at: location)
            })
        case (.string, .scalar(let scalar)):
            return .string(scalar.string)
        case (.number, .scalar(let scalar)):
            guard let value = Double(scalar.string.trimmingCharacters(in: .whitespaces)) else {
                throw .invalidValue(name, "'\(scalar.string)' is not a number", source: source)
            }
            return .number(value)
        case (.bool, .scalar(let scalar)):
            switch scalar.string.lowercased() {
            case "true", "yes", "on", "1": return .bool(true)
            case "false", "no", "off", "0": return .bool(false)
            default: throw .invalidValue(name, "'\(scalar.string)' is not true or false", source: source)
            }
        case (.object, _):
            throw .invalidValue(name, "expected a map of settings", source: source)
        case (.array, _):
            throw .invalidValue(name, "expected a list", source: source)
        default:
            throw .invalidValue(name, "expected a single value, not a list or map", source: source)
        }
    }

    /// Maps whose keys are free (per-step listen timeouts, SIP routes): a new
    /// key takes the shape of an existing entry, or of the template given here.
    /// The shape of one item of a list of objects, for lists empty by default.
    static let arrayItems: [String: ConfigTree] = ["webhooks": (try? ConfigTree(encoding: MiniBotConfig.Webhook())) ?? .string("")]

    static let openMaps: [String: ConfigTree?] = ["listen.steps": nil, "sip.routes": .string("")]

    private static func openMapTemplate(_ map: [String: ConfigTree], path: [String]) -> ConfigTree? {
        guard let template = openMaps[path.dropLast().joined(separator: ".")] else { return nil }
        return map.values.first ?? template
    }

    /// Finds the key path an environment variable's name (after `MINIBOT_`,
    /// lower-cased) stands for: `dialer_max_concurrent_calls` → `dialer.max_concurrent_calls`.
    func path(forEnvironmentName name: String) -> [String]? {
        guard case .object(let map) = self else { return nil }
        if map[name] != nil { return [name] }
        for (key, child) in map.sorted(by: { $0.key.count > $1.key.count }) where name.hasPrefix(key + "_") {
            let rest = String(name.dropFirst(key.count + 1))
            if let tail = child.path(forEnvironmentName: rest) { return [key] + tail }
            if Self.openMaps.keys.contains(key) || Self.openMaps.keys.contains(where: { $0.hasSuffix("." + key) }) {
                return nil
            }
        }
        return nil
    }

    /// The tree as a YAML node, keys sorted, for printing.
    var node: Node {
        switch self {
        case .object(let map):
            return Node(map.sorted { $0.key < $1.key }.map { (Node($0.key), $0.value.node) })
        case .array(let items):
            return Node(items.map(\.node))
        case .string(let value):
            let ambiguous = value.isEmpty || Double(value) != nil || ["true", "false", "yes", "no", "on", "off", "null", "~"].contains(value.lowercased())
            return Node(value, Tag(.str), ambiguous ? .doubleQuoted : .any)
        case .number(let value):
            return Node(value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value))
        case .bool(let value):
            return Node(value ? "true" : "false")
        case .null:
            return Node("null", Tag(.null))
        }
    }
}

public enum ConfigError: Error, Equatable, CustomStringConvertible {
    case unknownKey([String], source: String, known: [String] = [])
    case invalidValue(String, String, source: String)
    case unreadable(path: String, reason: String)
    case invalid(String)

    public var description: String {
        switch self {
        case .unknownKey(let path, let source, let known):
            "\(source): unknown setting '\(path.joined(separator: "."))'" + (known.isEmpty ? "" : " (known here: \(known.joined(separator: ", ")))")
        case .invalidValue(let key, let reason, let source):
            "\(source): setting '\(key)': \(reason)"
        case .unreadable(let path, let reason):
            "cannot read the configuration file \(path): \(reason)"
        case .invalid(let reason):
            "invalid configuration: \(reason)"
        }
    }
}

import Foundation

/// The JSON shape of an intent lexicon file, as a person writes it.
/// docs/INTENT.md documents every field; `IntentLexicon` validates and compiles it.
/// Every field is optional here so that a campaign file can `extends` another and
/// change only what it names; a file that extends nothing must name them all.
struct IntentLexiconFile: Codable, Sendable {
    var format: String?
    var language: String?
    var description: String?
    var extends: String?
    var normalisation: Normalisation?
    var negation: Negation?
    var contrast: Contrast?
    var question: Question?
    var decision: Decision?
    var cues: [CueGroup]?

    struct Normalisation: Codable, Sendable {
        /// Elided words before an apostrophe and their full form: `"j": "je"`.
        var elisions: [String: String]?
        /// Whole words replaced before matching: `"ouais": "oui"`, `"chuis": "je suis"`.
        var rewrites: [String: String]?
        /// Words removed altogether (the optional "ne" of spoken French).
        var drop: [String]?
        /// Hesitation words ignored between the words of a pattern and by negation scopes.
        var fillers: [String]?
        /// Number words that `#num` matches, besides digits.
        var numbers: [String]?
    }

    struct Negation: Codable, Sendable {
        var markers: [String]?
        var scopeBefore: Int?
        var scopeAfter: Int?
        var transparent: [String]?
        var unmatchedIntent: Intent?
        var unmatchedWeight: Double?

        enum CodingKeys: String, CodingKey {
            case markers
            case scopeBefore = "scope_before"
            case scopeAfter = "scope_after"
            case transparent
            case unmatchedIntent = "unmatched_intent"
            case unmatchedWeight = "unmatched_weight"
        }
    }

    struct Contrast: Codable, Sendable {
        var markers: [String]?
        var before: Double?
        var after: Double?
    }

    struct Question: Codable, Sendable {
        var questionMark: Double?
        var inversion: Double?
        var inversionPronouns: [String]?
        var notInversions: [String]?

        enum CodingKeys: String, CodingKey {
            case questionMark = "question_mark"
            case inversion
            case inversionPronouns = "inversion_pronouns"
            case notInversions = "not_inversions"
        }
    }

    struct Decision: Codable, Sendable {
        var neutralBaseline: Double?
        var temperature: Double?
        var tieOrder: [Intent]?

        enum CodingKeys: String, CodingKey {
            case neutralBaseline = "neutral_baseline"
            case temperature
            case tieOrder = "tie_order"
        }
    }

    struct CueGroup: Codable, Sendable {
        var intent: Intent?
        var weight: Double
        var whenNegated: String?
        var negatedWeight: Double?
        var middleFactor: Double?
        var note: String?
        var patterns: [String]

        enum CodingKeys: String, CodingKey {
            case intent, weight
            case whenNegated = "when_negated"
            case negatedWeight = "negated_weight"
            case middleFactor = "middle_factor"
            case note, patterns
        }
    }

    /// The keys each object may hold; any other key is a typo to report.
    /// Keys that start with "_" are comments and always allowed.
    static let knownKeys: [String: Set<String>] = [
        "": ["format", "language", "description", "extends", "normalisation", "negation", "contrast", "question", "decision", "cues"],
        "normalisation": ["elisions", "rewrites", "drop", "fillers", "numbers"],
        "negation": ["markers", "scope_before", "scope_after", "transparent", "unmatched_intent", "unmatched_weight"],
        "contrast": ["markers", "before", "after"],
        "question": ["question_mark", "inversion", "inversion_pronouns", "not_inversions"],
        "decision": ["neutral_baseline", "temperature", "tie_order"],
        "cues[]": ["intent", "weight", "when_negated", "negated_weight", "middle_factor", "note", "patterns"],
    ]

    /// Decodes a file, turning JSON and shape errors into `IntentLexiconError`s that name the field.
    static func decode(_ data: Data, source: String) throws -> IntentLexiconFile {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw IntentLexiconError(source: source, field: "", problem: "not valid JSON\(jsonErrorPlace(error, in: data)); check commas, quotes and brackets there or just before")
        }
        guard let root = object as? [String: Any] else {
            throw IntentLexiconError(source: source, field: "", problem: "the top level must be a JSON object { … }")
        }
        try checkKeys(root, schema: "", path: "", source: source)
        for name in ["normalisation", "negation", "contrast", "question", "decision"] {
            if let sub = root[name] as? [String: Any] {
                try checkKeys(sub, schema: name, path: name, source: source)
            }
        }
        if let groups = root["cues"] as? [Any] {
            for (index, group) in groups.enumerated() {
                if let group = group as? [String: Any] {
                    try checkKeys(group, schema: "cues[]", path: "cues[\(index)]", source: source)
                }
            }
        }
        do {
            return try JSONDecoder().decode(IntentLexiconFile.self, from: data)
        } catch let error as DecodingError {
            throw IntentLexiconError(decoding: error, source: source)
        }
    }

    /// " at line L, column C" from Foundation's "around character N", when it says so.
    private static func jsonErrorPlace(_ error: any Error, in data: Data) -> String {
        let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? ""
        guard let range = detail.range(of: #"character (\d+)"#, options: .regularExpression),
              let offset = Int(detail[range].dropFirst("character ".count))
        else { return detail.isEmpty ? "" : " (\(detail))" }
        var line = 1
        var column = 1
        for byte in data.prefix(offset) {
            if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
        }
        return " at line \(line), column \(column)"
    }

    private static func checkKeys(_ object: [String: Any], schema: String, path: String, source: String) throws {
        let known = knownKeys[schema] ?? []
        for key in object.keys.sorted() where !key.hasPrefix("_") && !known.contains(key) {
            let field = path.isEmpty ? key : "\(path).\(key)"
            throw IntentLexiconError(
                source: source, field: field,
                problem: "unknown field; the fields here are \(known.sorted().joined(separator: ", ")) (start a key with \"_\" to write a comment)")
        }
    }
}

extension IntentLexiconError {
    init(decoding error: DecodingError, source: String) {
        func path(_ keys: [any CodingKey]) -> String {
            var text = ""
            for key in keys {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
                }
            }
            return text
        }
        let intents = Intent.allCases.map(\.rawValue).joined(separator: ", ")
        switch error {
        case let .typeMismatch(type, context):
            self.init(source: source, field: path(context.codingPath), problem: "expected \(Self.typeName(type)); \(context.debugDescription)")
        case let .valueNotFound(type, context):
            self.init(source: source, field: path(context.codingPath), problem: "expected \(Self.typeName(type)), found null")
        case let .keyNotFound(key, context):
            self.init(source: source, field: path(context.codingPath + [key]), problem: "missing; every cue group needs \"weight\" and \"patterns\"")
        case let .dataCorrupted(context):
            let problem = context.debugDescription.contains("Intent")
                ? "not an intent; write one of \(intents)"
                : context.debugDescription
            self.init(source: source, field: path(context.codingPath), problem: problem)
        @unknown default:
            self.init(source: source, field: "", problem: "\(error)")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Double.Type, is Int.Type: "a number"
        case is [String].Type, is [Any].Type: "a list [ … ]"
        case is [String: String].Type: "an object { \"word\": \"replacement\" }"
        default: "\(type)"
        }
    }
}

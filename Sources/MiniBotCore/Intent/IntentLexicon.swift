import Foundation

/// The words, patterns and weights the intent classifier uses: data, not code.
///
/// The default French lexicon ships as `Resources/intent-lexicon.fr.json`. A campaign
/// tunes it with its own file, usually one that `"extends": "fr"` and adds or re-weights
/// a few cues (docs/INTENT.md). Loading validates everything and names the field at fault.
public struct IntentLexicon: Sendable {
    /// The language the lexicon is written for ("fr").
    public let language: String
    /// What the lexicon is for, from its `description` field.
    public let description: String
    /// How many patterns it holds.
    public var patternCount: Int { tables.cues.count }

    let tables: IntentTables
    let file: IntentLexiconFile

    /// Reads a lexicon from JSON. `source` names it in error messages (a path, say).
    /// A file that `extends` a bundled lexicon ("fr") is merged onto it.
    public init(jsonData: Data, source: String = "<data>") throws {
        let overlay = try IntentLexiconFile.decode(jsonData, source: source)
        if let baseName = overlay.extends {
            let base = try IntentLexicon.bundled(baseName)
            try self.init(file: base.file.merged(with: overlay), overlayStart: base.file.cues?.count ?? 0, source: source)
        } else {
            try self.init(file: overlay, overlayStart: nil, source: source)
        }
    }

    /// Reads a lexicon file (a campaign's tuned lexicon, say).
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw IntentLexiconError(source: url.path, field: "", problem: "cannot read the file (\(error.localizedDescription)); check the path")
        }
        try self.init(jsonData: data, source: url.path)
    }

    init(file: IntentLexiconFile, overlayStart: Int?, source: String) throws {
        self.file = file
        self.language = file.language ?? "fr"
        self.description = file.description ?? ""
        self.tables = try IntentTables(file: file, overlayStart: overlayStart, source: source)
    }

    /// A lexicon bundled with MiniBotCore, by name: `bundled("fr")` reads `intent-lexicon.fr.json`.
    public static func bundled(_ name: String = "fr") throws -> IntentLexicon {
        let fileName = "intent-lexicon.\(name)"
        let source = "bundle:\(fileName).json"
        guard let url = Bundle.module.url(forResource: fileName, withExtension: "json", subdirectory: "Resources")
            ?? Bundle.module.url(forResource: fileName, withExtension: "json")
        else {
            throw IntentLexiconError(source: source, field: "extends", problem: "no bundled lexicon named \"\(name)\"; the bundled ones are: fr")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw IntentLexiconError(source: source, field: "", problem: "cannot read the bundled file (\(error.localizedDescription))")
        }
        return try IntentLexicon(jsonData: data, source: source)
    }

    /// The bundled French lexicon. It is part of the build and checked by the tests,
    /// so failing to load it is a packaging bug, not a user error.
    public static let `default`: IntentLexicon = {
        do {
            return try bundled("fr")
        } catch {
            fatalError("MiniBotCore's bundled intent lexicon is broken: \(error)")
        }
    }()
}

extension IntentLexiconFile {
    /// This file with `overlay` on top: maps and lists are merged, single values
    /// replaced, cue groups appended (an overlay pattern replaces the same base pattern).
    func merged(with overlay: IntentLexiconFile) -> IntentLexiconFile {
        func union(_ a: [String]?, _ b: [String]?) -> [String]? {
            guard let b else { return a }
            return (a ?? []) + b.filter { !(a ?? []).contains($0) }
        }
        func mergeMap(_ a: [String: String]?, _ b: [String: String]?) -> [String: String]? {
            guard let b else { return a }
            return (a ?? [:]).merging(b) { _, new in new }
        }
        var result = self
        result.format = overlay.format ?? format
        result.language = overlay.language ?? language
        result.description = overlay.description ?? description
        result.extends = nil
        if let o = overlay.normalisation {
            var n = normalisation ?? Normalisation()
            n.elisions = mergeMap(n.elisions, o.elisions)
            n.rewrites = mergeMap(n.rewrites, o.rewrites)
            n.drop = union(n.drop, o.drop)
            n.fillers = union(n.fillers, o.fillers)
            n.numbers = union(n.numbers, o.numbers)
            result.normalisation = n
        }
        if let o = overlay.negation {
            var n = negation ?? Negation()
            n.markers = union(n.markers, o.markers)
            n.scopeBefore = o.scopeBefore ?? n.scopeBefore
            n.scopeAfter = o.scopeAfter ?? n.scopeAfter
            n.transparent = union(n.transparent, o.transparent)
            n.unmatchedIntent = o.unmatchedIntent ?? n.unmatchedIntent
            n.unmatchedWeight = o.unmatchedWeight ?? n.unmatchedWeight
            result.negation = n
        }
        if let o = overlay.contrast {
            var c = contrast ?? Contrast()
            c.markers = union(c.markers, o.markers)
            c.before = o.before ?? c.before
            c.after = o.after ?? c.after
            result.contrast = c
        }
        if let o = overlay.question {
            var q = question ?? Question()
            q.questionMark = o.questionMark ?? q.questionMark
            q.inversion = o.inversion ?? q.inversion
            q.inversionPronouns = union(q.inversionPronouns, o.inversionPronouns)
            q.notInversions = union(q.notInversions, o.notInversions)
            result.question = q
        }
        if let o = overlay.decision {
            var d = decision ?? Decision()
            d.neutralBaseline = o.neutralBaseline ?? d.neutralBaseline
            d.temperature = o.temperature ?? d.temperature
            d.tieOrder = o.tieOrder ?? d.tieOrder
            result.decision = d
        }
        result.cues = (cues ?? []) + (overlay.cues ?? [])
        return result
    }
}

/// A lexicon file that cannot be used, with the field at fault and how to fix it.
public struct IntentLexiconError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Where the lexicon came from: a file path, `bundle:intent-lexicon.fr.json` or `<data>`.
    public var source: String
    /// The JSON field at fault, as a path: `cues[3].patterns[2]`, `decision.temperature`.
    public var field: String
    /// What is wrong and what to write instead.
    public var problem: String

    public init(source: String, field: String, problem: String) {
        self.source = source
        self.field = field
        self.problem = problem
    }

    public var description: String {
        field.isEmpty
            ? "intent lexicon \(source): \(problem)"
            : "intent lexicon \(source), field \(field): \(problem)"
    }
}

import Foundation
import Testing
@testable import MiniBotCore

@Suite("Intent lexicon files")
struct IntentLexiconTests {
    /// A complete small lexicon, for the error cases.
    static func minimal(cues: String = #"[{"intent": "positive", "weight": 2, "patterns": ["oui"]}]"#, extra: String = "") -> Data {
        Data("""
        {
          "format": "minibot-intent-lexicon/1",
          "normalisation": {"elisions": {"j": "je"}, "fillers": ["euh"]},
          "negation": {"markers": ["pas"]},
          \(extra)
          "cues": \(cues)
        }
        """.utf8)
    }

    func error(_ data: Data) -> String {
        do {
            _ = try IntentLexicon(jsonData: data, source: "test.json")
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func bundledLexiconLoads() throws {
        let lexicon = try IntentLexicon.bundled("fr")
        #expect(lexicon.language == "fr")
        #expect(lexicon.patternCount > 300)
        #expect(IntentLexicon.default.patternCount == lexicon.patternCount)
    }

    @Test func minimalLexiconClassifies() throws {
        let classifier = IntentClassifier(lexicon: try IntentLexicon(jsonData: Self.minimal()))
        #expect(classifier.classify("euh oui").intent == .positive)
        #expect(classifier.classify("bonjour").intent == .neutral)
    }

    @Test("Mistakes name the field and the fix", arguments: [
        (minimal(extra: #""wieght": 2,"#), "field wieght: unknown field"),
        (minimal(cues: #"[{"intent": "positif", "weight": 2, "patterns": ["oui"]}]"#), "field cues[0].intent: not an intent; write one of positive"),
        (minimal(cues: #"[{"intent": "positive", "patterns": ["oui"]}]"#), "field cues[0].weight: missing"),
        (minimal(cues: #"[{"intent": "positive", "weight": -1, "patterns": ["oui"]}]"#), "field cues[0].weight: must be a number, 0 or more"),
        (minimal(cues: #"[{"intent": "positive", "weight": 2, "patterns": ["oui", "Oui !"]}]"#), "field cues[0].patterns[1]: \"Oui !\" (oui) is already in cues[0]"),
        (minimal(cues: #"[{"intent": "positive", "weight": 2, "patterns": ["?!"]}]"#), "field cues[0].patterns[0]: \"?!\" has no words left"),
        (minimal(cues: #"[{"intent": "positive", "weight": 2, "patterns": ["in*"]}]"#), "prefix shorter than 3 letters"),
        (minimal(cues: #"[{"intent": "positive", "weight": 2, "when_negated": "nope", "patterns": ["oui"]}]"#), "field cues[0].when_negated: \"nope\" is not an intent"),
        (minimal(cues: #"[{"weight": 2, "patterns": ["oui"]}]"#), "field cues[0].intent: missing"),
        (minimal(cues: #"[{"intent": "positive", "weight": "2", "patterns": ["oui"]}]"#), "field cues[0].weight: expected a number"),
        (minimal(extra: #""decision": {"temperature": 0},"#), "field decision.temperature: must be more than 0"),
        (minimal(extra: #""cues_": [],"#), "unknown field"),
        (Data(#"{"format": "minibot-intent-lexicon/1", "cues": []}"#.utf8), "field normalisation: missing"),
        (Data(#"{"format": "minibot-intent-lexicon/9"}"#.utf8), "field format"),
        (Data(#"{"extends": "de"}"#.utf8), "no bundled lexicon named \"de\""),
        (Data("{ oops".utf8), "not valid JSON at line 1, column 3"),
        (Data(#"{"normalisation": {"elisions": {}, "fillers": ["quand même"]}, "negation": {"markers": ["pas"]}, "cues": []}"#.utf8),
         "field normalisation.fillers[0]: \"quand même\" must be one word"),
    ])
    func errors(_ data: Data, _ expected: String) {
        let message = error(data)
        #expect(message.hasPrefix("intent lexicon test.json") || message.contains("bundle:"), "\(message)")
        #expect(message.contains(expected), "\(message)")
    }

    @Test func commentsStartWithAnUnderscore() throws {
        let data = Self.minimal(extra: #""_comment": "tuned for the solar campaign","#)
        #expect(try IntentLexicon(jsonData: data).patternCount == 1)
    }

    @Test func campaignFileExtendsTheBundledLexicon() throws {
        let overlay = Data("""
        {
          "extends": "fr",
          "description": "solar panels: tenants cannot buy",
          "normalisation": {"rewrites": {"loc": "locataire"}},
          "cues": [
            {"intent": "negative", "weight": 4, "patterns": ["locataire", "en appartement"]},
            {"intent": "positive", "weight": 0, "patterns": ["pas mal"]}
          ]
        }
        """.utf8)
        let tuned = IntentClassifier(lexicon: try IntentLexicon(jsonData: overlay, source: "solar.json"))
        let plain = IntentClassifier(lexicon: .default)
        #expect(tuned.lexicon.description == "solar panels: tenants cannot buy")
        #expect(tuned.lexicon.patternCount == plain.lexicon.patternCount + 2, "a replaced pattern is not added twice")
        #expect(tuned.classify("oui mais je suis locataire").intent == .negative)
        #expect(tuned.classify("je suis loc").intent == .negative)
        #expect(plain.classify("je suis locataire").intent != .negative)
        #expect(plain.classify("pas mal").intent == .positive)
        #expect(tuned.classify("pas mal").intent != .positive, "an overlay re-weights a bundled pattern")
        #expect(tuned.classify("ne m'appelez plus").intent == .optOut, "the rest of the bundled lexicon still applies")
    }

    @Test func overlayErrorsUseTheOverlaysOwnIndex() {
        let overlay = Data(#"{"extends": "fr", "cues": [{"intent": "positive", "weight": 1, "patterns": ["a", "a"]}]}"#.utf8)
        #expect(error(overlay).contains("field cues[0].patterns[1]"), "\(error(overlay))")
    }

    @Test func readsAFileAndSaysWhenItCannot() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("intent-lexicon-\(UInt32.random(in: 0...UInt32.max)).json")
        try Self.minimal().write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try IntentLexicon(contentsOf: url).patternCount == 1)
        #expect(throws: IntentLexiconError.self) { try IntentLexicon(contentsOf: url.appendingPathExtension("missing")) }
    }
}

import Testing
@testable import MiniBotCore

@Suite("Intent classifier")
struct IntentClassifierTests {
    let classifier = IntentClassifier(lexicon: .default)

    @Test("Idioms and negations that must be right", arguments: [
        // positive: idioms, negated negatives
        ("pas de problème", Intent.positive), ("Pas de souci !", .positive), ("pourquoi pas", .positive),
        ("Pourquoi pas, oui.", .positive), ("je ne suis pas contre", .positive), ("j'suis pas contre", .positive),
        ("volontiers", .positive), ("ça m'intéresse", .positive), ("ca m interesse", .positive),
        ("ça ne me dérange pas", .positive), ("oui oui d'accord", .positive), ("je dis pas non", .positive),
        ("OUI BIEN SÛR", .positive), ("ouais carrément", .positive), ("euh ben oui", .positive),
        // negative: negated positives, "oui mais non", orphan negations
        ("pas intéressé", .negative), ("je suis pas intéressée", .negative), ("oui mais non", .negative),
        ("absolument pas", .negative), ("non merci", .negative), ("Non, merci.", .negative),
        ("ça ne m'intéresse pas", .negative), ("ça m'intéresse pas du tout", .negative), ("pas du tout", .negative),
        ("certainement pas", .negative), ("nooon", .negative), ("nan", .negative), ("je veux pas", .negative),
        ("non non non", .negative), ("pas d'accord", .negative), ("j'ai pas besoin", .negative),
        // question: with or without "?"
        ("c'est qui", .question), ("C'est qui ?", .question), ("vous appelez de la part de qui", .question),
        ("comment vous avez eu mon numéro", .question), ("qui êtes-vous", .question), ("c'est à quel sujet", .question),
        ("ça coûte combien", .question), ("est-ce que c'est gratuit", .question), ("pardon ?", .question),
        ("j'ai pas compris", .question), ("vous êtes qui", .question), ("qu'est-ce que vous vendez", .question),
        // callback
        ("rappelez-moi plus tard", .callback), ("je suis en réunion", .callback), ("pas maintenant je conduis", .callback),
        ("rappelez demain", .callback), ("rappelez moi dans deux heures", .callback), ("rappelez vers 18h30", .callback),
        ("je suis occupé là", .callback), ("c'est pas le moment", .callback), ("oui mais pas maintenant", .callback),
        // opt_out wins over a plain no
        ("ne m'appelez plus", .optOut), ("je suis sur Bloctel", .optOut), ("retirez mon numéro", .optOut),
        ("arrêtez de m'appeler", .optOut), ("non merci et ne m'appelez plus", .optOut), ("ne me rappelez jamais", .optOut),
        ("Non, non, je suis sur bloctel, arrêtez !", .optOut), ("je veux plus être appelé", .optOut),
        // neutral
        ("je sais pas", .neutral), ("j'sais pas", .neutral), ("peut-être", .neutral), ("bof", .neutral),
        ("faut voir", .neutral), ("", .neutral), ("euh", .neutral), ("allô ?", .neutral), ("...", .neutral),
        ("Sous-titres réalisés par la communauté d'Amara.org", .neutral),
    ])
    func mustPass(_ text: String, _ expected: Intent) {
        let result = classifier.classify(text)
        #expect(result.intent == expected, "\"\(text)\" → \(result.intent) \(classifier.explain(text).cues.map(\.pattern))")
    }

    @Test("Punctuation, accents, case, fillers and repetitions do not change the answer", arguments: [
        ["Je ne suis pas intéressé.", "je ne suis pas interesse", "JE NE SUIS PAS INTÉRESSÉ", "euh je je ne suis euh pas intéressé hein",
         "Je ne suis pas… intéressé", "j'suis pas intéressé", "Je ne suis pas intéressé !"],
        ["Rappelez-moi plus tard.", "rappelez moi plus tard", "RAPPELEZ-MOI PLUS TARD", "euh bah rappelez-moi euh plus tard",
         "Rappelez‐moi plus tard", "rappelez-moi, plus tard, hein"],
        ["C'est qui ?", "c'est qui", "C’est qui", "euh c'est qui", "ben c'est qui hein", "c est qui"],
    ])
    func robustToSurfaceForm(_ variants: [String]) {
        let expected = classifier.classify(variants[0]).intent
        for text in variants {
            #expect(classifier.classify(text).intent == expected, "\"\(text)\"")
        }
    }

    @Test func confidenceIsAProbabilityAndStrongerWithMoreEvidence() {
        for text in ["", "oui", "non", "oui oui bien sûr avec plaisir", "mmh", "c'est qui ?"] {
            let confidence = classifier.classify(text).confidence
            #expect(confidence > 0 && confidence <= 1, "\(text): \(confidence)")
        }
        #expect(classifier.classify("oui bien sûr avec plaisir").confidence > classifier.classify("bien").confidence)
        #expect(classifier.classify("").confidence < 0.5, "nothing heard is an unsure neutral")
    }

    @Test("Odd input gives an answer, not a crash", arguments: [
        "👍", "?!?!", "\t\n\r", "0612345678", "inte\u{0301}resse\u{0301}", "مرحبا", "oui 🙂 d’accord",
        String(repeating: "euh ben ", count: 5000) + "oui", String(repeating: "non pas ", count: 3000),
    ])
    func oddInput(_ text: String) {
        let result = classifier.classify(text)
        #expect(result.confidence > 0 && result.confidence <= 1)
        #expect(result == classifier.explain(text).result)
    }

    @Test func combiningAccentsAreFolded() {
        #expect(classifier.classify("ça m'inte\u{0301}resse").intent == .positive)
        #expect(classifier.classify("pas inte\u{0301}resse\u{0301}").intent == .negative)
    }

    @Test func explanationShowsNegationAndScores() {
        let explanation = classifier.explain("je ne suis pas contre")
        #expect(explanation.tokens == ["je", "suis", "pas", "contre"])
        #expect(explanation.cues.count == 1)
        #expect(explanation.cues.first?.negated == true)
        #expect(explanation.cues.first?.intent == .positive)
        #expect(explanation.result == classifier.classify("je ne suis pas contre"))
        #expect((explanation.scores[.positive] ?? 0) > (explanation.scores[.negative] ?? 0))
    }

    @Test func contrastWeighsWhatComesAfterMais() {
        let explanation = classifier.explain("oui mais non")
        let oui = explanation.cues.first { $0.matched == "oui" }
        let non = explanation.cues.first { $0.matched == "non" }
        #expect(oui?.weight ?? 0 < non?.weight ?? 0)
        #expect(classifier.classify("non mais d'accord").intent == .positive)
    }

    @Test("The tokenizer normalises recogniser output", arguments: [
        ("J’suis pas intéressé…", "je suis pas interesse"),
        ("Rappelez-moi à 18h30.", "rappelez moi a 18 h 30"),
        ("Ouais ouais, c'est OK", "oui ce est ok"),
        ("Je ne sais pas", "je sais pas"),
        ("qu'est-ce que c'est", "que est ce que ce est"),
        ("nooon merciii", "non merci"),
        ("aujourd'hui", "aujourdhui"),
        ("Œuvre ÇA", "oeuvre ca"),
    ])
    func tokenizer(_ text: String, _ expected: String) {
        let tokens = IntentTokenizer(tables: IntentLexicon.default.tables).tokenize(text).tokens
        #expect(tokens.map(\.text).joined(separator: " ") == expected)
    }

    @Test func tokenizerMarksQuestionMarksInversionsAndClauses() {
        let tokenizer = IntentTokenizer(tables: IntentLexicon.default.tables)
        #expect(tokenizer.tokenize("Pouvez-vous répéter").inversion)
        #expect(!tokenizer.tokenize("Rappelez-moi").inversion)
        #expect(tokenizer.tokenize("oui ?").questionMark)
        let clauses = tokenizer.tokenize("Oui, bon. Non... enfin non").tokens.map(\.clause)
        #expect(clauses == [0, 1, 2, 2, 2], "\(clauses)")
    }
}

import MiniBotCore

/// The people the demo calls: each sample contact (by last name) plays one
/// kind of callee, and the demo knows what the campaign should make of them.
struct DemoPersona: Sendable {
    enum Kind: String, Sendable, CaseIterable, Encodable {
        case interested, refuses
        case asksWho = "asks who"
        case voicemail, silent
        case hangsUp = "hangs up"
        case optsOut = "opts out"
        case busy
        case noAnswer = "no answer"
    }

    var kind: Kind
    /// Said right after the answer ("Allô ?"); nil: a voicemail greeting or silence.
    var greeting: String?
    /// The answers, one per listening step, in order.
    var answers: [String]
    /// The track ends (and baresip hangs up) right after the last answer.
    var hangsUp = false
    /// A voicemail greeting and beep instead of a person.
    var voicemail: String?
    /// The contact's status the campaign should end with.
    var expected: ContactStatus

    /// Answers at 8 kHz through µ-law that Whisper base hears right (a bare
    /// "Oui." from Pico it does not), as the end-to-end test found; the
    /// opt-out is short because the longer "…, je ne veux plus être appelé"
    /// came out as "je ne veux pas de moi" in one run of two.
    static func make(_ kind: Kind) -> DemoPersona {
        switch kind {
        case .interested:
            DemoPersona(kind: kind, greeting: "Allô ?",
                        answers: ["Oui, bien sûr, allez-y.", "Oui, je suis propriétaire.", "Non, pas vraiment.", "Non, pas vraiment.",
                                  "Oui, tout à fait, ça m'intéresse beaucoup.", "Le matin, c'est mieux."],
                        expected: .leads)
        case .refuses:
            DemoPersona(kind: kind, greeting: "Allô ?", answers: ["Non merci, ça ne m'intéresse pas.", "Non, vraiment pas, au revoir."],
                        expected: .notInterested)
        case .asksWho:
            DemoPersona(kind: kind, greeting: "Allô ?", answers: ["C'est qui ?", "Non merci, ça ne m'intéresse pas."], expected: .notInterested)
        case .voicemail:
            DemoPersona(kind: kind, greeting: nil, answers: [],
                        voicemail: "Bonjour, vous êtes bien sur la messagerie de Paul Martin. Je ne suis pas disponible pour le moment, laissez-moi un message après le bip.",
                        expected: .noAnswer)
        case .silent:
            DemoPersona(kind: kind, greeting: nil, answers: [], expected: .noAnswer)
        case .hangsUp:
            DemoPersona(kind: kind, greeting: "Allô ?", answers: ["Oui, je vous écoute."], hangsUp: true, expected: .noAnswer)
        case .optsOut:
            DemoPersona(kind: kind, greeting: "Allô ?", answers: ["Retirez mon numéro de votre liste."],
                        expected: .optOut)
        case .busy, .noAnswer:
            DemoPersona(kind: kind, greeting: nil, answers: [], expected: .noAnswer)
        }
    }

    /// Who each contact of `demo-contacts.csv` is, by last name: 20 contacts,
    /// two or three of each kind.
    static let byLastName: [String: Kind] = [
        // The lowest numbers are dialled first: the long calls start early.
        "Michel": .interested, "David": .interested, "Durand": .interested,
        "Bernard": .refuses, "Robert": .refuses, "Leroy": .refuses,
        "Thomas": .asksWho, "Dubois": .asksWho,
        "Richard": .voicemail, "Simon": .voicemail,
        "Petit": .silent, "Laurent": .silent,
        "Moreau": .hangsUp, "Lefebvre": .hangsUp,
        "Martin": .optsOut, "Vincent": .optsOut,
        "Roux": .busy, "Garcia": .busy,
        "Bertrand": .noAnswer, "Fournier": .noAnswer,
    ]
}

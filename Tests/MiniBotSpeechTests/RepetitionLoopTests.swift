import Testing
@testable import MiniBotSpeech

@Suite struct RepetitionLoopTests {
    @Test func findsWhisperLoopsAndCutsThemToOneOccurrence() {
        let looped = "je ne veux pas votre liste je je ne veux pas votre liste je " + String(repeating: "je ", count: 60)
        #expect(RepetitionLoop.loops(looped))
        #expect(RepetitionLoop.cut(looped) == "je ne veux pas votre liste je je ne veux pas votre liste je")
        let phrase = "Merci. " + String(repeating: "Au revoir. ", count: 8)
        #expect(RepetitionLoop.cut(phrase) == "Merci. Au revoir.")
        let twoWords = "oui bien sûr " + String(repeating: "c'est ça ", count: 5) + "merci"
        #expect(RepetitionLoop.cut(twoWords) == "oui bien sûr c'est ça merci")
    }

    @Test func realAnswersAreLeftAlone() {
        for answer in ["non non non", "oui oui oui d'accord", "allô allô allô ?", "non merci non merci", "",
                       "ne m'appelez plus, je ne veux pas être sur votre liste", "oui, je suis intéressé, oui"] {
            #expect(!RepetitionLoop.loops(answer), "\(answer)")
            #expect(RepetitionLoop.cut(answer) == answer.split(whereSeparator: \.isWhitespace).joined(separator: " "))
        }
    }
}

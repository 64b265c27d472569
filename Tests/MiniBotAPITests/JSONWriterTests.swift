import Foundation
import MiniBotCore
import Testing
@testable import MiniBotAPI

/// The hand-written JSON of the call listings against what `JSONEncoder`
/// writes for the same values through the types' `Encodable` conformances:
/// byte for byte, so a member added to ``Call`` and forgotten in
/// `CallJSON.swift` (or a change in Foundation's output) fails here.
@Suite struct JSONWriterTests {
    static let awkwardTexts = [
        "", "plain", "quote \" and backslash \\ and slash /", "lines\nand\ttabs\r", "\u{0}\u{1}\u{8}\u{b}\u{c}\u{1f}\u{7f}",
        "français : ça coûte 10 €", "emoji 📞 and combining e\u{301}", "</script><!--",
    ]

    static let awkwardDates = [
        Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_790_000_000.999), Date(timeIntervalSince1970: -1.5),
        Date(timeIntervalSince1970: 951_782_400), // 2000-02-29
        Date(timeIntervalSince1970: 4_102_444_799), // 2099-12-31T23:59:59Z
        Date(timeIntervalSince1970: -2_208_988_800), // 1900-01-01
        Date(timeIntervalSince1970: 1_709_251_199.5), // 2024-02-29T23:59:59.5Z
    ]

    static let awkwardNumbers: [Double] = [0, -0.0, 40, 12.5, 0.1, 1e-05, 1e21, 123_456_789.125, -3.25, 1e300, 5e-324]

    static func encoded(_ value: some Encodable) throws -> String {
        String(decoding: try APIJSON.encoder.encode(value), as: UTF8.self)
    }

    static func written(_ value: some JSONWritable) -> String {
        var json = JSONWriter()
        value.write(to: &json)
        return String(decoding: json.bytes, as: UTF8.self)
    }

    static func calls() -> [Call] {
        var calls = [Call(callID: "c-min", phone: "+33612345678", startedAt: Date(timeIntervalSince1970: 1_790_000_000))]
        for (index, text) in awkwardTexts.enumerated() {
            let date = awkwardDates[index % awkwardDates.count]
            calls.append(Call(
                callID: "c-\(index)", phone: "+3361234567\(index)", campaignID: text, status: CallStatus.allCases[index % CallStatus.allCases.count],
                amdResult: AMDResult.allCases[index % AMDResult.allCases.count], finalIntent: text, isLead: index % 2 == 0,
                duration: awkwardNumbers[index % awkwardNumbers.count], recordingPath: "calls/2026/\(text).wav", transcriptPath: text,
                startedAt: date, answeredAt: awkwardDates[(index + 1) % awkwardDates.count], endedAt: awkwardDates[(index + 2) % awkwardDates.count],
                hangupCause: text, outcome: ContactStatus.allCases[index % ContactStatus.allCases.count], endReason: text,
                filesPurgedAt: awkwardDates[(index + 3) % awkwardDates.count]))
        }
        return calls
    }

    static func interactions() -> [CallInteraction] {
        var turns = [CallInteraction(callID: "c-1", sequence: 0, step: "hello", prompt: "Bonjour", transcription: "",
                                     startedAt: awkwardDates[0], endedAt: awkwardDates[1])]
        for (index, text) in awkwardTexts.enumerated() {
            turns.append(CallInteraction(
                callID: "c-1", sequence: index + 1, step: text, prompt: text, transcription: text, intent: text,
                confidence: awkwardNumbers[index % awkwardNumbers.count], responseDuration: awkwardNumbers[(index + 1) % awkwardNumbers.count],
                startedAt: awkwardDates[index % awkwardDates.count], endedAt: awkwardDates[(index + 1) % awkwardDates.count],
                transcriptionSeconds: awkwardNumbers[(index + 2) % awkwardNumbers.count], error: text, clipPath: text))
        }
        return turns
    }

    @Test func aCallIsWrittenAsJSONEncoderWritesIt() throws {
        for call in Self.calls() {
            #expect(Self.written(call) == (try Self.encoded(call)))
        }
    }

    @Test func aTurnIsWrittenAsJSONEncoderWritesIt() throws {
        for turn in Self.interactions() {
            let expected = try Self.encoded(turn)
            #expect(Self.written(turn) == expected, "\(Self.written(turn))\n\(expected)")
        }
    }

    @Test func everyDateOfFourCenturiesIsWrittenAsJSONEncoderWritesIt() throws {
        // One instant a day at a changing time of day, 1900 to 2299: every leap rule.
        let dates = stride(from: -2_208_988_800.0, to: 10_413_792_000, by: 86_400 + 3_661.25).map(Date.init(timeIntervalSince1970:))
        let written = dates.map { date -> String in
            var json = JSONWriter()
            json.value(date)
            return String(decoding: json.bytes, as: UTF8.self)
        }
        #expect(written == dates.map { try! Self.encoded($0) })
    }

    @Test func aPageAndACallWithItsTurnsAreWrittenAsJSONEncoderWritesThem() throws {
        let calls = Self.calls()
        let numbered = PageResponse(calls, page: Page(page: 3, pageSize: 50), total: 1_000, nextCursor: "djEu", numbered: true)
        #expect(Self.written(numbered) == (try Self.encoded(numbered)))
        let byCursor = PageResponse(calls, page: Page(page: 1, pageSize: 2), nextCursor: nil, numbered: false)
        #expect(Self.written(byCursor) == (try Self.encoded(byCursor)))
        let empty = PageResponse([Call](), page: Page(page: 1, pageSize: 50), total: 0)
        #expect(Self.written(empty) == (try Self.encoded(empty)))

        /// How the route answered before it wrote by hand: the call's members and `interactions`, sorted together.
        struct EncodedDetail: Encodable {
            var call: Call
            var interactions: [CallInteraction]
            enum CodingKeys: String, CodingKey { case interactions }
            func encode(to encoder: any Encoder) throws {
                try call.encode(to: encoder)
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(interactions, forKey: .interactions)
            }
        }
        for call in calls {
            let detail = CallRoutes.CallDetail(call: call, interactions: Self.interactions())
            #expect(Self.written(detail) == (try Self.encoded(EncodedDetail(call: call, interactions: Self.interactions()))))
        }
    }
}

import Testing
@testable import MiniBotCore

@Suite("Caller ID")
struct CallerIDTests {
    struct Counter: RandomNumberGenerator {
        var value: UInt64 = 0
        mutating func next() -> UInt64 { value &+= 0x9E37_79B9_7F4A_7C15; return value }
    }

    @Test func staticAndDynamic() {
        var generator = Counter()
        #expect(MiniBotConfig.CallerID(mode: .static, number: "+33100000000", pool: ["+33200000000"]).next(using: &generator) == "+33100000000")
        #expect(MiniBotConfig.CallerID(mode: .static).next(using: &generator) == nil)
        let pool = ["+33100000001", "+33100000002", "+33100000003"]
        let dynamic = MiniBotConfig.CallerID(mode: .dynamic, number: "+33100000000", pool: pool)
        let picks = Set((0..<50).compactMap { _ in dynamic.next(using: &generator) })
        #expect(picks == Set(pool))
        #expect(MiniBotConfig.CallerID(mode: .dynamic, number: "+33100000000").next(using: &generator) == "+33100000000")
    }
}

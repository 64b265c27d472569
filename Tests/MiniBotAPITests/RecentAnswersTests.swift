import Synchronization
import Testing
@testable import MiniBotAPI

@Suite struct RecentAnswersTests {
    final class Counter: Sendable {
        let calls = Mutex(0)
        func next() async throws -> Int {
            try await Task.sleep(for: .milliseconds(50))
            return calls.withLock { $0 += 1; return $0 }
        }
    }

    @Test func concurrentFirstRequestsShareOneComputation() async throws {
        let answers = RecentAnswers<Int>(maxAge: .seconds(60))
        let counter = Counter()
        let got = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<10 { group.addTask { try await answers.value("k") { try await counter.next() } } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(got == Array(repeating: 1, count: 10))
        #expect(counter.calls.withLock { $0 } == 1)
        #expect(try await answers.value("other") { try await counter.next() } == 2)
    }

    @Test func staleAnswersComeAtOnceWhileOneRefreshRuns() async throws {
        let answers = RecentAnswers<Int>(maxAge: .milliseconds(100))
        let counter = Counter()
        #expect(try await answers.value("k") { try await counter.next() } == 1)
        try await Task.sleep(for: .milliseconds(150))
        // Stale: the old answer now, a refresh behind it.
        let start = ContinuousClock.now
        #expect(try await answers.value("k") { try await counter.next() } == 1)
        #expect(try await answers.value("k") { try await counter.next() } == 1)
        #expect(ContinuousClock.now - start < .milliseconds(40))
        try await Task.sleep(for: .milliseconds(120))
        #expect(try await answers.value("k") { try await counter.next() } == 2)
        #expect(counter.calls.withLock { $0 } == 2)
    }

    @Test func zeroMaxAgeComputesEveryTimeAndFailuresAreNotKept() async throws {
        let fresh = RecentAnswers<Int>(maxAge: .zero)
        let counter = Counter()
        #expect(try await fresh.value("k") { try await counter.next() } == 1)
        #expect(try await fresh.value("k") { try await counter.next() } == 2)
        struct Broken: Error {}
        let kept = RecentAnswers<Int>(maxAge: .seconds(60))
        await #expect(throws: Broken.self) { try await kept.value("k") { throw Broken() } }
        #expect(try await kept.value("k") { try await counter.next() } == 3)
    }
}

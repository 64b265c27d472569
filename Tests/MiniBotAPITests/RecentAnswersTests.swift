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
        let answers = RecentAnswers<String, Int>(maxAge: .seconds(60))
        let counter = Counter()
        let got = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<10 { group.addTask { try await answers.value("k") { try await counter.next() } } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(got == Array(repeating: 1, count: 10))
        #expect(counter.calls.withLock { $0 } == 1)
        #expect(try await answers.value("other") { try await counter.next() } == 2)
    }

    /// A computation held until the test lets it go.
    final class Gate: Sendable {
        let waiting = Mutex<[CheckedContinuation<Void, Never>]>([])
        let open = Mutex(false)
        func pass() async {
            await withCheckedContinuation { continuation in
                let go = open.withLock { $0 }
                if go { continuation.resume() } else { waiting.withLock { $0.append(continuation) } }
            }
        }
        func release() {
            open.withLock { $0 = true }
            for continuation in waiting.withLock({ w in defer { w.removeAll() }; return w }) { continuation.resume() }
        }
    }

    @Test func staleAnswersComeAtOnceWhileOneRefreshRuns() async throws {
        let answers = RecentAnswers<String, Int>(maxAge: .milliseconds(50))
        let computed = Mutex(0)
        #expect(try await answers.value("k") { computed.withLock { $0 += 1; return $0 } } == 1)
        try await Task.sleep(for: .milliseconds(80))
        // Stale: the old answer comes back although the refresh cannot finish yet, and only one refresh starts.
        let gate = Gate()
        let held: @Sendable () async throws -> Int = {
            await gate.pass()
            return computed.withLock { $0 += 1; return $0 }
        }
        #expect(try await answers.value("k", held) == 1)
        #expect(try await answers.value("k", held) == 1)
        gate.release()
        var latest = 1
        for _ in 0..<200 where latest == 1 {
            try await Task.sleep(for: .milliseconds(10))
            latest = try await answers.value("k") { computed.withLock { $0 } }
        }
        #expect(latest == 2)
        #expect(computed.withLock { $0 } == 2)
    }

    @Test func zeroMaxAgeComputesEveryTimeAndFailuresAreNotKept() async throws {
        let fresh = RecentAnswers<String, Int>(maxAge: .zero)
        let counter = Counter()
        #expect(try await fresh.value("k") { try await counter.next() } == 1)
        #expect(try await fresh.value("k") { try await counter.next() } == 2)
        struct Broken: Error {}
        let kept = RecentAnswers<String, Int>(maxAge: .seconds(60))
        await #expect(throws: Broken.self) { try await kept.value("k") { throw Broken() } }
        #expect(try await kept.value("k") { try await counter.next() } == 3)
    }

    @Test func aFullCacheDropsItsOldestAnswerForANewKey() async throws {
        let answers = RecentAnswers<String, Int>(maxAge: .seconds(60), capacity: 2)
        let counter = Counter()
        #expect(try await answers.value("a") { try await counter.next() } == 1)
        #expect(try await answers.value("b") { try await counter.next() } == 2)
        // The entry is written just after the answer is handed out: let it land.
        try await Task.sleep(for: .milliseconds(50))
        #expect(try await answers.value("c") { try await counter.next() } == 3)
        try await Task.sleep(for: .milliseconds(50))
        #expect(try await answers.value("b") { try await counter.next() } == 2)
        #expect(try await answers.value("c") { try await counter.next() } == 3)
        #expect(try await answers.value("a") { try await counter.next() } == 4)
    }
}

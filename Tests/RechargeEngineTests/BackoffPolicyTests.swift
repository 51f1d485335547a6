import TestSupport
import Testing

@testable import RechargeEngine

@Suite struct BackoffPolicyTests {
    let policy = BackoffPolicy(base: .milliseconds(100), cap: .seconds(10), maximumAttempts: 5)

    /// Attempt n's delay lies in 0...min(cap, base * 2^(n-1)), and the jitter really spreads over that range.
    @Test(arguments: 1...10) func delayStaysWithinItsCeiling(attempt: Int) {
        let expected = min(Duration.seconds(10), .milliseconds(100) * (1 << (attempt - 1)))
        #expect(self.policy.ceiling(forAttempt: attempt) == expected)
        var random = SeededRandom(seed: UInt64(attempt))
        let delays = (0..<500).map { _ in self.policy.delay(forAttempt: attempt, random: &random) }
        #expect(delays.allSatisfy { $0 >= .zero && $0 <= expected })
        #expect(delays.min()! < expected / 4)
        #expect(delays.max()! > expected * 3 / 4)
    }

    /// The same seed gives the same delays.
    @Test func seededDelaysRepeat() {
        var first = SeededRandom(seed: 42)
        var second = SeededRandom(seed: 42)
        let a = (1...10).map { self.policy.delay(forAttempt: $0, random: &first) }
        let b = (1...10).map { self.policy.delay(forAttempt: $0, random: &second) }
        #expect(a == b)
    }

    /// Huge attempt numbers neither overflow nor exceed the cap, even with a cap near `Duration`'s limits.
    @Test(arguments: [11, 63, 64, 65, 1_000, Int.max]) func hugeAttemptsAreCapped(attempt: Int) {
        #expect(self.policy.ceiling(forAttempt: attempt) == .seconds(10))
        var random = SeededRandom(seed: 7)
        #expect(self.policy.delay(forAttempt: attempt, random: &random) <= .seconds(10))
        let wide = BackoffPolicy(base: .nanoseconds(1), cap: .seconds(Int64.max), maximumAttempts: 3)
        #expect(wide.ceiling(forAttempt: attempt) <= .seconds(Int64.max))
        #expect(wide.delay(forAttempt: attempt, random: &random) >= .zero)
    }

    /// Attempt numbers below one count as the first attempt.
    @Test(arguments: [Int.min, -1, 0]) func nonPositiveAttemptsCountAsFirst(attempt: Int) {
        #expect(self.policy.ceiling(forAttempt: attempt) == .milliseconds(100))
    }

    /// The wait is never shorter than the provider's Retry-After, even beyond the cap; jitter still applies above it.
    @Test(arguments: [Duration.zero, .milliseconds(50), .seconds(3), .seconds(60)])
    func retryAfterIsAFloor(retryAfter: Duration) {
        var random = SeededRandom(seed: 3)
        for attempt in 1...10 {
            let delay = self.policy.delay(forAttempt: attempt, retryAfter: retryAfter, random: &random)
            #expect(delay >= retryAfter)
            #expect(delay <= max(retryAfter, self.policy.ceiling(forAttempt: attempt)))
        }
        let without = self.policy.delay(forAttempt: 1, retryAfter: nil, random: &random)
        #expect(without <= .milliseconds(100))
    }

    /// Attempts are bounded: a request gets `maximumAttempts` tries in all.
    @Test func attemptsAreBounded() {
        #expect((1...6).map(self.policy.allowsRetry(afterAttempt:)) == [true, true, true, true, false, false])
    }
}

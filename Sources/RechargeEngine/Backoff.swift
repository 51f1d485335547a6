/// When to try a retryable request again: capped exponential backoff with full jitter, a bounded number of
/// attempts, and never sooner than the provider's own `Retry-After`.
///
/// Full jitter (a uniform delay in `0...min(cap, base * 2^(n-1))`) spreads retries from many lines that failed
/// together, so they do not come back as one burst; the cap keeps a long outage from pushing retries out
/// indefinitely. The random source is passed in, so tests use a seeded generator.
package struct BackoffPolicy: Hashable, Sendable {
    /// The ceiling of the first retry's delay; doubles with each further attempt.
    package var base: Duration
    /// No computed delay exceeds this (a provider's `Retry-After` may).
    package var cap: Duration
    /// How many attempts a request gets in total, the first one included.
    package var maximumAttempts: Int

    /// - Parameters:
    ///   - base: The first retry's ceiling; positive.
    ///   - cap: The largest delay the policy computes; at least `base`.
    ///   - maximumAttempts: Attempts in total, the first included; at least one.
    package init(base: Duration, cap: Duration, maximumAttempts: Int) {
        precondition(base > .zero, "a backoff base must be positive")
        precondition(cap >= base, "a backoff cap must be at least the base")
        precondition(maximumAttempts >= 1, "a request gets at least one attempt")
        self.base = base
        self.cap = cap
        self.maximumAttempts = maximumAttempts
    }

    /// Whether a request that has failed `attempt` times (retryably) may be tried again.
    /// - Parameter attempt: Attempts made so far, starting at one.
    /// - Returns: `true` while the policy allows another attempt.
    package func allowsRetry(afterAttempt attempt: Int) -> Bool { attempt < self.maximumAttempts }

    /// The largest delay for attempt `n`: `min(cap, base * 2^(n-1))`, computed without overflow for any `n`.
    /// - Parameter n: The attempt that failed, starting at one; values below one count as one.
    /// - Returns: The jitter's upper bound.
    package func ceiling(forAttempt n: Int) -> Duration {
        var ceiling = self.base
        var doublings = Swift.max(n, 1) - 1
        // Stop doubling once the cap is reached, so neither the exponent nor the product can overflow.
        while doublings > 0, ceiling < self.cap {
            guard ceiling <= self.cap / 2 else { return self.cap }
            ceiling = ceiling * 2
            doublings -= 1
        }
        return Swift.min(ceiling, self.cap)
    }

    /// A full-jitter delay before retrying after attempt `n`: uniform in `0...ceiling(forAttempt: n)`, to the
    /// nanosecond.
    /// - Parameters:
    ///   - n: The attempt that failed, starting at one.
    ///   - random: The random source; seeded in tests.
    /// - Returns: How long to wait before the next attempt.
    package func delay(forAttempt n: Int, random: inout some RandomNumberGenerator) -> Duration {
        let nanoseconds = Self.nanoseconds(in: self.ceiling(forAttempt: n))
        return .nanoseconds(Int64.random(in: 0...nanoseconds, using: &random))
    }

    /// A full-jitter delay that is never shorter than the provider's `Retry-After`.
    ///
    /// The provider knows its own recovery time; waiting less only earns another 429. `Retry-After` may
    /// exceed the cap: the cap bounds our guess, not the provider's instruction.
    /// - Parameters:
    ///   - n: The attempt that failed, starting at one.
    ///   - retryAfter: The provider's `Retry-After`, if it sent one; negative values count as zero.
    ///   - random: The random source; seeded in tests.
    /// - Returns: How long to wait before the next attempt.
    package func delay(forAttempt n: Int, retryAfter: Duration?, random: inout some RandomNumberGenerator) -> Duration {
        let jittered = self.delay(forAttempt: n, random: &random)
        guard let retryAfter else { return jittered }
        return Swift.max(jittered, retryAfter)
    }

    /// Whole nanoseconds in `duration`, saturating at `Int64.max` (about 292 years).
    private static func nanoseconds(in duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return .max }
        let (total, overflow2) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflow2 ? .max : total
    }
}

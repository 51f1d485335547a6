import RechargeCore

/// An account's rate budget as a lane spends it: kept in this process (``RateLimiter``), or shared by every runner of
/// a store (``SharedRateLimiter``).
package protocol RequestBudget<C>: Sendable {
    associatedtype C: Clock where C.Duration == Duration
    /// Waits for the account's next slot.
    func acquire() async throws
    /// Takes the next slot if it is due now; `false` (nothing taken) when the caller must ``acquire()``.
    func tryAcquire() async -> Bool
    /// Holds the account until `instant` (a 429 or `Retry-After`).
    func pause(until instant: C.Instant) async
}

extension RateLimiter: RequestBudget {}

/// The budget of a provider account shared by several runners: each slot is reserved in the store (GCRA on the
/// store's clock, one round trip), then waited for on this runner's clock. Whatever the number of runners, the
/// provider sees the account's rate and burst, not one per runner.
///
/// A slot reserved by a waiter that is then cancelled is not given back: it leaves a gap of one interval, never an
/// extra request. A 429 pauses the account for every runner.
package final class SharedRateLimiter<C: Clock>: RequestBudget where C.Duration == Duration {
    private let budget: any SharedRateBudget
    private let account: String
    private let interval: Duration
    private let tolerance: Duration
    private let clock: C

    package init(budget: any SharedRateBudget, account: String, limit: RateLimit, clock: C) {
        self.budget = budget
        self.account = account
        self.interval = limit.interval
        self.tolerance = limit.interval * (limit.burst - 1)
        self.clock = clock
    }

    package func acquire() async throws {
        try Task.checkCancellation()
        let wait = try await self.budget.reserve(account: self.account, interval: self.interval, tolerance: self.tolerance)
        if wait > .zero { try await self.clock.sleep(for: wait) }
    }

    /// Always the slow path: a reservation in the store is a wait the caller must be able to cancel.
    package func tryAcquire() async -> Bool { false }

    package func pause(until instant: C.Instant) async {
        let duration = self.clock.now.duration(to: instant)
        guard duration > .zero else { return }
        try? await self.budget.pause(account: self.account, for: duration, tolerance: self.tolerance)
    }
}

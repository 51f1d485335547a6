/// How fast one provider account may be called: a steady rate and a burst on top of it.
package struct RateLimit: Hashable, Sendable {
    /// Requests per second, sustained.
    package var requestsPerSecond: Double
    /// How many requests may go out back to back when the account has been idle.
    package var burst: Int

    /// - Parameters:
    ///   - requestsPerSecond: The sustained rate; must be positive.
    ///   - burst: The bucket size; at least one.
    package init(requestsPerSecond: Double, burst: Int) {
        // At least one request a century keeps the interval within `Int64` nanoseconds.
        precondition(requestsPerSecond >= 1e-9 && requestsPerSecond.isFinite, "a rate limit needs a positive, finite rate")
        precondition(burst >= 1, "a rate limit needs a burst of at least one")
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
    }

    /// The time between two requests at the sustained rate.
    var interval: Duration { .nanoseconds(Int64((1_000_000_000 / self.requestsPerSecond).rounded())) }
}

/// A token bucket for one provider account, driven by an injected clock.
///
/// It is the generic cell rate algorithm (GCRA), which behaves exactly like a token bucket of `burst` tokens
/// refilled at `requestsPerSecond` but keeps only one instant: the theoretical arrival time (`tat`). Every
/// ``acquire()`` first *reserves* its slot — computes the instant it is due and advances `tat` — and only then
/// sleeps on the clock until that instant. Because reservation happens on the actor before any suspension,
/// waiters are served in the order they called `acquire()` and the schedule is exact, whatever order the
/// sleeping tasks happen to wake up in. Status queries and retries call the same limiter, so they spend the
/// same budget as first sends (DESIGN §3).
///
/// A ``pause(until:)`` (a 429 or `Retry-After`) holds this account only: no acquire completes before that
/// instant, waiters already asleep are moved behind it in their original order, and the bucket counts as empty
/// at that instant, so the account restarts at the sustained rate rather than with a burst.
///
/// Cancellation: a cancelled waiter throws `CancellationError` and its reservation is dropped. If it was the
/// newest reservation, its slot is given back; otherwise it leaves a hole of one interval in the schedule.
/// Later waiters keep the instants they were promised — they are never moved earlier, because their sleeps
/// are already set, and never later, so cancelling one waiter cannot delay the others. The cost is at most one
/// unused slot per cancellation, and the rate is never exceeded.
package actor RateLimiter<C: Clock> where C.Duration == Duration {
    /// One waiter's slot; `due` may move later (never earlier) when the account is paused.
    private struct Reservation {
        var due: C.Instant
        /// `tat` before and after this reservation, so the newest reservation can be given back exactly.
        let tatBefore: C.Instant?
        let tatAfter: C.Instant
    }

    private let clock: C
    /// Time between two slots at the sustained rate; zero when the limiter only honours pauses.
    private let interval: Duration
    /// How far ahead of `tat` a request may go: `(burst - 1) * interval` (the bucket size, in time).
    private let tolerance: Duration
    /// The theoretical arrival time of the next request; `nil` until the first request, i.e. a full bucket.
    private var tat: C.Instant?
    /// No acquire completes before this instant.
    private var pausedUntil: C.Instant?
    /// Waiters that have reserved a slot and have not completed, keyed by a FIFO ticket number.
    private var reservations: [UInt64: Reservation] = [:]
    private var nextTicket: UInt64 = 0

    /// - Parameters:
    ///   - limit: The account's rate and burst; `nil` for an account without a configured rate, which then
    ///     only honours pauses.
    ///   - clock: Where time comes from; a manual clock in tests.
    package init(limit: RateLimit?, clock: C) {
        self.clock = clock
        if let limit {
            self.interval = limit.interval
            self.tolerance = limit.interval * (limit.burst - 1)
        } else {
            self.interval = .zero
            self.tolerance = .zero
        }
    }

    /// Waits for this account's next slot.
    ///
    /// The slot is reserved before the wait, so callers are served first come, first served.
    /// - Throws: `CancellationError` if the task is cancelled before its slot; the slot is then released
    ///   as described on ``RateLimiter``.
    package func acquire() async throws {
        try Task.checkCancellation()
        let ticket = self.reserve(at: self.clock.now)
        while let reservation = self.reservations[ticket] {
            let due = reservation.due
            if due <= self.clock.now {
                self.reservations[ticket] = nil
                return
            }
            do {
                try await self.clock.sleep(until: due, tolerance: nil)
            } catch {
                self.cancel(ticket)
                throw CancellationError()
            }
            // A pause while asleep may have moved the slot later; the loop then sleeps again.
        }
    }

    /// Takes this account's next slot if it is due now, without waiting; `false` (and nothing reserved) otherwise.
    package func tryAcquire() -> Bool {
        let now = self.clock.now
        var due = now
        if let tat { due = Swift.max(due, tat.advanced(by: .zero - self.tolerance)) }
        if let pausedUntil { due = Swift.max(due, pausedUntil) }
        guard due <= now, self.reservations.isEmpty else { return false }
        self.tat = Swift.max(self.tat ?? due, due).advanced(by: self.interval)
        return true
    }

    /// Holds every acquire of this account until `instant` (a 429 or `Retry-After` from the provider).
    ///
    /// Waiters already asleep keep their order and are re-spaced at the sustained rate starting at `instant`;
    /// an earlier pause than one already in force changes nothing.
    /// - Parameter instant: The first instant at which a request may go out again.
    package func pause(until instant: C.Instant) {
        if let pausedUntil, pausedUntil >= instant { return }
        self.pausedUntil = instant
        // Re-plan outstanding slots from an empty bucket at `instant`, in ticket (FIFO) order.
        var cursor = instant
        for ticket in self.reservations.keys.sorted() {
            let due = Swift.max(self.reservations[ticket]!.due, cursor)
            self.reservations[ticket]!.due = due
            cursor = due.advanced(by: self.interval)
        }
        // The next new request is due no earlier than `cursor`: `tat - tolerance >= cursor`.
        let emptyAtCursor = cursor.advanced(by: self.tolerance)
        self.tat = self.tat.map { Swift.max($0, emptyAtCursor) } ?? emptyAtCursor
    }

    /// The number of waiters holding a reservation; for diagnostics and tests.
    package var waiting: Int { self.reservations.count }

    /// Computes the next slot and advances the schedule past it (GCRA: due = max(now, tat - tolerance)).
    private func reserve(at now: C.Instant) -> UInt64 {
        var due = now
        if let tat { due = Swift.max(due, tat.advanced(by: .zero - self.tolerance)) }
        if let pausedUntil { due = Swift.max(due, pausedUntil) }
        let tatBefore = self.tat
        let tatAfter = Swift.max(self.tat ?? due, due).advanced(by: self.interval)
        self.tat = tatAfter
        let ticket = self.nextTicket
        self.nextTicket += 1
        self.reservations[ticket] = Reservation(due: due, tatBefore: tatBefore, tatAfter: tatAfter)
        return ticket
    }

    /// Drops a cancelled waiter's reservation, giving its slot back when nothing was reserved after it.
    private func cancel(_ ticket: UInt64) {
        guard let reservation = self.reservations.removeValue(forKey: ticket) else { return }
        if self.tat == reservation.tatAfter, ticket == self.nextTicket - 1 {
            self.tat = reservation.tatBefore
        }
    }
}

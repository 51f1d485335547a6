/// Stops calling a provider account that keeps failing, then lets one probe test whether it has recovered.
///
/// A value state machine: it does no I/O and reads no clock; the caller passes `now` and acts on the returned
/// ``Decision``. States and their valid transitions:
///
/// - `closed(consecutiveFailures:)` — requests flow. Valid transitions to: `closed` (success resets the count,
///   failure increments it), `open` (the `failureThreshold`-th consecutive failure).
/// - `open(until:)` — nothing is sent until the cooldown ends. Valid transitions to: `halfOpen` (the first
///   ``canSend(at:)`` at or after `until`, which is handed the probe).
/// - `halfOpen` — exactly one probe is in flight; everyone else waits for its outcome. Valid transitions to:
///   `closed` (the probe succeeded), `open` (the probe failed: a fresh cooldown from the failure).
///
/// Outcomes recorded while open (requests sent before it opened, finishing late) change nothing: they say
/// nothing new about the account after the decision to open.
///
/// ``openSince`` is when the breaker last left `closed`: from then until a success closes it again (through any
/// number of failed probes), the account has been unreachable. The runner gives an account up after that has lasted
/// `ExecutionPolicy.breakerGiveUp`.
package struct CircuitBreaker<Instant: InstantProtocol>: Sendable {
    /// Where the breaker is; see ``CircuitBreaker`` for the transitions.
    package enum State: Hashable, Sendable {
        case closed(consecutiveFailures: Int)
        case open(until: Instant)
        case halfOpen
    }

    /// What the caller may do now.
    package enum Decision: Hashable, Sendable {
        /// Send normally.
        case send
        /// Send this one request as the probe; record its outcome, which decides the next state.
        case probe
        /// Do not send before this instant.
        case wait(until: Instant)
        /// A probe is in flight; ask again once its outcome is recorded.
        case awaitProbe
    }

    package private(set) var state: State = .closed(consecutiveFailures: 0)
    /// When the breaker last opened from `closed`; `nil` while closed. Failed probes do not move it.
    package private(set) var openSince: Instant?
    /// Consecutive failures that open the breaker.
    package let failureThreshold: Int
    /// How long the breaker stays open before a probe.
    package let cooldown: Instant.Duration

    /// - Parameters:
    ///   - failureThreshold: Consecutive failures that open the breaker; at least one.
    ///   - cooldown: How long it stays open before letting a probe through.
    package init(failureThreshold: Int, cooldown: Instant.Duration) {
        precondition(failureThreshold >= 1, "a breaker needs a failure threshold of at least one")
        self.failureThreshold = failureThreshold
        self.cooldown = cooldown
    }

    /// Whether a request may go out at `now`; hands out the probe when an open breaker's cooldown is over.
    /// - Parameter now: The current instant on the caller's clock.
    /// - Returns: The action to take.
    package mutating func canSend(at now: Instant) -> Decision {
        switch self.state {
        case .closed:
            return .send
        case .open(let until):
            guard now >= until else { return .wait(until: until) }
            self.state = .halfOpen
            return .probe
        case .halfOpen:
            return .awaitProbe
        }
    }

    /// Records a request that succeeded: closes a half-open breaker and resets the failure count.
    package mutating func recordSuccess() {
        switch self.state {
        case .closed, .halfOpen:
            self.state = .closed(consecutiveFailures: 0)
            self.openSince = nil
        case .open: break
        }
    }

    /// Records a request that failed in a way that counts against the account (not a final business refusal).
    /// - Parameter now: When the failure was seen; a cooldown starts here if the breaker opens.
    /// - Returns: The instant the breaker stays open until, if this failure opened it.
    @discardableResult
    package mutating func recordFailure(at now: Instant) -> Instant? {
        switch self.state {
        case .closed(let failures) where failures + 1 < self.failureThreshold:
            self.state = .closed(consecutiveFailures: failures + 1)
            return nil
        case .closed, .halfOpen:
            let until = now.advanced(by: self.cooldown)
            self.state = .open(until: until)
            if self.openSince == nil { self.openSince = now }
            return until
        case .open:
            return nil
        }
    }

    /// When the account will have been unreachable for `limit`, if it is unreachable now (open or half-open since
    /// ``openSince``); `nil` while closed.
    /// - Parameter limit: How long an account may stay unreachable.
    package func unreachableDeadline(after limit: Instant.Duration) -> Instant? {
        self.openSince.map { $0.advanced(by: limit) }
    }

    /// Gives back a probe that was handed out but never sent (e.g. the task was cancelled): the breaker goes
    /// back to open with a cooldown already over, so the next caller gets the probe.
    /// - Parameter now: The current instant.
    package mutating func abandonProbe(at now: Instant) {
        if case .halfOpen = self.state { self.state = .open(until: now) }
    }
}

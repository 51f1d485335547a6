/// How a run retries, resolves and protects the providers: the knobs that are not per account.
package struct ExecutionPolicy: Sendable {
    /// Retries of requests that provably did not take effect: capped exponential backoff with full jitter and a
    /// bounded number of attempts, after which the line goes to FAILED (nothing was applied).
    package var retry = BackoffPolicy(base: .milliseconds(500), cap: .seconds(30), maximumAttempts: 8)
    /// Status queries of an in-doubt line: after the last one, a line the provider cannot account for goes to
    /// UNKNOWN, for an operator.
    package var statusQueries = BackoffPolicy(base: .seconds(1), cap: .seconds(30), maximumAttempts: 8)
    /// Consecutive failures of one account (not-applied or in-doubt answers, not refusals) that open its breaker.
    package var breakerThreshold = 8
    /// How long an open breaker holds the account before one probe.
    package var breakerCooldown: Duration = .seconds(5)
    /// How long an account's breaker may stay open (its probes failing) before the run gives the account up: its
    /// claim loop stops, lines waiting to be sent go back to PENDING unsent, requests already sent are answered and
    /// recorded, and the other accounts carry on. The run then ends ``RunResult/Ending/accountsUnreachable``.
    /// `nil`: never give up.
    package var breakerGiveUp: Duration? = .seconds(600)
    /// The pause after a 429 that carries no `Retry-After`.
    package var throttlePause: Duration = .seconds(1)
    /// At most this many requests in flight over all accounts.
    package var globalMaxInFlight = 128
    /// At most this many lines claimed in one transaction.
    package var claimBatch = 64
    /// When a line's evidence could not be recorded, how long before trying that line again.
    package var evidenceRetryDelay: Duration = .seconds(2)
    /// How often a line's evidence is tried before the line is sent without it. A card that cannot be read may
    /// not exist (the provider then refuses the top-up: FAILED); without evidence, a lost answer can only end in
    /// UNKNOWN — never in a second send.
    package var evidenceAttempts = 3
    /// The runner lease's time to live; the heartbeat renews it every third of that.
    package var leaseTTL: Duration = .seconds(30)
    /// After a stop is asked for, how long in-flight requests may take before they are abandoned (and resolved
    /// by the next run).
    package var stopGrace: Duration = .seconds(20)

    package init() {}
}

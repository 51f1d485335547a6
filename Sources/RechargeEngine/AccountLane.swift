import Foundation
import RechargeCore
import Synchronization

/// One provider account as the runner drives it: its adapter (the send capability and its read-only lookup) and
/// rules, and the limits that protect it.
package final class AccountLane<C: Clock>: Sendable where C.Duration == Duration {
    package let account: ProviderAccount
    /// The send capability: only the send path and, inside the replay window, in-flight resolution use it.
    package let client: any ProviderClient
    /// Read requests only: card reads before sending, status queries.
    package let lookup: any ProviderLookup
    package let rules: ExecutionRules
    /// Requests per second and burst; status queries and evidence reads spend it too.
    let limiter: any RequestBudget<C>
    /// Requests in flight to this account.
    let slots: AsyncSemaphore
    let breaker: Mutex<CircuitBreaker<C.Instant>>
    /// Lines handed to a send that has not finished (its outcome recorded).
    let queued = Atomic<Int>(0)
    /// Lines handed to a send whose request has not been answered yet (or has not gone out): at most `maxInFlight`.
    let sending = Atomic<Int>(0)
    /// Wakes the claim loop when a line finishes or capacity frees.
    let wake = WakeSignal()
    /// Triggered when the account is given up (its breaker stayed open for `ExecutionPolicy.breakerGiveUp`): like
    /// the run's stop, for this account only — nothing more is claimed or sent, lines waiting to be sent go back to
    /// PENDING unsent, requests already sent are answered and recorded.
    let halted = StopSignal()
    /// Lines whose card is being read before their claim (still PENDING in the database, so the claim loop must not
    /// take them again), and the cards of those lines and of every line of this lane in flight (no second line of a
    /// card is taken until its line is done).
    let preparing = Mutex<(lines: Set<Int64>, cards: Set<String>)>(([], []))
    /// Lines whose evidence could not be read, and how often, in this run.
    let evidenceMisses = Mutex<[Int64: EvidenceMisses]>([:])

    /// - Parameter sharedBudget: The store's budget shared by every runner, for an account with a rate limit; `nil` keeps
    ///   the budget in this process (one runner per database).
    package init(
        account: ProviderAccount, client: any ProviderClient, policy: ExecutionPolicy, clock: C, sharedBudget: (any SharedRateBudget)? = nil
    ) {
        self.account = account
        self.client = client
        self.lookup = client.lookup
        self.rules = client.executionRules
        let limit = RateLimit.schedule(of: account)
        if let sharedBudget, let limit {
            self.limiter = SharedRateLimiter(budget: sharedBudget, account: account.name, limit: limit, clock: clock)
        } else {
            self.limiter = RateLimiter(limit: limit, clock: clock)
        }
        self.slots = AsyncSemaphore(permits: max(1, account.maxInFlight))
        self.breaker = Mutex(CircuitBreaker(failureThreshold: policy.breakerThreshold, cooldown: policy.breakerCooldown))
    }

    var name: String { self.account.name }

    func request(for line: LineRecord, key: IdempotencyKey) -> RechargeRequest? {
        line.request(account: self.account, key: key)
    }
}

/// One provider account as `recharge reconcile` sees it: its read-only lookup and the limits that protect it. It
/// holds no send capability, so nothing done through it can move money.
package final class LookupLane<C: Clock>: Sendable where C.Duration == Duration {
    package let account: ProviderAccount
    package let lookup: any ProviderLookup
    let limiter: RateLimiter<C>
    let slots: AsyncSemaphore

    package init(account: ProviderAccount, lookup: any ProviderLookup, clock: C) {
        self.account = account
        self.lookup = lookup
        let limit = RateLimit.schedule(of: account)
        self.limiter = RateLimiter(limit: limit, clock: clock)
        self.slots = AsyncSemaphore(permits: max(1, account.maxInFlight))
    }

    var name: String { self.account.name }
}

extension LineRecord {
    /// The request an adapter sends (or looks up) for this stored line under `key`; `nil` for a currency the table
    /// lacks (import accepts only known ones).
    package func request(account: ProviderAccount, key: IdempotencyKey) -> RechargeRequest? {
        guard let currency = Currency(code: self.currency) else { return nil }
        return RechargeRequest(
            account: account, cardID: self.cardID, amount: Money(minorUnits: self.amountMinor, currency: currency),
            reference: self.reference, remark: self.remark, payCoin: self.payCoin, payAccountNumber: self.payAccountNumber,
            onBehalfOf: self.onBehalfOf, key: key)
    }
}

extension RateLimit {
    /// The schedule the engine keeps for `account`: its rate, and its burst (by default one second's worth) less one
    /// request held back. Requests leave on the limiter's schedule but reach the provider with a little jitter (the
    /// network, the scheduler of a busy machine); a schedule that used the whole burst would let a provider that
    /// counts arrivals see limit + burst + 1 in some second. Only the first second after an idle spell is affected.
    package static func schedule(of account: ProviderAccount) -> RateLimit? {
        account.requestsPerSecond.map { rate in
            let burst = account.burst ?? max(1, Int(rate))
            return RateLimit(requestsPerSecond: rate, burst: max(1, burst - 1))
        }
    }
}

/// A line's card reads in a row that gave no snapshot: failed (or unreadable) ones, and ones answered 429.
struct EvidenceMisses {
    var failed = 0
    var throttled = 0
}

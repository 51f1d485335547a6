import Foundation
import RechargeCore
import RechargeStore
import Synchronization

/// One provider account as the runner drives it: its adapter and rules, and the limits that protect it.
package final class AccountLane<C: Clock>: Sendable where C.Duration == Duration {
    package let account: ProviderAccount
    package let client: any ProviderClient
    package let rules: ExecutionRules
    /// Requests per second and burst; status queries and evidence reads spend it too.
    let limiter: RateLimiter<C>
    /// Requests in flight to this account.
    let slots: AsyncSemaphore
    let breaker: Mutex<CircuitBreaker<C.Instant>>
    /// Lines claimed whose first send has not finished: the claim loop keeps this at most `maxInFlight`.
    let queued = Atomic<Int>(0)
    /// Wakes the claim loop when a line finishes or capacity frees.
    let wake = WakeSignal()
    /// Lines (and their cards) whose card is being read before their claim: still PENDING in the database, so
    /// the claim loop must not take them, or another line of their card, again.
    let preparing = Mutex<(lines: Set<Int64>, cards: Set<String>)>(([], []))
    /// Lines whose evidence could not be read, and how often, in this run.
    let evidenceMisses = Mutex<[Int64: Int]>([:])

    package init(account: ProviderAccount, client: any ProviderClient, policy: ExecutionPolicy, clock: C) {
        self.account = account
        self.client = client
        self.rules = client.executionRules
        let limit = account.requestsPerSecond.map { RateLimit(requestsPerSecond: $0, burst: account.burst ?? max(1, Int($0))) }
        self.limiter = RateLimiter(limit: limit, clock: clock)
        self.slots = AsyncSemaphore(permits: max(1, account.maxInFlight))
        self.breaker = Mutex(CircuitBreaker(failureThreshold: policy.breakerThreshold, cooldown: policy.breakerCooldown))
    }

    var name: String { self.account.name }

    /// The request an adapter sends for a stored line under `key`; `nil` for a currency the table lacks (import
    /// accepts only known ones).
    func request(for line: LineRecord, key: IdempotencyKey) -> RechargeRequest? {
        guard let currency = Currency(code: line.currency) else { return nil }
        return RechargeRequest(
            account: self.account, cardID: line.cardID, amount: Money(minorUnits: line.amountMinor, currency: currency),
            reference: line.reference, remark: line.remark, payCoin: line.payCoin, payAccountNumber: line.payAccountNumber,
            onBehalfOf: line.onBehalfOf, key: key)
    }
}

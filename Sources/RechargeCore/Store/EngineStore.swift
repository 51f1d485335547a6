import Foundation

/// The store as the engine sees it: the lease, runs, the schedule of due lines, claims, outcomes and what
/// recovery finds in flight.
///
/// The engine holds nothing but this protocol, so a store is chosen by whoever builds the runner: SQLite is the
/// embedded one; another database can carry the same contract. Each method is one transaction. Every change of
/// a line's state is one the ``LineStateMachine`` returns, applied as a guarded update (`WHERE state = expected`)
/// with its event appended in the same transaction.
public protocol EngineStore: Sendable {
    // MARK: Lease and runs

    /// Takes the runner lease unless another live runner holds it.
    func acquireLease(_ runner: LeaseClaim, now: Date) async throws -> LeaseResult
    /// Takes the lease over from `previous`, a holder known to be dead; `false` if the lease changed meanwhile.
    func takeOverLease(from previous: LeaseHolder, by runner: LeaseClaim, now: Date) async throws -> Bool
    /// Extends the lease; `false` when this runner no longer holds it.
    func renewLease(holder: String, ttl: TimeInterval, now: Date) async throws -> Bool
    /// Gives the lease up, if this runner holds it.
    func releaseLease(holder: String) async throws
    /// Records the start of a run; returns its id.
    func startRun(_ runner: LeaseClaim, batchID: Int64?, now: Date) async throws -> Int64
    /// Records how a run ended.
    func finishRun(id: Int64, outcome: String, now: Date) async throws

    // MARK: Schedule

    /// The batches that have lines pending or in flight, oldest first.
    func batchesWithWork() async throws -> [Int64]
    /// Pending and in-flight lines of an account, and when its next deferred line comes due.
    func work(account: String, batchID: Int64?, now: Date) async throws -> AccountWork
    /// Pending lines of `account` that are due, in file order, at most `limit`, each with the key it would be sent
    /// under. With `onePerCard`, no line of a card that has a line in flight, and one line per card.
    func dueLines(account: String, batchID: Int64?, limit: Int, onePerCard: Bool, now: Date) async throws -> [DueLine]
    /// Postpones a pending line that cannot be sent now; it stays PENDING under the same key generation.
    func deferLine(lineID: Int64, until: Date, code: String, message: String, now: Date) async throws

    // MARK: Claims and outcomes

    /// Claims due lines for sending in one transaction: each line still PENDING under the same key generation goes
    /// to PROCESSING with its key, an attempt row (with the evidence) and an event. The caller sends only what
    /// this returns, after it returns; a line no longer claimable is left out.
    func claim(_ claims: [LineClaim], actor: String, now: Date) async throws -> [ClaimedLine]
    /// Finds and claims up to `limit` due lines of `account`, in file order, in one transaction: what
    /// ``dueLines(account:batchID:limit:onePerCard:now:)`` and then ``claim(_:actor:now:)`` do, with one
    /// transaction instead of two. For accounts that need nothing between finding a line and claiming it (no card
    /// read, no one-line-per-card rule).
    func claimDue(account: String, batchID: Int64?, limit: Int, actor: String, now: Date) async throws -> [ClaimedLine]
    /// Records several attempts' outcomes in one transaction; each result says the line's state afterwards or
    /// why that record alone was refused.
    func recordOutcomes(_ records: [OutcomeRecord], now: Date) async throws -> [Result<LineState, StoreError>]

    // MARK: Recovery

    /// Every line in flight of an account (or of all accounts), oldest first, with its latest attempt's key and
    /// evidence.
    func inFlightLines(account: String?) async throws -> [InFlightLine]
    /// The earliest moment a request under `key` may have left for the line (a provider's dedupe window is
    /// measured from here).
    func firstSend(lineID: Int64, key: IdempotencyKey) async throws -> Date?
    /// Lines of `account` in flight under a runner whose lease has expired (killed, paused, cut off): taken over by
    /// this runner under new fencing tokens, for resolution by a lookup, never by a blind re-send. The old runner's
    /// later writes of these lines are refused (``StoreError/Code/claimLost``). A store with one runner per database
    /// has none: its lease is exclusive, and recovery at the start of a run finds every line in flight.
    func adoptOrphans(account: String, now: Date) async throws -> [InFlightLine]
    /// Takes (or keeps) `account` for this runner alone, for a provider with one session per account
    /// (``ExecutionRules/oneSessionPerAccount``); `false` while another live runner holds it. The hold lasts as long
    /// as this runner's lease. A store with one runner per database always says yes.
    func holdAccount(_ account: String, now: Date) async throws -> Bool
}

/// One rate budget per provider account shared by every runner of a store (GCRA on the store's own clock), so that
/// several runners on several machines together stay within the provider's limit.
public protocol SharedRateBudget: Sendable {
    /// Reserves the account's next slot at `interval` per request with `tolerance` of burst (`(burst - 1) × interval`);
    /// returns how long to wait before the request may leave (zero when it may leave now).
    func reserve(account: String, interval: Duration, tolerance: Duration) async throws -> Duration
    /// Holds the account for every runner for `duration` (a 429 or `Retry-After`): the bucket counts as empty then.
    func pause(account: String, for duration: Duration, tolerance: Duration) async throws
}

/// What reconcile reads and records: it never changes a line's state.
public protocol ReconcileStore: Sendable {
    /// Settled lines of a batch that were ever sent, each with the keys to ask the provider about.
    func settledSentLines(batchID: Int64) async throws -> [SentLine]
    /// The mismatches already recorded for a batch, as `lineID/kind`.
    func recordedMismatches(batchID: Int64) async throws -> Set<String>
    /// Records a disagreement between the ledger and the provider.
    func recordMismatch(lineID: Int64, kind: String, detail: String?, now: Date) async throws
}

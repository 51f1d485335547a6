import Foundation
import Logging
import RechargeCore
import Synchronization

/// Who runs: the lease holder's name, host and process id, recorded with the lease and the run.
package struct RunnerIdentity: Hashable, Sendable {
    package var holder: String
    package var host: String
    package var pid: Int

    package init(holder: String, host: String, pid: Int) {
        self.holder = holder
        self.host = host
        self.pid = pid
    }

    /// This process: `HOST:PID:RANDOM`, unique per run.
    package static func current() -> RunnerIdentity {
        let host = ProcessInfo.processInfo.hostName
        let pid = Int(ProcessInfo.processInfo.processIdentifier)
        let nonce = String(UInt32.random(in: .min ... .max), radix: 16)
        return RunnerIdentity(holder: "\(host):\(pid):\(nonce)", host: host, pid: pid)
    }
}

/// Why a run could not start or did not finish its work.
package enum RunError: Error, Sendable, CustomStringConvertible {
    /// Another live runner holds the database's lease.
    case leaseHeld(LeaseHolder)
    /// The store failed; the run stopped taking lines (no request is sent whose record could not be written).
    case store(StoreError)

    package var description: String {
        switch self {
        case .leaseHeld(let holder):
            "another runner holds this database: \(holder.holder) (pid \(holder.pid) on \(holder.host)), since \(holder.acquiredAt), last heartbeat \(holder.heartbeatAt)"
        case .store(let error): "the database failed: \(error.message)"
        }
    }
}

/// The run's concurrent parts, as they finish.
enum RunTask: Sendable { case lanes, heartbeat, grace }

/// How a run ended.
package struct RunResult: Sendable {
    package enum Ending: String, Sendable {
        /// Every line in scope reached a final state.
        case completed
        /// A stop was asked for (SIGINT/SIGTERM) before the work was done; the next run resumes it.
        case interrupted
        /// The lease was lost (taken over after a stalled heartbeat); the run stopped at once.
        case leaseLost = "lease-lost"
        /// The store failed.
        case storeFailed = "store-failed"
        /// Some provider accounts stayed unreachable (their breaker open) for `ExecutionPolicy.breakerGiveUp` and
        /// were given up: their unsent lines are PENDING for the next run; the other accounts finished.
        case accountsUnreachable = "accounts-unreachable"
    }

    package var ending: Ending
    package var batchIDs: [Int64]
    package var progress: RunProgress.Snapshot
    package var tookOverFrom: LeaseHolder?
    package var storeError: StoreError?

    /// The accounts given up as unreachable, each with how long it had been unreachable then.
    package var unreachableAccounts: [RunProgress.Account] { self.progress.accounts.filter(\.isStopped) }
}

/// Executes stored batches: one runner per database, recovery first, then every due line, within each account's
/// limits, durably recorded before anything is sent.
///
/// Per account, a claim loop takes due lines in file order (one per card where the provider needs it), records the
/// evidence the adapter asks for, claims them in one transaction and only then sends each one, as a child task that
/// waits for an in-flight slot, the global cap, the breaker and the rate limiter. Outcomes are recorded as they
/// come back; in-doubt sends are resolved by status queries in the same task, without holding a claim slot.
package final class Runner<C: Clock>: Sendable where C.Duration == Duration {
    let store: any EngineStore
    let lanes: [AccountLane<C>]
    let policy: ExecutionPolicy
    let clock: C
    let now: @Sendable () -> Date
    let identity: RunnerIdentity
    let logger: Logger
    let global: AsyncSemaphore
    /// Outcomes are committed in groups: many answers, one transaction.
    let recorder: OutcomeRecorder
    /// Lines claimed one by one after their card read are committed in groups too.
    let claimer: ClaimCommitter
    /// Asked for by SIGINT/SIGTERM (or a lost lease, or a store failure): stop claiming and sending.
    package let stop = StopSignal()
    package let progress: RunProgress
    private let failure = Mutex<StoreError?>(nil)
    private let leaseLost = Atomic<Bool>(false)
    /// Until when this runner may be sure it still holds its lease: half the lease's time to live after the start of
    /// its last successful renewal, by this process's clock. Past it (a process paused by SIGSTOP, a stalled
    /// heartbeat) nothing is sent: another runner may be adopting its lines, and the store expires a lease only
    /// after the whole time to live.
    private let leaseSureUntil = Mutex<C.Instant?>(nil)

    package init(
        store: any EngineStore, lanes: [AccountLane<C>], policy: ExecutionPolicy, clock: C,
        now: @escaping @Sendable () -> Date = { Date() },
        identity: RunnerIdentity, logger: Logger
    ) {
        self.store = store
        self.lanes = lanes
        self.policy = policy
        self.clock = clock
        self.now = now
        self.identity = identity
        self.logger = logger
        self.global = AsyncSemaphore(permits: max(1, policy.globalMaxInFlight))
        self.recorder = OutcomeRecorder(store: store, now: now)
        self.claimer = ClaimCommitter(store: store, now: now)
        self.progress = RunProgress(accounts: lanes.map(\.name), clock: clock)
    }

    /// Runs `batchID` (or every batch with work left) until every line is final or a stop is asked for.
    /// - Throws: ``RunError/leaseHeld(_:)`` when another live runner holds the database.
    package func run(batchID: Int64?) async throws -> RunResult {
        let tookOver = try await self.acquireLease()
        let result: Result<RunResult, RunError>
        do {
            result = .success(try await self.runLanes(batchID: batchID, tookOver: tookOver))
        } catch {
            result = .failure(error)
        }
        try? await self.store.releaseLease(holder: self.identity.holder)
        return try result.get()
    }

    private func runLanes(batchID: Int64?, tookOver: LeaseHolder?) async throws(RunError) -> RunResult {
        let batchIDs = try await self.storeCall {
            if let batchID { return [batchID] }
            return try await self.store.batchesWithWork()
        }
        let runID = try await self.storeCall {
            try await self.store.startRun(self.leaseClaim, batchID: batchID, now: self.now())
        }
        for lane in self.lanes {
            let work = try await self.storeCall { try await self.store.work(account: lane.name, batchID: batchID, now: self.now()) }
            self.progress.update(lane.name) { $0.total = work.pending + work.processing }
        }
        if let tookOver {
            self.logger.warning(
                "took over the lease of a runner that stopped renewing it",
                metadata: ["previous": "\(tookOver.holder)", "heartbeat": "\(tookOver.heartbeatAt)"])
        }

        await withTaskGroup(of: RunTask.self) { group in
            group.addTask {
                await self.heartbeat()
                return .heartbeat
            }
            group.addTask {
                await self.stop.wait()
                // A claim loop waiting for a line to finish waits on its lane's wake-up alone.
                for lane in self.lanes { lane.wake.signal() }
                // In-flight requests get the grace period; then they are abandoned (and resolved by the next run).
                if Task.isCancelled { return .grace }
                try? await self.clock.sleep(for: self.policy.stopGrace)
                return .grace
            }
            group.addTask {
                await withTaskGroup(of: Void.self) { lanes in
                    for lane in self.lanes {
                        lanes.addTask { await self.runLane(lane, batchID: batchID) }
                    }
                }
                return .lanes
            }
            while let finished = await group.next() {
                switch finished {
                case .lanes:
                    group.cancelAll()
                    return
                case .grace:
                    self.logger.warning("stop grace period over; abandoning the requests still in flight")
                    group.cancelAll()
                case .heartbeat:
                    continue
                }
            }
        }

        let storeError = self.failure.withLock { $0 }
        let ending: RunResult.Ending =
            if storeError != nil {
                .storeFailed
            } else if self.leaseLost.load(ordering: .relaxed) {
                .leaseLost
            } else if self.stop.isTriggered {
                .interrupted
            } else if self.lanes.contains(where: { $0.halted.isTriggered }) {
                .accountsUnreachable
            } else {
                .completed
            }
        try? await self.store.finishRun(id: runID, outcome: ending.rawValue, now: self.now())
        return RunResult(
            ending: ending, batchIDs: batchIDs, progress: self.progress.snapshot(), tookOverFrom: tookOver, storeError: storeError)
    }

    // MARK: - Lease

    /// This runner as it asks for the lease.
    private var leaseClaim: LeaseClaim {
        LeaseClaim(
            holder: self.identity.holder, host: self.identity.host, pid: self.identity.pid, ttl: self.policy.leaseTTL.timeInterval)
    }

    private func acquireLease() async throws(RunError) -> LeaseHolder? {
        let id = self.identity
        let asked = self.clock.now
        defer { self.leaseSureUntil.withLock { $0 = asked.advanced(by: self.policy.leaseTTL / 2) } }
        switch try await self.storeCall({
            try await self.store.acquireLease(self.leaseClaim, now: self.now())
        }) {
        case .acquired(let previous):
            return previous
        case .held(let holder):
            // A holder on this host whose process is gone was killed: no need to wait for its lease to expire.
            guard holder.host == id.host, holder.pid != id.pid, !Self.processExists(holder.pid) else { throw RunError.leaseHeld(holder) }
            guard
                try await self.storeCall({
                    try await self.store.takeOverLease(from: holder, by: self.leaseClaim, now: self.now())
                })
            else { throw RunError.leaseHeld(holder) }
            return holder
        }
    }

    private static func processExists(_ pid: Int) -> Bool {
        guard pid > 0, let pid = Int32(exactly: pid) else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    /// Renews the lease every third of its time to live; a lost lease stops the run at once.
    private func heartbeat() async {
        let ttl = self.policy.leaseTTL.timeInterval
        while !Task.isCancelled {
            do {
                try await self.clock.sleep(for: self.policy.leaseTTL / 3)
            } catch { return }
            let asked = self.clock.now
            let renewed = (try? await self.store.renewLease(holder: self.identity.holder, ttl: ttl, now: self.now())) ?? false
            if !renewed {
                self.loseLease("lost the runner lease")
                return
            }
            self.leaseSureUntil.withLock { $0 = asked.advanced(by: self.policy.leaseTTL / 2) }
        }
    }

    /// Whether this runner may still be sure of its lease (see ``leaseSureUntil``). Past that time it asks the store
    /// to renew the lease first; a store that refuses (the lease expired, and its lines may be adopted) stops the run
    /// as a lost lease.
    func holdsLease() async -> Bool {
        guard let until = self.leaseSureUntil.withLock({ $0 }), self.clock.now >= until else { return true }
        let asked = self.clock.now
        let ttl = self.policy.leaseTTL.timeInterval
        if (try? await self.store.renewLease(holder: self.identity.holder, ttl: ttl, now: self.now())) == true {
            self.leaseSureUntil.withLock { $0 = max($0 ?? asked, asked.advanced(by: self.policy.leaseTTL / 2)) }
            return true
        }
        self.loseLease("the runner lease expired before this request could leave (was this process paused?)")
        return false
    }

    /// Stops the run at once, sending nothing more: the lease, or a line under it, went to another runner.
    func loseLease(_ reason: String, metadata: Logger.Metadata? = nil) {
        if !self.leaseLost.exchange(true, ordering: .relaxed) {
            self.logger.error("\(reason); stopping without sending anything more", metadata: metadata)
        }
        self.stop.trigger()
    }

    // MARK: - Store access

    /// Runs a store call; a failure stops the run (nothing more is claimed or sent) and is reported at the end.
    @discardableResult
    func storeCall<T>(_ body: () async throws -> T) async throws(RunError) -> T {
        do {
            return try await body()
        } catch let error as StoreError {
            self.fail(error)
            throw .store(error)
        } catch {
            let wrapped = StoreError(.io, "\(error)")
            self.fail(wrapped)
            throw .store(wrapped)
        }
    }

    func fail(_ error: StoreError) {
        let first = self.failure.withLock { current -> Bool in
            guard current == nil else { return false }
            current = error
            return true
        }
        if first { self.logger.critical("the database failed; stopping", metadata: ["error": "\(error.message)"]) }
        self.stop.trigger()
    }
}

import Foundation
import Logging
import RechargeCore
import RechargeStore
import Synchronization

extension Runner {
    /// Sends one claimed line and records what came back; an in-doubt answer is then resolved by status queries,
    /// after the line's claim slot is given back, so a slow resolution does not hold up the account's other lines.
    func execute(_ lane: AccountLane<C>, claimed: ClaimedLine, evidence: ResolutionEvidence?) async {
        guard let sentAt = await self.send(lane, claimed: claimed) else { return }
        await self.resolve(lane, line: claimed.line, key: claimed.key, attempt: claimed.attemptNumber, evidence: evidence, sentAt: sentAt)
    }

    /// Sends a claimed line and records the answer; returns when it was sent if the answer was in doubt.
    private func send(_ lane: AccountLane<C>, claimed: ClaimedLine) async -> Date? {
        let line = claimed.line
        defer {
            lane.queued.add(-1, ordering: .releasing)
            self.progress.update(lane.name) { $0.inFlight -= 1 }
            lane.wake.signal()
        }
        guard let request = lane.request(for: line, key: claimed.key) else {
            // Validation at import accepts only known currencies; a line that still cannot be built was not sent.
            await self.record(
                lane, line, attempt: claimed.attemptNumber, event: .rejected, outcome: "not-sent", code: "invalid-line",
                message: "unknown currency \(line.currency)")
            return nil
        }
        let sentAt = self.now()
        guard await self.admit(lane, recharge: true) else {
            // Stopped before the request left: provably not applied, back to PENDING under the same key.
            await self.record(
                lane, line, attempt: claimed.attemptNumber, event: .notApplied, outcome: "not-sent", code: "stopped",
                message: "the run stopped before this line was sent")
            return nil
        }
        let outcome = await lane.client.recharge(request)
        self.release(lane)
        switch outcome {
        case .applied(let receipt):
            lane.breaker.withLock { $0.recordSuccess() }
            await self.record(
                lane, line, attempt: claimed.attemptNumber, event: .applied, outcome: "applied", reference: receipt.providerReference,
                receipt: receipt)
        case .rejected(let code, let message):
            lane.breaker.withLock { $0.recordSuccess() }
            await self.record(
                lane, line, attempt: claimed.attemptNumber, event: .rejected, outcome: "rejected", code: code, message: message)
        case .notApplied(let code, let message, let retryAfter):
            await self.notApplied(lane, line, attempt: claimed.attemptNumber, code: code, message: message, retryAfter: retryAfter)
        case .inDoubt(let code, let message):
            _ = lane.breaker.withLock { $0.recordFailure(at: self.clock.now) }
            self.progress.update(lane.name) { $0.inDoubt += 1 }
            self.logger.info(
                "answer in doubt; resolving by status query",
                metadata: self.metadata(lane, line, key: claimed.key, ["code": "\(code)", "reason": "\(message)"]))
            if await self.record(
                lane, line, attempt: claimed.attemptNumber, event: .inDoubt, outcome: "in-doubt", code: code, message: message)
            {
                return sentAt
            }
        }
        return nil
    }

    /// Establishes what became of a line sent under `key` whose answer was lost, by the adapter's status query,
    /// repeated with backoff while the provider cannot tell; a line still unaccounted for after the last query
    /// goes to UNKNOWN with the reason. A stop leaves the line PROCESSING for the next run.
    func resolve(
        _ lane: AccountLane<C>, line: LineRecord, key: IdempotencyKey, attempt: Int, evidence: ResolutionEvidence?, sentAt: Date
    )
        async
    {
        guard let request = lane.request(for: line, key: key) else { return }
        self.progress.update(lane.name) { $0.resolving += 1 }
        defer { self.progress.update(lane.name) { $0.resolving -= 1 } }
        var notBefore = sentAt.addingTimeInterval(lane.rules.statusDelayAfterSend.timeInterval)
        var reason = "no status query was answered"
        let queries = self.policy.statusQueries.maximumAttempts
        for query in 1...queries {
            guard await self.sleep(until: notBefore), await self.admit(lane, recharge: false) else { return }
            let status = await lane.client.status(request, evidence: evidence)
            self.release(lane)
            switch status {
            case .applied(let receipt):
                await self.record(
                    lane, line, attempt: attempt, event: .applied, outcome: "applied (status query)", reference: receipt.providerReference,
                    receipt: receipt)
                return
            case .rejected(let code, let message):
                await self.record(
                    lane, line, attempt: attempt, event: .rejected, outcome: "rejected (status query)", code: code, message: message)
                return
            case .notApplied:
                await self.notApplied(
                    lane, line, attempt: attempt, code: "not-applied", message: "the provider has no record of the request", retryAfter: nil
                )
                return
            case .pending:
                reason = "the provider still reports it in progress"
            case .cannotTell(let why):
                reason = why
            }
            var random = SystemRandomNumberGenerator()
            let delay = self.policy.statusQueries.delay(forAttempt: query, random: &random)
            notBefore = self.now().addingTimeInterval(delay.timeInterval)
        }
        self.logger.warning(
            "line could not be resolved; UNKNOWN, for an operator", metadata: self.metadata(lane, line, key: key, ["reason": "\(reason)"]))
        await self.record(
            lane, line, attempt: attempt, event: .unresolvable, outcome: "unresolved", code: "unresolved",
            message: "after \(queries) status queries: \(reason)")
    }

    /// A send that provably did not take effect: back to PENDING after a backoff (a 429 also pauses the account),
    /// or FAILED once the attempts are spent — nothing was applied either way.
    private func notApplied(
        _ lane: AccountLane<C>, _ line: LineRecord, attempt: Int, code: String, message: String, retryAfter: Duration?
    ) async {
        let throttled = retryAfter != nil || code.hasSuffix("429")
        if throttled {
            let pause = retryAfter ?? self.policy.throttlePause
            self.progress.update(lane.name) { $0.throttled += 1 }
            await lane.limiter.pause(until: self.clock.now.advanced(by: pause))
        } else {
            _ = lane.breaker.withLock { $0.recordFailure(at: self.clock.now) }
        }
        guard self.policy.retry.allowsRetry(afterAttempt: attempt) else {
            await self.record(
                lane, line, attempt: attempt, event: .rejected, outcome: "gave up", code: code,
                message: "not applied after \(attempt) attempts; last answer: \(message)")
            return
        }
        var random = SystemRandomNumberGenerator()
        let delay = self.policy.retry.delay(forAttempt: attempt, retryAfter: retryAfter, random: &random)
        self.progress.update(lane.name) { $0.retried += 1 }
        await self.record(
            lane, line, attempt: attempt, event: .notApplied, outcome: "not applied", code: code, message: message,
            nextAttemptAt: self.now().addingTimeInterval(delay.timeInterval))
    }

    /// Records an attempt's outcome and the line's event (in a group commit with others); `false` when the store
    /// failed (the run then stops).
    @discardableResult
    private func record(
        _ lane: AccountLane<C>, _ line: LineRecord, attempt: Int, event: LineEvent, outcome: String, code: String? = nil,
        message: String? = nil, reference: String? = nil, receipt: ProviderReceipt? = nil, nextAttemptAt: Date? = nil
    ) async -> Bool {
        let result = await self.recorder.record(
            OutcomeRecord(
                lineID: line.id, attemptNumber: attempt, event: event, outcome: outcome, errorCode: code, errorMessage: message,
                providerReference: reference, receipt: receipt, nextAttemptAt: nextAttemptAt))
        let state: LineState
        switch result {
        case .success(let recorded): state = recorded
        case .failure(let error):
            self.fail(error)
            return false
        }
        // The claim loop may be waiting for exactly this: a line back to PENDING, or the last one settled.
        lane.wake.signal()
        self.progress.update(lane.name) { counts in
            switch state {
            case .success: counts.succeeded += 1
            case .failed: counts.failed += 1
            case .unknown: counts.unknown += 1
            default: break
            }
        }
        let level: Logger.Level = state == .failed || state == .unknown ? .info : .debug
        self.logger.log(
            level: level, "line \(event)",
            metadata: self.metadata(
                lane, line, key: nil, ["state": "\(state.rawValue)", "attempt": "\(attempt)", "code": "\(code ?? "")"]))
        return true
    }

    func metadata(_ lane: AccountLane<C>, _ line: LineRecord, key: IdempotencyKey?, _ extra: Logger.Metadata = [:]) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "account": "\(lane.name)", "batch": "\(line.batchID)", "line": "\(line.lineNumber)",
            "key": "\(key?.hex ?? line.idempotencyKey ?? "")",
        ]
        metadata.merge(extra) { $1 }
        return metadata
    }

    // MARK: - Admission

    /// Waits until a request may go to the account: an in-flight slot, the global cap, the breaker (recharges
    /// only) and the rate limiter, in that order, so the limiter's slot is used the moment it comes. `false` when
    /// a stop came first (nothing is held then); otherwise the caller must ``release(_:)`` after the request.
    func admit(_ lane: AccountLane<C>, recharge: Bool) async -> Bool {
        if self.stop.isTriggered { return false }
        if await self.admitNow(lane, recharge: recharge) {
            self.progress.update(lane.name) { $0.requests += 1 }
            return true
        }
        let admitted = await withTaskGroup(of: Bool?.self) { group in
            group.addTask { (try? await self.acquire(lane, recharge: recharge)) != nil }
            group.addTask {
                await self.stop.wait()
                return nil
            }
            var admitted = false
            for await result in group {
                if let result { admitted = result }
                group.cancelAll()
            }
            return admitted
        }
        if admitted { self.progress.update(lane.name) { $0.requests += 1 } }
        return admitted
    }

    /// The fast path, when nothing has to wait: free slots, a closed breaker and a due rate-limiter slot.
    private func admitNow(_ lane: AccountLane<C>, recharge: Bool) async -> Bool {
        guard lane.slots.tryAcquire() else { return false }
        guard self.global.tryAcquire() else {
            lane.slots.release()
            return false
        }
        let closed =
            !recharge
            || lane.breaker.withLock { breaker in
                if case .closed = breaker.state { return true }
                return false
            }
        guard closed, await lane.limiter.tryAcquire() else {
            self.release(lane)
            return false
        }
        return true
    }

    private func acquire(_ lane: AccountLane<C>, recharge: Bool) async throws {
        try await lane.slots.acquire()
        do {
            try await self.global.acquire()
        } catch {
            lane.slots.release()
            throw error
        }
        var probe = false
        do {
            while recharge {
                switch lane.breaker.withLock({ $0.canSend(at: self.clock.now) }) {
                case .send:
                    break
                case .probe:
                    probe = true
                    self.logger.info("breaker half-open: sending one probe", metadata: ["account": "\(lane.name)"])
                case .wait(let until):
                    try await self.clock.sleep(until: until, tolerance: nil)
                    continue
                case .awaitProbe:
                    try await self.clock.sleep(for: .milliseconds(50))
                    continue
                }
                break
            }
            try await lane.limiter.acquire()
        } catch {
            if probe { lane.breaker.withLock { $0.abandonProbe(at: self.clock.now) } }
            self.global.release()
            lane.slots.release()
            throw error
        }
    }

    func release(_ lane: AccountLane<C>) {
        self.global.release()
        lane.slots.release()
    }

    /// Sleeps until `date`; `false` if a stop came first.
    private func sleep(until date: Date) async -> Bool {
        let delay = date.timeIntervalSince(self.now())
        if delay > 0 {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await self.clock.sleep(for: .milliseconds(Int64((delay * 1000).rounded(.up)))) }
                group.addTask { await self.stop.wait() }
                await group.next()
                group.cancelAll()
            }
        }
        return !self.stop.isTriggered && !Task.isCancelled
    }
}

import Foundation
import Logging
import RechargeCore
import Synchronization

/// How an admission's wait ended: the slots, breaker and limiter acquired (`probe`: it holds the breaker's probe),
/// or not (a stop came first, or the wait was cancelled).
private enum Admission { case acquired(probe: Bool), notAcquired }

extension Runner {
    /// Sends one claimed line and records what came back; an in-doubt answer is then resolved by status queries,
    /// after the line's claim slot is given back, so a slow resolution does not hold up the account's other lines.
    func execute(_ lane: AccountLane<C>, claimed: ClaimedLine, evidence: ResolutionEvidence?) async {
        guard let sent = await self.send(lane, claimed: claimed) else { return }
        await self.resolve(
            lane, line: claimed.line, key: claimed.key, attempt: claimed.attemptNumber, fence: claimed.fence, evidence: evidence,
            sentAt: sent.at, reference: sent.reference)
    }

    /// A send whose answer left it in doubt: when it left, and the provider's reference if the answer carried one.
    struct InDoubtSend {
        var at: Date
        var reference: String?
    }

    /// Sends a claimed line and records the answer (with the moment the request left); returns that moment if the
    /// answer was in doubt.
    private func send(_ lane: AccountLane<C>, claimed: ClaimedLine) async -> InDoubtSend? {
        let line = claimed.line
        // The claim loop hands the next line over as soon as this request is answered (or does not go out), before
        // its outcome is recorded.
        var answered = false
        func markAnswered() {
            guard !answered else { return }
            answered = true
            lane.sending.add(-1, ordering: .releasing)
            lane.wake.signal()
        }
        defer {
            markAnswered()
            lane.queued.add(-1, ordering: .releasing)
            self.progress.update(lane.name) { $0.inFlight -= 1 }
            lane.wake.signal()
        }
        guard let request = lane.request(for: line, key: claimed.key) else {
            // Validation at import accepts only known currencies; a line that still cannot be built was not sent.
            await self.record(
                lane, line, attempt: claimed.attemptNumber, fence: claimed.fence, event: .rejected, outcome: "not-sent",
                code: "invalid-line",
                message: "unknown currency \(line.currency)")
            return nil
        }
        guard await self.admit(lane, recharge: true) else {
            // Stopped before the request left: provably not applied, back to PENDING under the same key.
            if lane.halted.isTriggered && !self.stop.isTriggered {
                await self.record(
                    lane, line, attempt: claimed.attemptNumber, fence: claimed.fence, event: .notApplied, outcome: "not-sent",
                    code: "account-unreachable",
                    message: "the provider account stayed unreachable; the run stopped sending to it before this line was sent")
            } else {
                await self.record(
                    lane, line, attempt: claimed.attemptNumber, fence: claimed.fence, event: .notApplied, outcome: "not-sent",
                    code: "stopped",
                    message: "the run stopped before this line was sent")
            }
            return nil
        }
        // After admission (which may have waited on the rate limiter): the moment the request leaves, from which
        // every "not before" rule and the provider's dedupe window are timed.
        let sentAt = self.now()
        let outcome = await lane.client.recharge(request)
        self.release(lane)
        markAnswered()
        let attempt = claimed.attemptNumber
        switch outcome {
        case .applied(let receipt):
            lane.breaker.withLock { $0.recordSuccess() }
            await self.record(
                lane, line, attempt: attempt, fence: claimed.fence, event: .applied, outcome: "applied",
                reference: receipt.providerReference, receipt: receipt,
                sentAt: sentAt)
        case .rejected(let code, let message):
            lane.breaker.withLock { $0.recordSuccess() }
            await self.record(
                lane, line, attempt: attempt, fence: claimed.fence, event: .rejected, outcome: "rejected", code: code, message: message,
                sentAt: sentAt)
        case .notApplied(let code, let message, let retryAfter):
            await self.notApplied(
                lane, line, attempt: attempt, fence: claimed.fence, code: code, message: message, retryAfter: retryAfter, throttled: false,
                sentAt: sentAt)
        case .throttled(let code, let message, let retryAfter):
            await self.notApplied(
                lane, line, attempt: attempt, fence: claimed.fence, code: code, message: message, retryAfter: retryAfter, throttled: true,
                sentAt: sentAt)
        case .inDoubt(let code, let message):
            _ = lane.breaker.withLock { $0.recordFailure(at: self.clock.now) }
            self.progress.update(lane.name) { $0.inDoubt += 1 }
            self.logger.info(
                "answer in doubt; resolving by status query",
                metadata: self.metadata(lane, line, key: claimed.key, ["code": "\(code)", "reason": "\(message)"]))
            if await self.record(
                lane, line, attempt: attempt, fence: claimed.fence, event: .inDoubt, outcome: "in-doubt", code: code, message: message,
                sentAt: sentAt)
            {
                return InDoubtSend(at: sentAt, reference: nil)
            }
        case .accepted(let reference, let code, let message):
            // Taken, not finished: the reference is recorded now, so the lookup can follow it even after a crash.
            lane.breaker.withLock { $0.recordSuccess() }
            self.progress.update(lane.name) { $0.inDoubt += 1 }
            if await self.record(
                lane, line, attempt: attempt, fence: claimed.fence, event: .inDoubt, outcome: "accepted", code: code, message: message,
                reference: reference,
                sentAt: sentAt)
            {
                return InDoubtSend(at: sentAt, reference: reference)
            }
        }
        return nil
    }

    /// Establishes what became of a line sent under `key` whose answer was lost, through the account's read-only
    /// lookup, repeated with backoff (and after any `Retry-After`) while the provider cannot tell; a line still
    /// unaccounted for after the last query goes to UNKNOWN with the reason. A stop leaves the line PROCESSING for
    /// the next run.
    ///
    /// Where the lookup needs a reference no answer has carried (UQPay's `card_order_id`), the provider's documented
    /// same-key replay is the only way to learn the outcome. A replay is a send: it goes only through the account's
    /// send capability, only while the provider's dedupe window, measured from the first send under the key, still
    /// has ``replaySafetyMargin`` to run; past that the line goes UNKNOWN, never replayed.
    func resolve(
        _ lane: AccountLane<C>, line: LineRecord, key: IdempotencyKey, attempt: Int, fence: Int64, evidence: ResolutionEvidence?,
        sentAt: Date, reference: String? = nil
    )
        async
    {
        guard let request = lane.request(for: line, key: key) else { return }
        self.progress.update(lane.name) { $0.resolving += 1 }
        defer { self.progress.update(lane.name) { $0.resolving -= 1 } }
        var reference = reference ?? line.providerReference
        var notBefore = sentAt.addingTimeInterval(lane.rules.statusDelayAfterSend.timeInterval)
        var reason = "no status query was answered"
        let queries = self.policy.statusQueries.maximumAttempts
        for query in 1...queries {
            guard await self.sleep(until: notBefore, lane: lane) else { return }
            var wait: Duration? = nil
            if let window = lane.rules.replayWindow, reference == nil {
                guard let first = try? await self.storeCall({ try await self.store.firstSend(lineID: line.id, key: key) }) ?? sentAt else {
                    return
                }
                let closes = min(first, sentAt).addingTimeInterval((window - Self.replaySafetyMargin).timeInterval)
                guard self.now() < closes else {
                    let message =
                        "no \(lane.account.kind.rawValue) reference was recorded, and the provider's \(Self.hours(window)) replay window since the first send (\(Timestamp.string(first))) has closed: a replay now would be a new top-up, and there is no read-only way to tell"
                    self.logger.warning(
                        "line could not be resolved; UNKNOWN, for an operator",
                        metadata: self.metadata(lane, line, key: key, ["reason": "\(message)"]))
                    await self.record(
                        lane, line, attempt: attempt, fence: fence, event: .unresolvable, outcome: "unresolved",
                        code: "replay-window-closed",
                        message: message)
                    return
                }
                guard await self.admit(lane, recharge: false) else { return }
                let replayed = await lane.client.recharge(request)
                self.release(lane)
                switch replayed {
                case .applied(let receipt):
                    await self.record(
                        lane, line, attempt: attempt, fence: fence, event: .applied, outcome: "applied (same-key replay)",
                        reference: receipt.providerReference, receipt: receipt)
                    return
                case .rejected(let code, let message):
                    await self.record(
                        lane, line, attempt: attempt, fence: fence, event: .rejected, outcome: "rejected (same-key replay)", code: code,
                        message: message)
                    return
                case .accepted(let found, let code, let message):
                    reference = found
                    reason = "the provider still reports it in progress"
                    guard
                        await self.record(
                            lane, line, attempt: attempt, fence: fence, event: .inDoubt, outcome: "accepted (same-key replay)", code: code,
                            message: message,
                            reference: found)
                    else { return }
                case .notApplied(let code, let message, _):
                    // The replay itself was not taken (not sent): it says nothing about the first send.
                    reason = "the same-key replay was not answered (\(code): \(message))"
                case .throttled(let code, let message, let retryAfter):
                    reason = "the same-key replay was not answered (\(code): \(message))"
                    wait = await self.throttled(lane, retryAfter: retryAfter)
                case .inDoubt(let code, let message):
                    reason = "the same-key replay was in doubt too (\(code): \(message))"
                }
            } else {
                guard await self.admit(lane, recharge: false) else { return }
                let status = await lane.lookup.status(request, recorded: RecordedSend(evidence: evidence, providerReference: reference))
                self.release(lane)
                switch status {
                case .applied(let receipt):
                    await self.record(
                        lane, line, attempt: attempt, fence: fence, event: .applied, outcome: "applied (status query)",
                        reference: receipt.providerReference,
                        receipt: receipt)
                    return
                case .rejected(let code, let message):
                    await self.record(
                        lane, line, attempt: attempt, fence: fence, event: .rejected, outcome: "rejected (status query)", code: code,
                        message: message)
                    return
                case .notApplied:
                    await self.notApplied(
                        lane, line, attempt: attempt, fence: fence, code: "not-applied",
                        message: "the provider has no record of the request",
                        retryAfter: nil, throttled: false)
                    return
                case .pending(let found):
                    reason = "the provider still reports it in progress"
                    if let found, reference == nil {
                        reference = found
                        guard
                            await self.record(
                                lane, line, attempt: attempt, fence: fence, event: .inDoubt, outcome: "pending (status query)",
                                code: "pending",
                                message: reason, reference: found)
                        else { return }
                    }
                case .throttled(let retryAfter):
                    reason = "the provider answered the status query 429"
                    wait = await self.throttled(lane, retryAfter: retryAfter)
                case .cannotTell(let why):
                    reason = why
                }
            }
            var random = SystemRandomNumberGenerator()
            let delay = max(self.policy.statusQueries.delay(forAttempt: query, random: &random), wait ?? .zero)
            notBefore = self.now().addingTimeInterval(delay.timeInterval)
        }
        self.logger.warning(
            "line could not be resolved; UNKNOWN, for an operator", metadata: self.metadata(lane, line, key: key, ["reason": "\(reason)"]))
        await self.record(
            lane, line, attempt: attempt, fence: fence, event: .unresolvable, outcome: "unresolved", code: "unresolved",
            message: "after \(queries) status queries: \(reason)")
    }

    /// A replay is sent only while this much of the provider's dedupe window is left: room for the clocks of the
    /// two sides to differ and for the request's own time on the wire.
    static var replaySafetyMargin: Duration { .seconds(600) }

    static func hours(_ duration: Duration) -> String {
        "\(duration.components.seconds / 3600) h"
    }

    /// A 429 on a lookup or replay: pauses the account for `Retry-After` (or the policy's pause) and returns how
    /// long the next request must wait.
    private func throttled(_ lane: AccountLane<C>, retryAfter: Duration?) async -> Duration {
        let pause = retryAfter ?? self.policy.throttlePause
        self.progress.update(lane.name) { $0.throttled += 1 }
        await lane.limiter.pause(until: self.clock.now.advanced(by: pause))
        return pause
    }

    /// A send that provably did not take effect: back to PENDING after a backoff (a 429 also pauses the account),
    /// or FAILED once the attempts are spent — nothing was applied either way.
    private func notApplied(
        _ lane: AccountLane<C>, _ line: LineRecord, attempt: Int, fence: Int64, code: String, message: String, retryAfter: Duration?,
        throttled: Bool,
        sentAt: Date? = nil
    ) async {
        if throttled {
            let pause = retryAfter ?? self.policy.throttlePause
            self.progress.update(lane.name) { $0.throttled += 1 }
            // A 429 is an answer: the provider is reachable. Counted as one for the breaker, so a probe answered
            // 429 closes it (the limiter's pause deals with the throttling) instead of leaving it half-open, where
            // nothing more would be sent and the account would be given up as unreachable.
            lane.breaker.withLock { $0.recordSuccess() }
            await lane.limiter.pause(until: self.clock.now.advanced(by: pause))
        } else {
            _ = lane.breaker.withLock { $0.recordFailure(at: self.clock.now) }
        }
        guard self.policy.retry.allowsRetry(afterAttempt: attempt) else {
            await self.record(
                lane, line, attempt: attempt, fence: fence, event: .rejected, outcome: "gave up", code: code,
                message: "not applied after \(attempt) attempts; last answer: \(message)", sentAt: sentAt)
            return
        }
        var random = SystemRandomNumberGenerator()
        let delay = self.policy.retry.delay(forAttempt: attempt, retryAfter: retryAfter, random: &random)
        self.progress.update(lane.name) { $0.retried += 1 }
        await self.record(
            lane, line, attempt: attempt, fence: fence, event: .notApplied, outcome: "not applied", code: code, message: message,
            nextAttemptAt: self.now().addingTimeInterval(delay.timeInterval), sentAt: sentAt)
    }

    /// Records an attempt's outcome and the line's event (in a group commit with others); `false` when the store
    /// failed (the run then stops).
    @discardableResult
    private func record(
        _ lane: AccountLane<C>, _ line: LineRecord, attempt: Int, fence: Int64, event: LineEvent, outcome: String, code: String? = nil,
        message: String? = nil, reference: String? = nil, receipt: ProviderReceipt? = nil, nextAttemptAt: Date? = nil, sentAt: Date? = nil
    ) async -> Bool {
        let result = await self.recorder.record(
            OutcomeRecord(
                lineID: line.id, attemptNumber: attempt, event: event, outcome: outcome, errorCode: code, errorMessage: message,
                providerReference: reference, receipt: receipt, nextAttemptAt: nextAttemptAt, sentAt: sentAt, fence: fence))
        let state: LineState
        switch result {
        case .success(let recorded): state = recorded
        case .failure(let error) where error.code == .claimLost:
            // Another runner adopted the line after this runner's lease expired: it resolves the line; this runner
            // records nothing more and stops sending.
            self.loseLease("a line this runner held was adopted by another runner", metadata: self.metadata(lane, line, key: nil))
            return false
        case .failure(let error):
            self.fail(error)
            return false
        }
        // The claim loop may be waiting for exactly this: a line back to PENDING, or the last one settled.
        lane.wake.signal()
        switch state {
        case .success: self.progress.recordSettled(lane.name) { $0.succeeded += 1 }
        case .failed: self.progress.recordSettled(lane.name) { $0.failed += 1 }
        case .unknown: self.progress.recordSettled(lane.name) { $0.unknown += 1 }
        default: break
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
    /// a stop (of the run, or of this account given up) came first (nothing is held then); otherwise the caller
    /// must ``release(_:)`` after the request.
    func admit(_ lane: AccountLane<C>, recharge: Bool) async -> Bool {
        if self.stop.isTriggered || lane.halted.isTriggered { return false }
        guard await self.holdsLease() else { return false }
        if await self.admitNow(lane, recharge: recharge) {
            // The limiter is an actor: a stop may have come while the fast path waited for it. Nothing leaves after it.
            let sure = await self.holdsLease()
            if self.stop.isTriggered || lane.halted.isTriggered || !sure {
                self.release(lane)
                return false
            }
            self.progress.update(lane.name) { $0.requests += 1 }
            return true
        }
        // The acquisition races the stops.
        let admission = await withTaskGroup(of: Admission.self) { group in
            group.addTask {
                guard let probe = try? await self.acquire(lane, recharge: recharge) else { return .notAcquired }
                return .acquired(probe: probe)
            }
            group.addTask {
                await self.stop.wait()
                return .notAcquired
            }
            group.addTask {
                await lane.halted.wait()
                return .notAcquired
            }
            var admission = Admission.notAcquired
            for await result in group {
                if case .acquired = result { admission = result }
                group.cancelAll()
            }
            return admission
        }
        guard case .acquired(let probe) = admission else { return false }
        // A stop that came while the acquisition finished (a sleep already over when it was cancelled) still wins:
        // nothing leaves after it. What was acquired is given back, the probe too. So does a lease this runner can no
        // longer be sure of (a process paused past it): its lines may be adopted by another runner by now.
        let sure = await self.holdsLease()
        if self.stop.isTriggered || lane.halted.isTriggered || !sure {
            if probe { lane.breaker.withLock { $0.abandonProbe(at: self.clock.now) } }
            self.release(lane)
            return false
        }
        self.progress.update(lane.name) { $0.requests += 1 }
        return true
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

    /// Takes the slots, passes the breaker and the limiter; returns whether the request is the breaker's probe.
    private func acquire(_ lane: AccountLane<C>, recharge: Bool) async throws -> Bool {
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
        return probe
    }

    func release(_ lane: AccountLane<C>) {
        self.global.release()
        lane.slots.release()
    }

    /// Sleeps until `date`; `false` if a stop (of the run, or of `lane`'s account given up) came first.
    private func sleep(until date: Date, lane: AccountLane<C>) async -> Bool {
        let delay = date.timeIntervalSince(self.now())
        if delay > 0 {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await self.clock.sleep(for: .milliseconds(Int64((delay * 1000).rounded(.up)))) }
                group.addTask { await self.stop.wait() }
                group.addTask { await lane.halted.wait() }
                await group.next()
                group.cancelAll()
            }
        }
        return !self.stop.isTriggered && !lane.halted.isTriggered && !Task.isCancelled
    }
}

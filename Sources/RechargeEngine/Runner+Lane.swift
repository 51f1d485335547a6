import Foundation
import Logging
import RechargeCore
import Synchronization

extension Runner {
    /// One account: first resolve its lines left in flight (by an earlier run that crashed or was stopped), then
    /// claim and send its due lines until none is left.
    func runLane(_ lane: AccountLane<C>, batchID: Int64?) async {
        // An account whose provider keeps one session per client is worked by one runner at a time: recovery and status
        // queries need a token as much as sends do.
        if lane.rules.oneSessionPerAccount {
            guard await self.awaitAccount(lane, batchID: batchID) else { return }
        }
        // After the account is held: a login elsewhere would end another runner's session.
        await lane.client.prepare()
        guard let inFlight = try? await self.storeCall({ try await self.store.inFlightLines(account: lane.name) }) else { return }
        if !inFlight.isEmpty {
            self.logger.info("resolving lines left in flight", metadata: ["account": "\(lane.name)", "lines": "\(inFlight.count)"])
            await withDiscardingTaskGroup { group in
                self.resolveInFlight(inFlight, lane: lane, group: &group)
            }
        }
        // Discarding: a finished send leaves nothing behind, so memory does not grow with the batch.
        await withDiscardingTaskGroup { group in
            await self.claimLoop(lane, batchID: batchID, group: &group)
        }
    }

    /// Resolves lines left in flight (by a run that crashed or stopped, or by a runner whose lease expired) by the
    /// account's lookup, each in a child task of `group`.
    private func resolveInFlight(_ lines: [InFlightLine], lane: AccountLane<C>, group: inout DiscardingTaskGroup) {
        for line in lines {
            // Timed from when the request left, as recorded with its answer; with none recorded (a crash while it
            // was on its way), from now: whatever left, left before the crash.
            let sentAt = line.sentAt.flatMap(Timestamp.date(from:)) ?? self.now()
            let evidence = line.evidence.map(ResolutionEvidence.init(text:))
            group.addTask {
                await self.resolve(
                    lane, line: line.line, key: line.key, attempt: line.attemptNumber, fence: line.fence, evidence: evidence,
                    sentAt: sentAt)
            }
        }
    }

    /// Waits until this runner holds `lane`'s account (``EngineStore/holdAccount(_:now:)``), looking again every half
    /// lease; `false` when the account has no work left meanwhile, a stop came, or the store failed.
    private func awaitAccount(_ lane: AccountLane<C>, batchID: Int64?) async -> Bool {
        var announced = false
        while !self.stop.isTriggered && !Task.isCancelled {
            guard let held = try? await self.storeCall({ try await self.store.holdAccount(lane.name, now: self.now()) }) else {
                return false
            }
            if held { return true }
            if !announced {
                self.logger.info(
                    "another runner works this account (its provider keeps one session per client); waiting for it",
                    metadata: ["account": "\(lane.name)"])
                announced = true
            }
            guard let work = try? await self.storeCall({ try await self.store.work(account: lane.name, batchID: batchID, now: self.now()) })
            else { return false }
            if work.isEmpty { return false }
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await self.clock.sleep(for: self.policy.leaseTTL / 2) }
                group.addTask { await self.stop.wait() }
                await group.next()
                group.cancelAll()
            }
        }
        return false
    }

    /// Takes over the account's lines whose runner's lease expired (a store shared by several runners) and resolves
    /// them; `false` when the store failed.
    private func adoptOrphans(_ lane: AccountLane<C>, group: inout DiscardingTaskGroup) async -> Bool {
        guard let orphans = try? await self.storeCall({ try await self.store.adoptOrphans(account: lane.name, now: self.now()) })
        else { return false }
        if !orphans.isEmpty {
            self.logger.warning(
                "adopted lines in flight of a runner whose lease expired; resolving them by lookup",
                metadata: ["account": "\(lane.name)", "lines": "\(orphans.count)"])
            self.resolveInFlight(orphans, lane: lane, group: &group)
        }
        return true
    }

    /// Claims due lines as capacity frees and hands each to a child task that sends it.
    private func claimLoop(_ lane: AccountLane<C>, batchID: Int64?, group: inout DiscardingTaskGroup) async {
        let maxInFlight = max(1, lane.account.maxInFlight)
        // Lines sent as soon as they are claimed (no card read) are claimed ahead: up to three times `maxInFlight` more
        // are kept ready here and handed to a send as soon as a request is answered (while its outcome is still being
        // recorded), so that no slot stands idle while a claim or an outcome commits, and a claim carries a quarter of
        // the window (`maxInFlight` lines) in one transaction. A ready line is PROCESSING without a send recorded; if
        // the loop ends (a stop, the account given up) it is handed over all the same and its send records "not sent"
        // (back to PENDING); a crash leaves it to be resolved by lookup like any line in flight. Measured in
        // docs/benchmarks.md: the engine's rate against the bare client's went from 64–72 % to 77–80 % this way.
        let ahead = lane.rules.onePerCard || lane.rules.requiresEvidence ? 0 : maxInFlight * 3
        let claimWindow = maxInFlight + ahead
        var ready: [ClaimedLine] = []
        var nextReady = 0
        func handOver(upTo limit: Int, group: inout DiscardingTaskGroup) {
            while nextReady < ready.count && lane.sending.load(ordering: .acquiring) < limit {
                let line = ready[nextReady]
                nextReady += 1
                lane.queued.add(1, ordering: .relaxed)
                lane.sending.add(1, ordering: .relaxed)
                self.progress.update(lane.name) { $0.inFlight += 1 }
                group.addTask { await self.execute(lane, claimed: line, evidence: nil) }
            }
            if nextReady == ready.count {
                ready.removeAll(keepingCapacity: true)
                nextReady = 0
            }
        }
        defer { handOver(upTo: .max, group: &group) }
        // Other runners' lines are looked at every half lease: one whose runner died is adopted soon after its lease
        // expires, even while this runner has work of its own.
        let adoptionEvery = self.policy.leaseTTL / 2
        var nextAdoption = self.clock.now.advanced(by: adoptionEvery)
        while !self.stop.isTriggered && !Task.isCancelled {
            if self.giveUpIfUnreachable(lane) { return }
            if self.clock.now >= nextAdoption {
                nextAdoption = self.clock.now.advanced(by: adoptionEvery)
                guard await self.adoptOrphans(lane, group: &group) else { return }
            }
            handOver(upTo: maxInFlight, group: &group)
            let waiting = ready.count - nextReady
            let queued = lane.queued.load(ordering: .acquiring) + waiting
            let capacity = claimWindow - queued
            // Claim in groups: with lines still in flight, wait until a quarter of the window is free, so that one
            // claim transaction carries several lines instead of one per answer.
            if capacity <= 0 || (queued > 0 && capacity < max(1, claimWindow / 4)) {
                await self.waitForChange(lane, until: nil)
                continue
            }
            // One instant for both queries: a line that came due between them would be neither due nor deferred,
            // and the loop would wait for a wake-up that never comes.
            let now = self.now()
            if !lane.rules.onePerCard && !lane.rules.requiresEvidence {
                // Nothing to do between finding a line and claiming it: both in one transaction.
                guard
                    let claimed = try? await self.storeCall({
                        try await self.store.claimDue(
                            account: lane.name, batchID: batchID, limit: min(capacity, self.policy.claimBatch), actor: "engine",
                            now: now)
                    })
                else { return }
                if claimed.isEmpty {
                    guard await self.waitForDueWork(lane, batchID: batchID, now: now) else { return }
                    continue
                }
                ready += claimed
                continue
            }
            // Lines whose card is being read are still PENDING: ask for enough to find new ones past them. What the
            // query says about them is stale once it returns (one may be sent and settled by then), so they are
            // skipped even if their preparation has finished since.
            let busy = lane.preparing.withLock { $0 }
            let limit = min(capacity, self.policy.claimBatch) + busy.lines.count
            guard
                let due = try? await self.storeCall({
                    try await self.store.dueLines(
                        account: lane.name, batchID: batchID, limit: limit, onePerCard: lane.rules.onePerCard, now: now)
                })
            else { return }
            if due.isEmpty {
                guard await self.waitForDueWork(lane, batchID: batchID, now: now) else { return }
                continue
            }
            // Each line reads its card, is claimed and sent on its own, so that a slow read holds up no other line
            // and the account's rate-limiter slots are used as they come.
            let fresh = lane.preparing.withLock { preparing -> [DueLine] in
                var taken: [DueLine] = []
                for line in due where taken.count < capacity {
                    guard !preparing.lines.contains(line.id), !preparing.cards.contains(line.cardID),
                        !busy.lines.contains(line.id), !busy.cards.contains(line.cardID)
                    else { continue }
                    preparing.lines.insert(line.id)
                    preparing.cards.insert(line.cardID)
                    taken.append(line)
                }
                return taken
            }
            if fresh.isEmpty {
                await self.waitForChange(lane, until: nil)
                continue
            }
            for line in fresh {
                lane.queued.add(1, ordering: .relaxed)
                lane.sending.add(1, ordering: .relaxed)
                self.progress.update(lane.name) { $0.inFlight += 1 }
                group.addTask { await self.prepareAndExecute(lane, due: line) }
            }
        }
    }

    /// With no line due now: `false` when the account has no work left at all; otherwise waits until a line may
    /// have come due (one finished, or the earliest deferred one's time) and returns `true`. `false` too when the
    /// store failed.
    private func waitForDueWork(_ lane: AccountLane<C>, batchID: Int64?, now: Date) async -> Bool {
        guard let work = try? await self.storeCall({ try await self.store.work(account: lane.name, batchID: batchID, now: now) }) else {
            return false
        }
        if work.isEmpty { return false }
        // Lines in flight may be another runner's (a shared store), whose end no wake-up here signals: look again
        // after half a lease at the latest.
        let recheck = now.addingTimeInterval((self.policy.leaseTTL / 2).timeInterval)
        await self.waitForChange(lane, until: min(work.earliestDeferred ?? recheck, recheck))
        return true
    }

    /// Gives the account up once its breaker has stayed open for the policy's `breakerGiveUp`: its lanes stop
    /// (see ``AccountLane/halted``), the other accounts carry on.
    /// - Returns: Whether the account has been given up.
    func giveUpIfUnreachable(_ lane: AccountLane<C>) -> Bool {
        if lane.halted.isTriggered { return true }
        guard let limit = self.policy.breakerGiveUp else { return false }
        let now = self.clock.now
        guard let since = lane.breaker.withLock({ $0.openSince }), since.advanced(by: limit) <= now else { return false }
        let unreachable = since.duration(to: now)
        lane.halted.trigger()
        self.progress.update(lane.name) { $0.unreachableFor = unreachable }
        self.logger.error(
            "provider account unreachable: no more of its lines are sent in this run; they stay PENDING",
            metadata: ["account": "\(lane.name)", "unreachable": "\(Int(unreachable.timeInterval)) s"])
        return true
    }

    /// Sleeps until a line of this account finishes, `until` passes, the account's breaker has been open for the
    /// give-up time, or a stop is asked for.
    private func waitForChange(_ lane: AccountLane<C>, until: Date?) async {
        let giveUpAt = self.policy.breakerGiveUp.flatMap { limit in lane.breaker.withLock { $0.unreachableDeadline(after: limit) } }
        // The common case, a few times per claim group: only a line finishing can change anything, and a stop
        // signals every lane's wake-up (see `runLanes`), so one wait does without a task group of three.
        if until == nil && giveUpAt == nil {
            if !self.stop.isTriggered { await lane.wake.wait() }
            return
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await lane.wake.wait() }
            group.addTask { await self.stop.wait() }
            if let giveUpAt {
                group.addTask { try? await self.clock.sleep(until: giveUpAt, tolerance: nil) }
            }
            if let until {
                let delay = max(0, until.timeIntervalSince(self.now()))
                group.addTask { try? await self.clock.sleep(for: .milliseconds(Int64((delay * 1000).rounded(.up)) + 1)) }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Reads the card a line's adapter wants recorded (where the account reads one), claims the line with it and sends
    /// it; a line whose required evidence cannot be had now is deferred (nothing was sent), up to the policy's attempts.
    private func prepareAndExecute(_ lane: AccountLane<C>, due: DueLine) async {
        let line = due.line
        var handedOver = false
        defer {
            lane.preparing.withLock {
                $0.lines.remove(line.id)
                $0.cards.remove(line.cardID)
            }
            if !handedOver {
                lane.queued.add(-1, ordering: .releasing)
                lane.sending.add(-1, ordering: .releasing)
                self.progress.update(lane.name) { $0.inFlight -= 1 }
            }
            lane.wake.signal()
        }
        // The key the claim records, so the adapter sees the request exactly as it will be sent.
        guard let request = lane.request(for: line, key: due.key) else { return }
        var read = EvidenceRead.notNeeded
        if lane.rules.readsCardBeforeSend {
            guard await self.admit(lane, recharge: false) else { return }
            read = await lane.lookup.evidenceBeforeRecharge(request)
            self.release(lane)
        }
        // A 429 on the card read pauses the account like one on a send (the policy's pause when it said no wait).
        var throttlePause: Duration? = nil
        if case .throttled(let wait) = read {
            let pause = wait ?? self.policy.throttlePause
            throttlePause = pause
            self.progress.update(lane.name) { $0.throttled += 1 }
            await lane.limiter.pause(until: self.clock.now.advanced(by: pause))
        }
        let throttled = throttlePause != nil
        let evidence = read.evidence
        if evidence != nil {
            // The misses count failed reads in a row: a line read once is owed the full count again if it comes back
            // (a send not applied, retried later).
            _ = lane.evidenceMisses.withLock { $0.removeValue(forKey: line.id) }
        }
        if evidence == nil && read != .notNeeded && lane.rules.requiresEvidence {
            // A 429 is the provider pacing this client, not a card it cannot read: the line waits with the account, and
            // the read counts toward sending without a snapshot only after as many 429s in a row as a send may take
            // (`retry.maximumAttempts`), so that a provider throttling for ever cannot hold the line back for ever.
            // Otherwise, under a provider's limit, lines would lose the snapshot that resolves a lost answer.
            if !throttled { _ = lane.breaker.withLock { $0.recordFailure(at: self.clock.now) } }
            let misses = lane.evidenceMisses.withLock { misses -> EvidenceMisses in
                var count = misses[line.id, default: EvidenceMisses()]
                if throttled { count.throttled += 1 } else { count.failed += 1 }
                misses[line.id] = count
                return count
            }
            let counted = misses.failed + max(0, misses.throttled - (self.policy.retry.maximumAttempts - 1))
            if counted < self.policy.evidenceAttempts {
                let until = self.now().addingTimeInterval(max(self.policy.evidenceRetryDelay, throttlePause ?? .zero).timeInterval)
                self.logger.info(
                    "card could not be read before sending; line deferred",
                    metadata: ["account": "\(lane.name)", "batch": "\(line.batchID)", "line": "\(line.lineNumber)"])
                _ = try? await self.storeCall {
                    try await self.store.deferLine(
                        lineID: line.id, until: until, code: "evidence-unavailable",
                        message: "the card could not be read before sending; nothing was sent", now: self.now())
                }
                return
            }
            _ = lane.evidenceMisses.withLock { $0.removeValue(forKey: line.id) }
            self.logger.warning(
                "card could not be read before sending (\(misses.failed) failed, \(misses.throttled) answered 429); sending without a snapshot (a lost answer would end UNKNOWN)",
                metadata: ["account": "\(lane.name)", "batch": "\(line.batchID)", "line": "\(line.lineNumber)"])
        }
        guard !self.stop.isTriggered, !lane.halted.isTriggered else { return }
        switch await self.claimer.claim(LineClaim(due, evidence: evidence?.text)) {
        case .success(let claimed?):
            handedOver = true
            // PROCESSING now, so the due-lines query no longer returns it: it need not be asked for past it. Its card
            // stays taken until the line is done.
            lane.preparing.withLock { _ = $0.lines.remove(line.id) }
            await self.execute(lane, claimed: claimed, evidence: evidence)
        case .success(nil):
            return
        case .failure(let error):
            self.fail(error)
        }
    }
}

import Foundation
import Logging
import RechargeCore
import RechargeStore
import Synchronization

extension Runner {
    /// One account: first resolve its lines left in flight (by an earlier run that crashed or was stopped), then
    /// claim and send its due lines until none is left.
    func runLane(_ lane: AccountLane<C>, batchID: Int64?) async {
        guard let inFlight = try? self.storeCall({ try self.database.inFlightLines(account: lane.name) }) else { return }
        if !inFlight.isEmpty {
            self.logger.info("resolving lines left in flight", metadata: ["account": "\(lane.name)", "lines": "\(inFlight.count)"])
            await withTaskGroup(of: Void.self) { group in
                for line in inFlight {
                    let sentAt = Timestamp.date(from: line.sentAt) ?? self.now()
                    let evidence = line.evidence.map(ResolutionEvidence.init(text:))
                    group.addTask {
                        await self.resolve(lane, line: line.line, key: line.key, attempt: line.attemptNumber, evidence: evidence, sentAt: sentAt)
                    }
                }
            }
        }
        await withTaskGroup(of: Void.self) { group in
            await self.claimLoop(lane, batchID: batchID, group: &group)
        }
    }

    /// Claims due lines as capacity frees and hands each to a child task that sends it.
    private func claimLoop(_ lane: AccountLane<C>, batchID: Int64?, group: inout TaskGroup<Void>) async {
        let maxInFlight = max(1, lane.account.maxInFlight)
        var batchUIDs: [Int64: String] = [:]
        while !self.stop.isTriggered && !Task.isCancelled {
            let capacity = maxInFlight - lane.queued.load(ordering: .acquiring)
            if capacity <= 0 {
                await self.waitForChange(lane, until: nil)
                continue
            }
            let limit = min(capacity, self.policy.claimBatch)
            // One instant for both queries: a line that came due between them would be neither due nor deferred,
            // and the loop would wait for a wake-up that never comes.
            let now = self.now()
            guard
                let due = try? self.storeCall({
                    try self.database.dueLines(account: lane.name, batchID: batchID, limit: limit, onePerCard: lane.rules.onePerCard, now: now)
                })
            else { return }
            if due.isEmpty {
                guard let work = try? self.storeCall({ try self.database.work(account: lane.name, batchID: batchID, now: now) }) else { return }
                if work.isEmpty { return }
                await self.waitForChange(lane, until: work.earliestDeferred)
                continue
            }
            let claims = await self.evidence(for: due, lane: lane, batchUIDs: &batchUIDs)
            if claims.isEmpty { continue }
            guard let claimed = try? self.storeCall({ try self.database.claim(claims, now: self.now()) }) else { return }
            let evidence = Dictionary(claims.map { ($0.lineID, $0.evidence) }, uniquingKeysWith: { first, _ in first })
            for line in claimed {
                let recorded = (evidence[line.line.id] ?? nil).map(ResolutionEvidence.init(text:))
                lane.queued.add(1, ordering: .relaxed)
                self.progress.update(lane.name) { $0.inFlight += 1 }
                group.addTask { await self.execute(lane, claimed: line, evidence: recorded) }
            }
        }
    }

    /// Sleeps until a line of this account finishes, `until` passes, or a stop is asked for.
    private func waitForChange(_ lane: AccountLane<C>, until: Date?) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await lane.wake.wait() }
            group.addTask { await self.stop.wait() }
            if let until {
                let delay = max(0, until.timeIntervalSince(self.now()))
                group.addTask { try? await self.clock.sleep(for: .milliseconds(Int64((delay * 1000).rounded(.up)) + 1)) }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// The evidence each line's adapter wants recorded before sending, read concurrently; a line whose required
    /// evidence cannot be had now is deferred (nothing was sent).
    private func evidence(
        for lines: [LineRecord], lane: AccountLane<C>, batchUIDs: inout [Int64: String]
    ) async -> [(lineID: Int64, evidence: String?)] {
        let wantsEvidence = lane.rules.onePerCard || lane.rules.requiresEvidence
        guard wantsEvidence else { return lines.map { ($0.id, nil) } }
        for batchID in Set(lines.map(\.batchID)) where batchUIDs[batchID] == nil {
            guard let batch = try? self.storeCall({ try self.database.batch(String(batchID)) }) else { return [] }
            batchUIDs[batchID] = batch.uid
        }
        let uids = batchUIDs
        let read = await withTaskGroup(of: (Int64, String?, Bool).self) { group in
            for line in lines {
                group.addTask {
                    // The key the claim will derive, so the adapter sees the request exactly as it will be sent.
                    let key = IdempotencyKey(batchUID: uids[line.batchID]!, lineNumber: line.lineNumber, generation: line.generation)
                    guard let request = self.request(for: line, key: key, lane: lane),
                        await self.admit(lane, recharge: false)
                    else { return (line.id, nil, false) }
                    let evidence = await lane.client.evidenceBeforeRecharge(request)
                    self.release(lane)
                    return (line.id, evidence?.text, true)
                }
            }
            var results: [Int64: (String?, Bool)] = [:]
            for await (id, evidence, asked) in group { results[id] = (evidence, asked) }
            return results
        }
        var claims: [(lineID: Int64, evidence: String?)] = []
        for line in lines {
            guard let (evidence, asked) = read[line.id], asked else { continue }
            if evidence == nil && lane.rules.requiresEvidence {
                _ = lane.breaker.withLock { $0.recordFailure(at: self.clock.now) }
                let misses = lane.evidenceMisses.withLock { misses -> Int in
                    misses[line.id, default: 0] += 1
                    return misses[line.id]!
                }
                if misses >= self.policy.evidenceAttempts {
                    self.logger.warning(
                        "card could not be read before sending, \(misses) times; sending without a snapshot (a lost answer would end UNKNOWN)",
                        metadata: ["account": "\(lane.name)", "batch": "\(line.batchID)", "line": "\(line.lineNumber)"])
                    claims.append((line.id, nil))
                    continue
                }
                let until = self.now().addingTimeInterval(Self.seconds(self.policy.evidenceRetryDelay))
                self.logger.info(
                    "card could not be read before sending; line deferred",
                    metadata: ["account": "\(lane.name)", "batch": "\(line.batchID)", "line": "\(line.lineNumber)"])
                guard
                    (try? self.storeCall({
                        try self.database.deferLine(
                            lineID: line.id, until: until, code: "evidence-unavailable",
                            message: "the card could not be read before sending; nothing was sent", now: self.now())
                    })) != nil
                else { return [] }
                continue
            }
            claims.append((line.id, evidence))
        }
        return claims
    }

    func request(for line: LineRecord, key: IdempotencyKey, lane: AccountLane<C>) -> RechargeRequest? {
        lane.request(
            cardID: line.cardID, amountMinor: line.amountMinor, currency: line.currency, reference: line.reference, remark: line.remark,
            payCoin: line.payCoin, payAccountNumber: line.payAccountNumber, onBehalfOf: line.onBehalfOf, key: key)
    }
}

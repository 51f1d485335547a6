import Foundation
import RechargeCore
import RechargeEngine
import RechargePostgres
import RechargeStore
import Testing

/// What several runners sharing one PostgreSQL database rely on: no line claimed twice, no write under a lost claim,
/// no line of a dead runner left in flight, one recharge per card in flight across runners, one rate budget.
@Suite struct SeveralRunnersTests {
    /// Runs `body` with a fresh PostgreSQL store holding `file` (the sample by default).
    func withBatch(
        _ file: String = sampleCSV, _ body: @Sendable (PostgresStore, BatchRecord) async throws -> Void
    ) async throws {
        try await withFreshPostgres { location in
            try await PostgresStore.withStore(location, logger: testLogger) { store in
                let outcome = try await store.importBatch(ImportRequest(path: file), reader: contractReader(), now: contractNow)
                try await body(store, try #require(outcome.importedBatch))
            }
        }
    }

    @Test func concurrentClaimsNeverTakeOneLineTwice() async throws {
        try await self.withBatch { store, batch in
            let runners = (1...4).map { PostgresEngineStore(store, runner: "runner-\($0)") }
            for runner in runners { _ = try await runner.acquireLease(leaseClaim(runner.runner), now: contractNow) }
            let taken = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for runner in runners {
                    group.addTask {
                        var mine: [Int64] = []
                        for account in ["uqpay", "hypercard", "vcc", "pagsmile", "paycertify"] {
                            while true {
                                let claimed = try await runner.claimDue(
                                    account: account, batchID: nil, limit: 2, actor: "engine", now: contractNow)
                                if claimed.isEmpty { break }
                                mine += claimed.map(\.line.id)
                            }
                        }
                        return mine
                    }
                }
                var all: [[Int64]] = []
                for try await ids in group { all.append(ids) }
                return all
            }
            let flat = taken.flatMap { $0 }
            #expect(flat.count == 50)
            #expect(Set(flat).count == 50)
            let lines = try await store.lines(batchID: batch.id)
            #expect(lines.allSatisfy { $0.state == .processing })
        }
    }

    /// A runner paused past its lease loses its lines to the runner that adopts them; its late answer is refused,
    /// the adopter's is recorded, and the paused runner can no longer renew.
    @Test func aRunnerWhoseLeaseExpiredLosesItsLinesToTheAdopter() async throws {
        try await self.withBatch { store, batch in
            let paused = PostgresEngineStore(store, runner: "paused")
            let adopter = PostgresEngineStore(store, runner: "adopter")
            _ = try await paused.acquireLease(leaseClaim("paused"), now: contractNow)
            _ = try await adopter.acquireLease(leaseClaim("adopter"), now: contractNow)
            let claimed = try await paused.claimDue(account: "uqpay", batchID: nil, limit: 2, actor: "engine", now: contractNow)
            #expect(claimed.count == 2)
            // Live lease: nothing to adopt.
            #expect(try await adopter.adoptOrphans(account: "uqpay", now: contractNow).isEmpty)

            // The paused runner's last heartbeat gives it 0.2 s more; adopted once that has passed by the server's clock.
            #expect(try await paused.renewLease(holder: "paused", ttl: 0.2, now: contractNow))
            try await waitUntil { try await adopter.adoptOrphans(account: "uqpay", now: contractNow).isEmpty == false }
            let lines = try await store.lines(batchID: batch.id).filter { Set(claimed.map(\.line.id)).contains($0.id) }
            #expect(lines.allSatisfy { $0.state == .processing })
            #expect(try await paused.renewLease(holder: "paused", ttl: 30, now: contractNow) == false)

            let late = try await paused.recordOutcomes(
                [
                    OutcomeRecord(
                        lineID: claimed[0].line.id, attemptNumber: 1, event: .applied, outcome: "applied", fence: claimed[0].fence)
                ], now: contractNow)
            #expect(throws: StoreError.self) { try late[0].get() }
            if case .failure(let error) = late[0] { #expect(error.code == .claimLost) }
            let events = try await store.events(lineID: claimed[0].line.id)
            #expect(events.map(\.kind) == ["claim", "adopted"])
        }
    }

    @Test func adoptedLinesCarryNewTokensAndTheAdopterRecordsThem() async throws {
        try await self.withBatch { store, batch in
            let dead = PostgresEngineStore(store, runner: "dead")
            let adopter = PostgresEngineStore(store, runner: "adopter")
            _ = try await dead.acquireLease(leaseClaim("dead"), now: contractNow)
            _ = try await adopter.acquireLease(leaseClaim("adopter"), now: contractNow)
            let claimed = try await dead.claimDue(account: "hypercard", batchID: nil, limit: 3, actor: "engine", now: contractNow)
            // A clean stop ends the lease at once: what it left in flight is adoptable now.
            try await dead.releaseLease(holder: "dead")
            let adopted = try await adopter.inFlightLines(account: "hypercard")
            #expect(Set(adopted.map(\.line.id)) == Set(claimed.map(\.line.id)))
            for line in adopted {
                let original = try #require(claimed.first { $0.line.id == line.line.id })
                #expect(line.fence > original.fence)
                #expect(line.key == original.key)
                #expect(line.attemptNumber == 1)
            }
            // Adopted once: a second adopter finds nothing.
            let third = PostgresEngineStore(store, runner: "third")
            _ = try await third.acquireLease(leaseClaim("third"), now: contractNow)
            #expect(try await third.adoptOrphans(account: "hypercard", now: contractNow).isEmpty)
            let records = adopted.map {
                OutcomeRecord(lineID: $0.line.id, attemptNumber: $0.attemptNumber, event: .applied, outcome: "applied", fence: $0.fence)
            }
            let results = try await adopter.recordOutcomes(records, now: contractNow)
            #expect(try results.map { try $0.get() } == Array(repeating: .success, count: adopted.count))
            _ = batch
        }
    }

    /// VCC and PayCertify compare card reads: a claim of one card's line that another runner's claim of the same card
    /// overtook (after the card was read) is refused, so no send is judged against a stale card read.
    @Test func aCardReadOvertakenByAnotherRunnersClaimIsNotUsed() async throws {
        try await self.withBatch(try cardsFile()) { store, _ in
            let first = PostgresEngineStore(store, runner: "first")
            let second = PostgresEngineStore(store, runner: "second")
            _ = try await first.acquireLease(leaseClaim("first"), now: contractNow)
            _ = try await second.acquireLease(leaseClaim("second"), now: contractNow)
            let readByFirst = try await first.dueLines(account: "paycertify", batchID: nil, limit: 10, onePerCard: true, now: contractNow)
            let readBySecond = try await second.dueLines(
                account: "paycertify", batchID: nil, limit: 10, onePerCard: true, now: contractNow)
            #expect(readByFirst.map(\.reference) == ["A", "C"])
            // Both read line A's card; the second claims first.
            let won = try await second.claim([LineClaim(readBySecond[0], evidence: "balance 5.00")], actor: "engine", now: contractNow)
            #expect(won.count == 1)
            let lost = try await first.claim([LineClaim(readByFirst[0], evidence: "balance 5.00")], actor: "engine", now: contractNow)
            #expect(lost.isEmpty)
            // Settled, the card is free again, but a read taken before that settlement is still refused.
            let outcome = OutcomeRecord(lineID: won[0].line.id, attemptNumber: 1, event: .applied, outcome: "applied", fence: won[0].fence)
            _ = try await second.recordOutcomes([outcome], now: contractNow)
            let stale = DueLine(line: readByFirst[0].line, batchUID: readByFirst[0].batchUID, cardTurn: readByFirst[0].cardTurn)
            #expect(try await first.claim([LineClaim(stale)], actor: "engine", now: contractNow).isEmpty)
            // A fresh read sees line B, and its claim goes through.
            let fresh = try await first.dueLines(account: "paycertify", batchID: nil, limit: 10, onePerCard: true, now: contractNow)
            #expect(fresh.map(\.reference) == ["B", "C"])
            #expect(try await first.claim([LineClaim(fresh[0])], actor: "engine", now: contractNow).count == 1)
        }
    }

    /// Four runners spending one account's budget: the slots they are given are spaced as one limiter's would be.
    @Test func oneRateBudgetIsSharedByEveryRunner() async throws {
        try await self.withBatch { store, _ in
            let interval = Duration.milliseconds(100)
            let tolerance = interval * 2  // burst 3
            let runners = (1...4).map { PostgresEngineStore(store, runner: "runner-\($0)") }
            // When each granted slot falls due, on the server's clock (microseconds).
            let dues = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for runner in runners {
                    group.addTask {
                        var dues: [Int64] = []
                        for _ in 0..<5 {
                            dues.append(try await runner.reserveSlot(account: "uqpay", interval: interval, tolerance: tolerance).due)
                        }
                        return dues
                    }
                }
                var all: [Int64] = []
                for try await some in group { all += some }
                return all.sorted()
            }
            // 20 slots asked for at once: the burst of 3, then the rate, whoever asked. GCRA's guarantee: the k-th slot
            // is at least (k - (burst - 1)) intervals after the first.
            #expect(dues.count == 20)
            for (k, due) in dues.enumerated() where k >= 2 {
                #expect(due - dues[0] >= Int64(k - 2) * 100_000)
            }
            #expect(dues[19] - dues[0] >= 1_700_000 - 100_000)
            // In any one second: at most the rate (10) plus the burst (3).
            for (index, due) in dues.enumerated() {
                #expect(dues[index...].prefix { $0 - due < 1_000_000 }.count <= 13)
            }
            // A pause holds every runner: the next slot is after it (a long pause, so that a busy machine's delay
            // between the two statements cannot eat the margin; nothing here waits for it).
            try await runners[0].pause(account: "pagsmile", for: .seconds(60), tolerance: tolerance)
            let afterPause = try await runners[1].reserve(account: "pagsmile", interval: interval, tolerance: tolerance)
            #expect(afterPause >= .seconds(50))
        }
    }
}

/// Polls `condition` every 50 ms for at most 20 s (a bound for a broken run, not a pace).
func waitUntil(_ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now.advanced(by: .seconds(20))
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("the condition did not hold within 20 s")
}

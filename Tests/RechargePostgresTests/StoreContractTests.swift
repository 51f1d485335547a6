import Foundation
import RechargeCore
import RechargeStore
import TestSupport
import Testing

/// The engine's store contract, held by SQLite and PostgreSQL alike: what the runner relies on whichever store it has.
@Suite struct StoreContractTests {
    @Test(arguments: StoreKind.allCases)
    func anImportStoresEveryLineOrNone(_ kind: StoreKind) async throws {
        try await withContractStore(kind) { store in
            let batch = try #require(try await store.importBatch(ImportRequest(path: sampleCSV)).importedBatch)
            #expect(batch.lineCount == 50)
            #expect(batch.approvalState == .notRequired)
            let lines = try await store.lines(batch.id)
            #expect(lines.count == 50)
            #expect(lines.allSatisfy { $0.state == .pending && $0.generation == 0 && $0.attempts == 0 })
            #expect(lines.map(\.itemNumber) == Array(1...50))

            // The same content again is a duplicate, and stores nothing.
            guard case .duplicate(let existing, _, _) = try await store.importBatch(ImportRequest(path: sampleCSV)) else {
                Issue.record("a second import of the same file was not refused")
                return
            }
            #expect(existing.id == batch.id)
            // A file with errors stores nothing either.
            guard case .rejected(let result) = try await store.importBatch(ImportRequest(path: SamplePaths.path("invalid/bad-amounts.csv")))
            else {
                Issue.record("an invalid file was not rejected")
                return
            }
            #expect(!result.isValid)
            #expect(try await store.lines(batch.id + 1).isEmpty)
            #expect(try await store.lines(batch.id + 2).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func claimsTakeDueLinesInFileOrderWithTheirKeysOnce(_ kind: StoreKind) async throws {
        try await withContractStore(kind) { store in
            let batch = try #require(try await store.importBatch(ImportRequest(path: sampleCSV)).importedBatch)
            let engine = store.engine("runner-a")
            _ = try await engine.acquireLease(leaseClaim("runner-a"), now: contractNow)
            let first = try await engine.claimDue(account: "uqpay", batchID: nil, limit: 4, actor: "engine", now: contractNow)
            let second = try await engine.claimDue(account: "uqpay", batchID: batch.id, limit: 100, actor: "engine", now: contractNow)
            let all = first + second
            let uqpay = try await store.lines(batch.id).filter { $0.account == "uqpay" }
            #expect(first.count == 4)
            #expect(all.map(\.line.lineNumber) == uqpay.map(\.lineNumber))
            for claimed in all {
                #expect(claimed.key == IdempotencyKey(batchUID: batch.uid, lineNumber: claimed.line.lineNumber, generation: 0))
                #expect(claimed.attemptNumber == 1)
            }
            let after = try await store.lines(batch.id).filter { $0.account == "uqpay" }
            #expect(after.allSatisfy { $0.state == .processing && $0.idempotencyKey != nil && $0.attempts == 1 })
            #expect(try await engine.claimDue(account: "uqpay", batchID: nil, limit: 10, actor: "engine", now: contractNow).isEmpty)
            let events = try await store.events(all[0].line.id)
            #expect(events.map(\.kind) == ["claim"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func outcomesFollowTheStateMachineAndAreRecordedOnce(_ kind: StoreKind) async throws {
        try await withContractStore(kind) { store in
            let batch = try #require(try await store.importBatch(ImportRequest(path: sampleCSV)).importedBatch)
            let engine = store.engine("runner-a")
            _ = try await engine.acquireLease(leaseClaim("runner-a"), now: contractNow)
            let claimed = try await engine.claimDue(account: "hypercard", batchID: nil, limit: 3, actor: "engine", now: contractNow)
            #expect(claimed.count == 3)
            let later = contractNow.addingTimeInterval(60)
            let records = [
                OutcomeRecord(
                    lineID: claimed[0].line.id, attemptNumber: 1, event: .applied, outcome: "applied", providerReference: "HC-1",
                    sentAt: contractNow, fence: claimed[0].fence),
                OutcomeRecord(
                    lineID: claimed[1].line.id, attemptNumber: 1, event: .notApplied, outcome: "not applied", errorCode: "503",
                    nextAttemptAt: later, fence: claimed[1].fence),
                OutcomeRecord(lineID: claimed[2].line.id, attemptNumber: 1, event: .inDoubt, outcome: "in-doubt", fence: claimed[2].fence),
            ]
            let results = try await engine.recordOutcomes(records, now: contractNow)
            #expect(try results.map { try $0.get() } == [.success, .pending, .processing])
            // A second record of a settled line is refused, alone.
            let again = try await engine.recordOutcomes([records[0]], now: contractNow)
            #expect(throws: StoreError.self) { try again[0].get() }

            let lines = Dictionary(uniqueKeysWithValues: try await store.lines(batch.id).map { ($0.id, $0) })
            #expect(lines[claimed[0].line.id]?.providerReference == "HC-1")
            #expect(lines[claimed[0].line.id]?.completedAt != nil)
            #expect(lines[claimed[1].line.id]?.idempotencyKey == claimed[1].key.hex)
            // The line sent back to PENDING is not due before its time, then is, under the same key generation.
            let work = try await engine.work(account: "hypercard", batchID: nil, now: contractNow)
            #expect(work.processing == 1)
            #expect(work.earliestDeferred.map { abs($0.timeIntervalSince(later)) < 0.01 } == true)
            let dueNow = try await engine.dueLines(account: "hypercard", batchID: nil, limit: 100, onePerCard: false, now: contractNow)
            #expect(!dueNow.contains { $0.id == claimed[1].line.id })
            let dueLater = try await engine.dueLines(account: "hypercard", batchID: nil, limit: 100, onePerCard: false, now: later)
            #expect(dueLater.first { $0.id == claimed[1].line.id }?.key == claimed[1].key)
            #expect(try await store.events(claimed[0].line.id).map(\.kind) == ["claim", "applied"])
            #expect(
                try await engine.firstSend(lineID: claimed[0].line.id, key: claimed[0].key)
                    == Timestamp.date(from: Timestamp.string(contractNow)))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func linesOfABatchAwaitingApprovalAreNeverClaimed(_ kind: StoreKind) async throws {
        try await withContractStore(kind) { store in
            let request = ImportRequest(path: sampleCSV, uploadedBy: "alice", approval: ApprovalPolicy(required: true))
            let batch = try #require(try await store.importBatch(request).importedBatch)
            #expect(batch.approvalState == .awaitingApproval)
            let engine = store.engine("runner-a")
            _ = try await engine.acquireLease(leaseClaim("runner-a"), now: contractNow)
            #expect(try await engine.batchesWithWork().isEmpty)
            #expect(try await engine.claimDue(account: "uqpay", batchID: nil, limit: 10, actor: "engine", now: contractNow).isEmpty)
            #expect(try await engine.work(account: "uqpay", batchID: nil, now: contractNow).isEmpty)
            // Not even by hand, past the code: the database refuses the claim.
            await #expect(throws: (any Error).self) {
                try await store.execute(
                    "UPDATE line SET state = 'PROCESSING', idempotency_key = 'k', claimed_by = 'x' WHERE batch_id = \(batch.id)"
                        .replacingOccurrences(of: ", claimed_by = 'x'", with: kind == .sqlite ? "" : ", claimed_by = 'x'"))
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theSchemaRefusesWhatTheStateMachineRefuses(_ kind: StoreKind) async throws {
        try await withContractStore(kind) { store in
            let batch = try #require(try await store.importBatch(ImportRequest(path: sampleCSV)).importedBatch)
            await #expect(throws: (any Error).self) {
                try await store.execute("UPDATE line SET state = 'SUCCESS' WHERE batch_id = \(batch.id)")
            }
            await #expect(throws: (any Error).self) {
                try await store.execute("UPDATE line SET amount_minor = amount_minor + 1 WHERE batch_id = \(batch.id)")
            }
            await #expect(throws: (any Error).self) { try await store.execute("DELETE FROM line WHERE batch_id = \(batch.id)") }
            await #expect(throws: (any Error).self) { try await store.execute("UPDATE event SET detail = 'x'") }
            await #expect(throws: (any Error).self) { try await store.execute("DELETE FROM event") }
            await #expect(throws: (any Error).self) {
                try await store.execute("UPDATE line SET state = 'CANCELLED', amount_minor = 0 WHERE batch_id = \(batch.id)")
            }
            // Nothing of the refused statements stayed.
            let lines = try await store.lines(batch.id)
            #expect(lines.allSatisfy { $0.state == .pending })
        }
    }

    @Test(arguments: StoreKind.allCases)
    func onePerCardLeavesOutCardsWithALineInFlight(_ kind: StoreKind) async throws {
        try await withContractStore(kind) { store in
            let path = try cardsFile()
            _ = try #require(try await store.importBatch(ImportRequest(path: path)).importedBatch)
            let engine = store.engine("runner-a")
            _ = try await engine.acquireLease(leaseClaim("runner-a"), now: contractNow)
            let due = try await engine.dueLines(account: "paycertify", batchID: nil, limit: 10, onePerCard: true, now: contractNow)
            #expect(due.map(\.reference) == ["A", "C"])
            let claimed = try await engine.claim([LineClaim(due[0], evidence: "balance 100.00")], actor: "engine", now: contractNow)
            #expect(claimed.count == 1)
            let next = try await engine.dueLines(account: "paycertify", batchID: nil, limit: 10, onePerCard: true, now: contractNow)
            #expect(next.map(\.reference) == ["C"])
            let inFlight = try await engine.inFlightLines(account: "paycertify")
            if kind == .sqlite {
                #expect(inFlight.map(\.evidence) == ["balance 100.00"])
            } else {
                // On PostgreSQL, recovery adopts only lines of runners whose lease expired: this one's is live.
                #expect(inFlight.isEmpty)
            }
        }
    }
}

/// Three PayCertify lines, two of them on one card.
func cardsFile() throws -> String {
    let card = "0b7e6f0e-3f4c-4d8e-9a57-7c1b2d3e4f50"
    let csv = """
        provider,card_id,amount,currency,reference
        paycertify,\(card),10.00,USD,A
        paycertify,\(card),20.00,USD,B
        paycertify,1b7e6f0e-3f4c-4d8e-9a57-7c1b2d3e4f51,30.00,USD,C
        """
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("recharge-cards-\(UUID().uuidString).csv")
    try Data(csv.utf8).write(to: url)
    return url.path
}

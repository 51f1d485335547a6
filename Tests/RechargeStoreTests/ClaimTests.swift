import Foundation
import GRDB
import RechargeCore
import TestSupport
import Testing

@testable import RechargeStore

/// Claiming lines for sending, recording outcomes, and what recovery finds in flight.
@Suite struct ClaimTests {
    /// A database holding the sample batch (50 lines over five accounts).
    func sampleDatabase() throws -> (RechargeDatabase, BatchRecord) {
        let database = try RechargeDatabase.inMemory()
        let outcome = try database.importBatch(ImportRequest(path: Samples.csv), reader: makeReader(), now: fixedNow)
        let batch = try #require(outcome.imported?.batch)
        return (database, batch)
    }

    /// The durability rule: a claimed line is PROCESSING with its key and an attempt row, committed, before any send.
    @Test func aClaimRecordsTheKeyAndTheAttemptBeforeAnythingIsSent() throws {
        let (database, batch) = try self.sampleDatabase()
        let due = try database.dueLines(account: "uqpay", limit: 3, onePerCard: false, now: fixedNow)
        #expect(due.count == 3)
        let claimed = try database.claim(due.map { ($0.id, nil) }, now: fixedNow)
        #expect(claimed.count == 3)
        for claim in claimed {
            #expect(claim.line.state == .processing)
            #expect(claim.line.idempotencyKey == claim.key.hex)
            #expect(claim.key == IdempotencyKey(batchUID: batch.uid, lineNumber: claim.line.lineNumber, generation: 0))
            #expect(claim.attemptNumber == 1)
        }
        let inFlight = try database.inFlightLines()
        #expect(Set(inFlight.map(\.line.id)) == Set(claimed.map(\.line.id)))
        // Claimed, not yet sent: the moment a request leaves is recorded with its answer, never guessed from the claim.
        #expect(inFlight.allSatisfy { $0.attemptNumber == 1 && $0.claimedAt == fixedNowText && $0.sentAt == nil })
    }

    @Test func aLineNoLongerPendingIsNotClaimed() throws {
        let (database, _) = try self.sampleDatabase()
        let line = try #require(try database.dueLines(account: "vcc", limit: 1, onePerCard: false, now: fixedNow).first)
        try database.transition(lineID: line.id, from: .pending, on: .cancel, actor: "operator", now: fixedNow)
        #expect(try database.claim([(line.id, nil)], now: fixedNow).isEmpty)
        #expect(try database.line(batchID: line.batchID, lineNumber: line.lineNumber)?.state == .cancelled)
    }

    /// Providers without a merchant key: never two lines of one card in flight.
    @Test func onePerCardLeavesOutCardsWithALineInFlight() throws {
        let database = try RechargeDatabase.inMemory()
        try withTemporaryDirectory { folder in
            let card = "0b7e6f0e-3f4c-4d8e-9a57-7c1b2d3e4f50"
            let csv = """
                provider,card_id,amount,currency,reference
                paycertify,\(card),10.00,USD,A
                paycertify,\(card),20.00,USD,B
                paycertify,1b7e6f0e-3f4c-4d8e-9a57-7c1b2d3e4f51,30.00,USD,C
                """
            let path = try writeFile(csv, named: "cards.csv", in: folder)
            _ = try database.importBatch(ImportRequest(path: path), reader: makeReader(), now: fixedNow)
        }
        let first = try database.dueLines(account: "paycertify", limit: 10, onePerCard: true, now: fixedNow)
        #expect(first.map(\.reference) == ["A", "C"])
        _ = try database.claim(first.map { ($0.id, #"{"snapshot":true}"#) }, now: fixedNow)
        #expect(try database.dueLines(account: "paycertify", limit: 10, onePerCard: true, now: fixedNow).isEmpty)
        #expect(try database.inFlightLines(account: "paycertify").allSatisfy { $0.evidence == #"{"snapshot":true}"# })
    }

    @Test func outcomesMoveTheLineAndFinishTheAttempt() throws {
        let (database, _) = try self.sampleDatabase()
        let due = try database.dueLines(account: "hypercard", limit: 3, onePerCard: false, now: fixedNow)
        let claimed = try database.claim(due.map { ($0.id, nil) }, now: fixedNow)
        let later = fixedNow.addingTimeInterval(30)
        #expect(
            try database.recordOutcome(
                lineID: claimed[0].line.id, attemptNumber: 1, event: .applied, outcome: "applied", providerReference: "HC-1", now: fixedNow)
                == .success)
        #expect(
            try database.recordOutcome(
                lineID: claimed[1].line.id, attemptNumber: 1, event: .notApplied, outcome: "not-applied", errorCode: "http:429",
                nextAttemptAt: later, now: fixedNow) == .pending)
        #expect(
            try database.recordOutcome(
                lineID: claimed[2].line.id, attemptNumber: 1, event: .inDoubt, outcome: "in-doubt", errorCode: "B0000", now: fixedNow)
                == .processing)
        let success = try #require(try database.line(batchID: claimed[0].line.batchID, lineNumber: claimed[0].line.lineNumber))
        #expect(success.providerReference == "HC-1")
        // The retried line is not due before its time, and keeps its key for the next send (same generation).
        #expect(
            try database.dueLines(account: "hypercard", limit: 10, onePerCard: false, now: fixedNow).contains {
                $0.id == claimed[1].line.id
            } == false)
        let again = try database.claim([(claimed[1].line.id, nil)], now: later)
        #expect(again.first?.key == claimed[1].key)
        #expect(again.first?.attemptNumber == 2)
        // The in-doubt line stays in flight for recovery.
        #expect(try database.inFlightLines().map(\.line.id).contains(claimed[2].line.id))
        // An outcome for a line no longer in flight is refused.
        #expect(throws: StoreError.self) {
            try database.recordOutcome(lineID: claimed[0].line.id, attemptNumber: 1, event: .applied, outcome: "applied", now: fixedNow)
        }
    }
}

@Suite struct LeaseTests {
    @Test func oneRunnerAtATimeAndAStaleLeaseIsTakenOver() throws {
        let database = try RechargeDatabase.inMemory()
        #expect(try database.acquireLease(holder: "a", host: "h1", pid: 10, ttl: 30, now: fixedNow) == .acquired(tookOverFrom: nil))
        guard
            case .held(let holder) = try database.acquireLease(
                holder: "b", host: "h2", pid: 20, ttl: 30, now: fixedNow.addingTimeInterval(10))
        else {
            Issue.record("a second runner got the lease")
            return
        }
        #expect(holder.holder == "a" && holder.host == "h1" && holder.pid == 10)
        // The holder renews; then it stops (killed) and the lease expires.
        #expect(try database.renewLease(holder: "a", ttl: 30, now: fixedNow.addingTimeInterval(20)))
        let result = try database.acquireLease(holder: "b", host: "h2", pid: 20, ttl: 30, now: fixedNow.addingTimeInterval(51))
        guard case .acquired(let previous) = result else {
            Issue.record("\(result)")
            return
        }
        #expect(previous?.holder == "a")
        // The old holder finds out at its next renewal.
        #expect(try database.renewLease(holder: "a", ttl: 30, now: fixedNow.addingTimeInterval(52)) == false)
        try database.releaseLease(holder: "b")
        #expect(try database.currentLease() == nil)
    }
}

extension ClaimTests {
    /// Finding and claiming in one transaction gives what finding and then claiming gives: the due lines in file
    /// order, each PROCESSING under its key with an attempt and an event; a deferred line is left for later.
    @Test func claimingDueLinesInOneTransactionMatchesFindingThenClaiming() throws {
        let (database, batch) = try self.sampleDatabase()
        let expected = try database.dueLines(account: "uqpay", limit: 4, onePerCard: false, now: fixedNow)
        try database.deferLine(
            lineID: expected[1].id, until: fixedNow.addingTimeInterval(60), code: "test", message: "later", now: fixedNow)
        let claimed = try database.claimDue(account: "uqpay", limit: 3, now: fixedNow)
        #expect(claimed.map(\.line.id) == [expected[0].id, expected[2].id, expected[3].id])
        for claim in claimed {
            #expect(claim.line.state == .processing)
            #expect(claim.key == IdempotencyKey(batchUID: batch.uid, lineNumber: claim.line.lineNumber, generation: 0))
            let stored = try #require(try database.line(batchID: batch.id, lineNumber: claim.line.lineNumber))
            #expect(stored.state == .processing && stored.idempotencyKey == claim.key.hex && stored.attempts == 1)
        }
        #expect(Set(try database.inFlightLines().map(\.line.id)) == Set(claimed.map(\.line.id)))
        let events = try claimed.flatMap { try database.events(lineID: $0.line.id) }.filter { $0.kind == LineEvent.claim.description }
        #expect(events.compactMap(\.lineID) == claimed.map(\.line.id))
        #expect(events.allSatisfy { $0.batchID == batch.id && $0.fromState == "PENDING" && $0.toState == "PROCESSING" })
        // Past its time, the deferred line is due again and is claimed next.
        let later = try database.claimDue(account: "uqpay", limit: 1, now: fixedNow.addingTimeInterval(61))
        #expect(later.map(\.line.id) == [expected[1].id])
    }
}

import Foundation
import GRDB
import RechargeCore
import Testing

@testable import RechargeStore

/// Operator controls: cancel what was not sent, retry what failed under new keys, settle what is unknown.
@Suite struct OperatorControlTests {
    func sampleDatabase() throws -> (RechargeDatabase, BatchRecord) {
        let database = try RechargeDatabase.inMemory()
        let batch = try #require(
            try database.importBatch(ImportRequest(path: Samples.csv), reader: makeReader(), now: fixedNow).imported?.batch)
        return (database, batch)
    }

    /// Claims `count` vcc lines and ends them with `event`.
    func settle(_ database: RechargeDatabase, count: Int, event: LineEvent) throws -> [ClaimedLine] {
        let due = try database.dueLines(account: "vcc", limit: count, onePerCard: false, now: fixedNow)
        let claimed = try database.claim(due.map { ($0.id, nil) }, now: fixedNow)
        for claim in claimed {
            try database.recordOutcome(
                lineID: claim.line.id, attemptNumber: 1, event: event, outcome: "\(event)", errorCode: "1005", now: fixedNow)
        }
        return claimed
    }

    @Test func cancelTouchesOnlyLinesNeverSent() throws {
        let (database, batch) = try self.sampleDatabase()
        let sent = try self.settle(database, count: 2, event: .applied)
        let inFlight = try database.claim(
            try database.dueLines(account: "uqpay", limit: 1, onePerCard: false, now: fixedNow).map { ($0.id, nil) }, now: fixedNow)
        let cancelled = try database.cancelPending(batchID: batch.id, actor: "operator:test", note: "file withdrawn", now: fixedNow)
        #expect(cancelled == 50 - 3)
        let lines = try database.lines(batchID: batch.id)
        #expect(lines.filter { $0.state == .cancelled }.count == 47)
        #expect(sent.allSatisfy { claim in lines.first { $0.id == claim.line.id }?.state == .success })
        #expect(lines.first { $0.id == inFlight[0].line.id }?.state == .processing)
        let events = try database.events(lineID: lines.first { $0.state == .cancelled }!.id)
        #expect(events.last?.kind == "cancel" && events.last?.actor == "operator:test" && events.last?.detail == "file withdrawn")
        // A second cancel finds nothing left to cancel.
        #expect(try database.cancelPending(batchID: batch.id, actor: "operator:test", now: fixedNow) == 0)
    }

    @Test func retryFailedUsesANewKeyGeneration() throws {
        let (database, batch) = try self.sampleDatabase()
        let failed = try self.settle(database, count: 2, event: .rejected)
        #expect(try database.retryFailed(batchID: batch.id, actor: "operator:test", now: fixedNow) == 2)
        let again = try database.claim(failed.map { ($0.line.id, nil) }, now: fixedNow)
        #expect(again.count == 2)
        for (before, after) in zip(failed, again) {
            #expect(after.line.generation == 1)
            #expect(after.key != before.key)
            #expect(after.key == IdempotencyKey(batchUID: batch.uid, lineNumber: before.line.lineNumber, generation: 1))
        }
    }

    @Test func anUnknownLineIsSettledWithTheOperatorsNote() throws {
        let (database, batch) = try self.sampleDatabase()
        let unknown = try self.settle(database, count: 2, event: .unresolvable)
        let first = unknown[0].line
        #expect(
            try database.resolveUnknown(
                batchID: batch.id, lineNumber: first.lineNumber, succeeded: true, note: "VCC portal shows reqNo 115803",
                actor: "operator:test", now: fixedNow) == .success)
        #expect(try database.events(lineID: first.id).last?.detail == "operator: VCC portal shows reqNo 115803")
        #expect(
            try database.resolveUnknown(
                batchID: batch.id, lineNumber: unknown[1].line.lineNumber, succeeded: false, note: "not on the statement",
                actor: "operator:test", now: fixedNow) == .failed)
        // Only UNKNOWN lines are settled by hand.
        #expect(throws: StoreError.self) {
            try database.resolveUnknown(
                batchID: batch.id, lineNumber: first.lineNumber, succeeded: false, note: "again", actor: "x", now: fixedNow)
        }
        #expect(throws: StoreError.self) {
            try database.resolveUnknown(batchID: batch.id, lineNumber: 9_999, succeeded: true, note: "none", actor: "x", now: fixedNow)
        }
    }

    @Test func anUnknownBatchIsReported() throws {
        let database = try RechargeDatabase.inMemory()
        #expect(throws: StoreError.self) { try database.cancelPending(batchID: 42, actor: "x", now: fixedNow) }
    }
}

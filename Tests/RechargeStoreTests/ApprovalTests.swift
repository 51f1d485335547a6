import Foundation
import GRDB
import RechargeCore
import TestSupport
import Testing

@testable import RechargeStore

/// Four eyes, enforced by the store: a batch that needs approval sends nothing until someone other than its uploader
/// approves exactly its content; a rejection cancels it; nothing about it changes after import.
@Suite struct ApprovalTests {
    let database: RechargeDatabase

    init() throws {
        self.database = try RechargeDatabase.inMemory()
    }

    func importSample(policy: ApprovalPolicy?, by uploader: String = "operator:alice", path: String = Samples.csv) throws -> BatchRecord {
        let outcome = try self.database.importBatch(
            ImportRequest(path: path, uploadedBy: uploader, approval: policy), reader: makeReader(), now: fixedNow)
        return try #require(outcome.imported).batch
    }

    func due(_ batch: BatchRecord) throws -> Int {
        var count = 0
        for account in ProviderKind.allCases.map(\.rawValue) {
            count += try self.database.dueLines(account: account, batchID: batch.id, limit: 1_000, onePerCard: false, now: fixedNow).count
        }
        return count
    }

    @Test func withoutAPolicyABatchRunsAsBefore() throws {
        let batch = try self.importSample(policy: nil)
        #expect(batch.approvalState == .notRequired)
        #expect(batch.approvalsRequired == 0)
        #expect(batch.uploadedBy == "operator:alice")
        #expect(try self.due(batch) == 50)
    }

    @Test func anAwaitingBatchHasNoDueLinesNoWorkAndItsLinesCannotBeClaimed() throws {
        let batch = try self.importSample(policy: ApprovalPolicy(required: true))
        #expect(batch.approvalState == .awaitingApproval)
        #expect(batch.approvalsRequired == 1)
        #expect(try self.due(batch) == 0)
        #expect(try self.database.batchesWithWork().isEmpty)
        #expect(try self.database.work(account: "vcc", now: fixedNow).pending == 0)
        // Even a claim by line id (an operator's path, or a script) is refused by the database itself.
        let lineID = try #require(
            try self.database.writer.read { db in
                try Int64.fetchOne(db, sql: "SELECT id FROM line WHERE batch_id = ? LIMIT 1", arguments: [batch.id])
            })
        #expect(throws: (any Error).self) {
            try self.database.writer.write { db in
                try db.execute(sql: "UPDATE line SET state = 'PROCESSING', idempotency_key = 'k' WHERE id = ?", arguments: [lineID])
            }
        }
        #expect(
            try self.database.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM line WHERE state = 'PROCESSING'") } == 0)
    }

    @Test func theUploaderCannotApproveAnotherPersonCanAndThenTheBatchRuns() throws {
        let batch = try self.importSample(policy: ApprovalPolicy(required: true))
        let refusal = #expect(throws: StoreError.self) {
            try self.database.decide(batchID: batch.id, .approve, actor: "operator:alice", sourceSHA256: batch.sourceSHA256, now: fixedNow)
        }
        #expect(refusal?.code == .approvalRefused)
        #expect(refusal?.message.contains("four eyes") == true)
        #expect(try self.database.batch(id: batch.id)?.approvalState == .awaitingApproval)

        let after = try self.database.decide(
            batchID: batch.id, .approve, actor: "operator:bob", sourceSHA256: batch.sourceSHA256, now: fixedNow)
        #expect(after.batch.approvalState == .approved)
        #expect(after.decisions.map(\.approver) == ["operator:bob"])
        #expect(after.decisions.first?.sourceSHA256 == batch.sourceSHA256)
        #expect(after.decisions.first?.totals == after.totalsText)
        #expect(after.decisions.first?.lineCount == 50)
        #expect(try self.due(batch) == 50)
        let kinds = try self.database.allEvents(batchID: batch.id).map(\.kind)
        #expect(kinds.contains("batch-awaiting-approval"))
        #expect(kinds.contains("batch-approved-by"))
        #expect(kinds.contains("batch-approved"))
    }

    @Test func theDatabaseRefusesTheUploaderEvenWithoutTheStoreCode() throws {
        let batch = try self.importSample(policy: ApprovalPolicy(required: true))
        let error = #expect(throws: DatabaseError.self) {
            try self.database.writer.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO batch_approval (batch_id, approver, decision, at, source_sha256, line_count, totals)
                        VALUES (?, 'operator:alice', 'APPROVED', 'now', ?, 50, '')
                        """,
                    arguments: [batch.id, batch.sourceSHA256])
            }
        }
        #expect(error?.message?.contains("four eyes") == true)
        // Nor can the state be set by hand without the approvals.
        #expect(throws: DatabaseError.self) {
            try self.database.writer.write { db in
                try db.execute(sql: "UPDATE batch SET approval_state = 'APPROVED' WHERE id = ?", arguments: [batch.id])
            }
        }
        #expect(try self.database.batch(id: batch.id)?.approvalState == .awaitingApproval)
    }

    @Test func anApprovalOfOtherContentIsRefused() throws {
        let batch = try self.importSample(policy: ApprovalPolicy(required: true))
        let other = String(repeating: "0", count: 64)
        let refusal = #expect(throws: StoreError.self) {
            try self.database.decide(batchID: batch.id, .approve, actor: "operator:bob", sourceSHA256: other, now: fixedNow)
        }
        #expect(refusal?.message.contains("not batch \(batch.id)'s content") == true)
        #expect(try self.database.approvalSummary(batchID: batch.id).decisions.isEmpty)
    }

    @Test func twoApproversAboveNeedsTwoDifferentPeopleNeitherTheUploader() throws {
        // The sample's USD total is well above 1.00.
        let policy = ApprovalPolicy(twoApproversAbove: ["USD": Money(minorUnits: 100, currency: Currency(code: "USD")!)])
        let batch = try self.importSample(policy: policy)
        #expect(batch.approvalsRequired == 2)
        var summary = try self.database.decide(
            batchID: batch.id, .approve, actor: "operator:bob", sourceSHA256: batch.sourceSHA256, now: fixedNow)
        #expect(summary.batch.approvalState == .awaitingApproval)
        #expect(try self.due(batch) == 0)
        let again = #expect(throws: StoreError.self) {
            try self.database.decide(batchID: batch.id, .approve, actor: "operator:bob", sourceSHA256: batch.sourceSHA256, now: fixedNow)
        }
        #expect(again?.message.contains("another person") == true)
        summary = try self.database.decide(
            batchID: batch.id, .approve, actor: "operator:carol", sourceSHA256: batch.sourceSHA256, now: fixedNow)
        #expect(summary.batch.approvalState == .approved)
        #expect(summary.approvals == 2)
        #expect(try self.due(batch) == 50)
    }

    @Test func aRejectionCancelsEveryLineAndNeedsAReason() throws {
        let batch = try self.importSample(policy: ApprovalPolicy(required: true))
        #expect(throws: StoreError.self) {
            try self.database.decide(batchID: batch.id, .reject(reason: "  "), actor: "operator:bob", sourceSHA256: batch.sourceSHA256)
        }
        let summary = try self.database.decide(
            batchID: batch.id, .reject(reason: "wrong month"), actor: "operator:bob", sourceSHA256: batch.sourceSHA256, now: fixedNow)
        #expect(summary.batch.approvalState == .rejected)
        #expect(summary.decisions.first?.reason == "wrong month")
        let states = try self.database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT state FROM line WHERE batch_id = ?", arguments: [batch.id])
        }
        #expect(states == ["CANCELLED"])
        // Decided once: no later approval can bring it back.
        #expect(throws: StoreError.self) {
            try self.database.decide(batchID: batch.id, .approve, actor: "operator:carol", sourceSHA256: batch.sourceSHA256)
        }
    }

    @Test func nothingAboutABatchChangesAfterImport() throws {
        let batch = try self.importSample(policy: ApprovalPolicy(required: true))
        let statements = [
            "UPDATE line SET amount_minor = amount_minor + 1 WHERE batch_id = \(batch.id)",
            "UPDATE line SET card_id = 'other' WHERE batch_id = \(batch.id)",
            "DELETE FROM line WHERE batch_id = \(batch.id)",
            "UPDATE batch SET source_sha256 = '\(String(repeating: "f", count: 64))' WHERE id = \(batch.id)",
            "UPDATE batch SET approvals_required = 0 WHERE id = \(batch.id)",
            "UPDATE batch SET uploaded_by = 'operator:bob' WHERE id = \(batch.id)",
            "INSERT INTO batch_control_total (batch_id, currency, amount_minor) VALUES (\(batch.id), 'JPY', 1)",
        ]
        for sql in statements {
            #expect(throws: DatabaseError.self, "\(sql)") {
                try self.database.writer.write { db in try db.execute(sql: sql) }
            }
        }
        try self.database.decide(batchID: batch.id, .approve, actor: "operator:bob", sourceSHA256: batch.sourceSHA256, now: fixedNow)
        for sql in statements {
            #expect(throws: DatabaseError.self, "\(sql)") {
                try self.database.writer.write { db in try db.execute(sql: sql) }
            }
        }
        #expect(throws: DatabaseError.self) {
            try self.database.writer.write { db in try db.execute(sql: "DELETE FROM batch_approval") }
        }
    }

    @Test func aboveThresholdsPerCurrencyAndUnlistedCurrenciesNeedApproval() throws {
        let usd = Currency(code: "USD")!
        let policy = ApprovalPolicy(above: ["USD": Money(minorUnits: 1_000_000, currency: usd)])
        #expect(policy.approvalsRequired(totals: ["USD": 1_000_000]) == 0)
        #expect(policy.approvalsRequired(totals: ["USD": 1_000_001]) == 1)
        #expect(policy.approvalsRequired(totals: ["USD": 5, "EUR": 5]) == 1)
        #expect(policy.reason(totals: ["USD": 5, "EUR": 5]).contains("no threshold for EUR"))
        let two = ApprovalPolicy(required: true, twoApproversAbove: ["USD": Money(minorUnits: 10_000_000, currency: usd)])
        #expect(two.approvalsRequired(totals: ["USD": 10_000_001]) == 2)
        #expect(two.approvalsRequired(totals: ["USD": 10_000_000, "EUR": 999_999_999]) == 1)
    }
}

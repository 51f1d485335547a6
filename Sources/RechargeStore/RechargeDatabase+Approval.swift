import Foundation
import GRDB
import RechargeCore

/// One person's recorded decision on a batch.
package struct ApprovalDecisionRecord: Hashable, Sendable, Codable, FetchableRecord {
    package var approver: String
    package var decision: String
    package var at: String
    package var sourceSHA256: String
    package var lineCount: Int
    package var totals: String
    package var reason: String?

    enum CodingKeys: String, CodingKey {
        case approver, decision, at, totals, reason
        case sourceSHA256 = "source_sha256"
        case lineCount = "line_count"
    }
}

/// What an approver is shown before deciding, and what is recorded with the decision: the exact content.
package struct ApprovalSummary: Sendable {
    package var batch: BatchRecord
    /// The stored lines' totals per currency code, in minor units, and their line counts.
    package var totals: [String: (minor: Int64, lines: Int)]
    /// The totals the file itself declared (control totals), per currency code, in minor units.
    package var declaredTotals: [String: Int64]
    package var decisions: [ApprovalDecisionRecord]

    /// The totals as one line of text, by currency code: `EUR 10.00 in 1 line; USD 1234.56 in 3 lines`.
    package var totalsText: String {
        self.totals.sorted { $0.key < $1.key }.map { code, total in
            let amount = Money.decimalString(minorUnits: total.minor, currencyCode: code)
            return "\(code) \(amount) in \(total.lines) line\(total.lines == 1 ? "" : "s")"
        }.joined(separator: "; ")
    }

    /// Approvals recorded so far.
    package var approvals: Int { self.decisions.filter { $0.decision == "APPROVED" }.count }
}

/// An approver's decision on a batch.
package enum ApprovalDecision: Sendable, Hashable {
    case approve
    case reject(reason: String)
}

extension RechargeDatabase {
    /// What the approver of a batch is shown: its content's hash, totals, uploader and the decisions so far.
    package func approvalSummary(batchID: Int64) throws -> ApprovalSummary {
        try self.writer.read { db in try Self.approvalSummary(db, batchID: batchID) }
    }

    static func approvalSummary(_ db: Database, batchID: Int64) throws -> ApprovalSummary {
        guard let batch = try BatchRecord.fetchOne(db, sql: "SELECT * FROM batch WHERE id = ?", arguments: [batchID]) else {
            throw StoreError(.notFound, "no batch \(batchID)")
        }
        var totals: [String: (minor: Int64, lines: Int)] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT currency, sum(amount_minor), count(*) FROM line WHERE batch_id = ? GROUP BY currency", arguments: [batchID])
        {
            totals[row[0]] = (row[1], row[2])
        }
        var declared: [String: Int64] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT currency, amount_minor FROM batch_control_total WHERE batch_id = ?", arguments: [batchID])
        {
            declared[row[0]] = row[1]
        }
        let decisions = try ApprovalDecisionRecord.fetchAll(
            db,
            sql:
                "SELECT approver, decision, at, source_sha256, line_count, totals, reason FROM batch_approval WHERE batch_id = ? ORDER BY id",
            arguments: [batchID])
        return ApprovalSummary(batch: batch, totals: totals, declaredTotals: declared, decisions: decisions)
    }

    /// Records `actor`'s decision on a batch awaiting approval, of the content whose SHA-256 the actor was shown.
    ///
    /// Approving moves the batch to APPROVED once it has as many approvals as it requires; rejecting moves it to
    /// REJECTED and cancels every line (none was sent: no line of an unapproved batch can be claimed). The database
    /// refuses, whatever the caller: a decision by the uploader, a second decision by the same person, a hash other
    /// than the batch's, and a batch not awaiting approval. Returns the batch as the decision left it.
    @discardableResult
    package func decide(
        batchID: Int64, _ decision: ApprovalDecision, actor: String, sourceSHA256: String, now: Date = Date()
    ) throws -> ApprovalSummary {
        let at = Timestamp.string(now)
        return try self.writer.write { db in
            let summary = try Self.approvalSummary(db, batchID: batchID)
            let batch = summary.batch
            guard batch.approvalState == .awaitingApproval else {
                throw StoreError(
                    .approvalRefused,
                    "batch \(batchID) is \(batch.approvalState.rawValue), not AWAITING_APPROVAL: there is nothing to decide")
            }
            guard actor != batch.uploadedBy else {
                throw StoreError(
                    .approvalRefused,
                    "four eyes: \(actor) imported batch \(batchID) and cannot approve or reject it; another approver must decide")
            }
            guard sourceSHA256.lowercased() == batch.sourceSHA256 else {
                throw StoreError(
                    .approvalRefused,
                    "the SHA-256 given (\(sourceSHA256.terminalSafe)) is not batch \(batchID)'s content (\(batch.sourceSHA256)); "
                        + "check that you are deciding on the file you reviewed")
            }
            if let earlier = summary.decisions.first(where: { $0.approver == actor }) {
                throw StoreError(
                    .approvalRefused,
                    "\(actor) already decided on batch \(batchID) (\(earlier.decision) at \(earlier.at)); "
                        + "a second approval must come from another person")
            }
            let reason: String?
            let kind: String
            switch decision {
            case .approve:
                (reason, kind) = (nil, "APPROVED")
            case .reject(let text):
                let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !trimmed.isEmpty else { throw StoreError(.approvalRefused, "a rejection needs a reason") }
                (reason, kind) = (trimmed, "REJECTED")
            }
            try db.execute(
                sql: """
                    INSERT INTO batch_approval (batch_id, approver, decision, at, source_sha256, line_count, totals, reason)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [batchID, actor, kind, at, batch.sourceSHA256, batch.lineCount, summary.totalsText, reason])
            let approvals = summary.approvals + (kind == "APPROVED" ? 1 : 0)
            var detail =
                "\(kind == "APPROVED" ? "approved" : "rejected") sha256 \(batch.sourceSHA256), \(batch.lineCount) lines, \(summary.totalsText)"
            if let reason { detail += "; reason: \(reason)" }
            if kind == "APPROVED" { detail += " (\(approvals) of \(batch.approvalsRequired) approvals)" }
            try Self.appendBatchEvent(db, batchID: batchID, at: at, actor: actor, kind: "batch-\(kind.lowercased())-by", detail: detail)
            if kind == "REJECTED" {
                try db.execute(sql: "UPDATE batch SET approval_state = 'REJECTED' WHERE id = ?", arguments: [batchID])
                let cancelled = try Self.bulkTransition(
                    db, batchID: batchID, from: .pending, on: .cancel, actor: actor, note: "batch rejected: \(reason!)", at: at)
                try Self.appendBatchEvent(
                    db, batchID: batchID, at: at, actor: actor, kind: "batch-rejected", detail: "\(cancelled) lines cancelled")
            } else if approvals >= batch.approvalsRequired {
                try db.execute(sql: "UPDATE batch SET approval_state = 'APPROVED' WHERE id = ?", arguments: [batchID])
                try Self.appendBatchEvent(
                    db, batchID: batchID, at: at, actor: actor, kind: "batch-approved",
                    detail: "\(approvals) of \(batch.approvalsRequired) approvals; the batch may run")
            }
            return try Self.approvalSummary(db, batchID: batchID)
        }
    }

    /// Batches whose lines wait for approval, oldest first.
    package func batchesAwaitingApproval() throws -> [BatchRecord] {
        try self.writer.read { db in
            try BatchRecord.fetchAll(db, sql: "SELECT * FROM batch WHERE approval_state = 'AWAITING_APPROVAL' ORDER BY id")
        }
    }

    static func appendBatchEvent(_ db: Database, batchID: Int64, at: String, actor: String, kind: String, detail: String) throws {
        try db.execute(
            sql: "INSERT INTO event (batch_id, at, actor, kind, detail) VALUES (?, ?, ?, ?, ?)",
            arguments: [batchID, at, actor, kind, detail])
    }
}

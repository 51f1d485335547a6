import Foundation
import RechargeCore
import RechargeStore

/// Money as the API writes it: the exact decimal in the currency's exponent, never a float.
enum MoneyText {
    static func decimal(_ minor: Int64, _ code: String) -> String {
        Money.decimalString(minorUnits: minor, currencyCode: code)
    }

    static func totals(_ minorByCurrency: [String: Int64]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: minorByCurrency.map { ($0.key, Self.decimal($0.value, $0.key)) })
    }
}

/// Where a batch stands, in one word: its approval first, then its lines.
enum BatchPhase: String, Codable, Sendable {
    case awaitingApproval = "AWAITING_APPROVAL"
    case rejected = "REJECTED"
    /// Allowed to run; no line has been sent yet.
    case ready = "READY"
    /// Some lines are settled or in flight, some are not.
    case running = "RUNNING"
    /// Every line is settled (SUCCESS, FAILED, CANCELLED or UNKNOWN).
    case completed = "COMPLETED"

    init(approval: BatchApprovalState, counts: [LineState: Int]) {
        switch approval {
        case .awaitingApproval, .importing: self = .awaitingApproval
        case .rejected: self = .rejected
        case .approved, .notRequired:
            let unsettled = (counts[.pending] ?? 0) + (counts[.processing] ?? 0)
            let total = counts.values.reduce(0, +)
            if unsettled == 0 {
                self = .completed
            } else if counts[.pending] == total {
                self = .ready
            } else {
                self = .running
            }
        }
    }
}

/// A batch in the list: what it is, where it stands, who uploaded and approved it.
struct BatchListItem: Codable, Sendable {
    var id: Int64
    var name: String
    var state: BatchPhase
    var approval: String
    var lines: Int
    var totals: [String: String]
    var counts: [String: Int]
    var uploadedBy: String?
    var approvers: [String]
    var importedAt: String
}

/// A batch's page: its content (hash, totals), its approval, and its lines by state, currency and account.
struct BatchDetail: Codable, Sendable {
    struct Decision: Codable, Sendable {
        var approver: String
        var decision: String
        var at: String
        var reason: String?
    }
    struct Approval: Codable, Sendable {
        var state: String
        var required: Int
        var approvals: Int
        var decisions: [Decision]
    }
    struct StateRow: Codable, Sendable {
        var account: String
        var state: String
        var currency: String
        var lines: Int
        var amount: String
    }

    var id: Int64
    var name: String
    var state: BatchPhase
    var sourceFile: String
    var format: String
    var bytes: Int64
    var sha256: String
    var lines: Int
    var totals: [String: String]
    var declaredTotals: [String: String]
    var counts: [String: Int]
    var states: [StateRow]
    var approval: Approval
    var uploadedBy: String?
    var importedAt: String
}

enum BatchViews {
    static func counts(_ rows: [StatusRow]) -> [LineState: Int] {
        rows.reduce(into: [:]) { $0[$1.state, default: 0] += $1.count }
    }

    static func listItem(_ batch: BatchRecord, database: RechargeDatabase) throws -> BatchListItem {
        let summary = try database.approvalSummary(batchID: batch.id)
        let counts = Self.counts(try database.status(batchID: batch.id))
        return BatchListItem(
            id: batch.id, name: batch.name, state: BatchPhase(approval: batch.approvalState, counts: counts),
            approval: batch.approvalState.rawValue, lines: batch.lineCount,
            totals: MoneyText.totals(summary.totals.mapValues(\.minor)),
            counts: Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }), uploadedBy: batch.uploadedBy,
            approvers: summary.decisions.filter { $0.decision == "APPROVED" }.map(\.approver), importedAt: batch.importedAt)
    }

    static func detail(_ batch: BatchRecord, database: RechargeDatabase) throws -> BatchDetail {
        let summary = try database.approvalSummary(batchID: batch.id)
        let rows = try database.status(batchID: batch.id)
        let counts = Self.counts(rows)
        return BatchDetail(
            id: batch.id, name: batch.name, state: BatchPhase(approval: batch.approvalState, counts: counts),
            sourceFile: batch.sourceFile, format: batch.sourceFormat, bytes: batch.sourceBytes, sha256: batch.sourceSHA256,
            lines: batch.lineCount, totals: MoneyText.totals(summary.totals.mapValues(\.minor)),
            declaredTotals: MoneyText.totals(summary.declaredTotals),
            counts: Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }),
            states: rows.map {
                BatchDetail.StateRow(
                    account: $0.account, state: $0.state.rawValue, currency: $0.currency, lines: $0.count,
                    amount: MoneyText.decimal($0.sumMinor, $0.currency))
            },
            approval: BatchDetail.Approval(
                state: batch.approvalState.rawValue, required: batch.approvalsRequired, approvals: summary.approvals,
                decisions: summary.decisions.map { .init(approver: $0.approver, decision: $0.decision, at: $0.at, reason: $0.reason) }),
            uploadedBy: batch.uploadedBy, importedAt: batch.importedAt)
    }
}

import ArgumentParser
import Foundation
import RechargeCore
import RechargeRuns
import RechargeStore

/// `recharge approve BATCH --sha256 HEX`: one approval of a batch's exact content, by someone other than its uploader.
struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve a batch awaiting approval (four eyes: never the person who imported it).",
        discussion: """
            Without --sha256, shows what would be approved — the file's SHA-256, its line count, its totals per currency, \
            who imported it, the decisions so far — and exits 64 without recording anything. With --sha256 (the hash \
            shown), records the approval of exactly that content, as the operating-system user running the command. \
            A batch that needs two approvals (approval.twoApproversAbove) needs two different people. Exit 77 when the \
            rules refuse the decision.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("A batch id or name.", valueName: "batch")) var batch: String
    @Option(name: .customLong("sha256"), help: "The SHA-256 of the content being approved, as `recharge approve BATCH` shows it.")
    var sha256: String?

    func run() async throws {
        let database = try self.global.openDatabase(mustExist: true)
        let batch = try requireBatch(self.batch, in: database, path: self.global.db)
        let summary = try database.approvalSummary(batchID: batch.id)
        guard let sha256 else {
            Output.out(ApprovalText.describe(summary))
            throw RechargeFailure(
                exitCode: .usage,
                message:
                    "nothing recorded: to approve exactly this content, run recharge approve \(batch.id) --sha256 \(batch.sourceSHA256)")
        }
        let after = try decide(database, batch: batch, .approve, sha256: sha256)
        Output.out(ApprovalText.outcome(after))
    }
}

/// `recharge reject BATCH --reason TEXT`: rejects a batch awaiting approval; every line is cancelled, none was sent.
struct RejectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject",
        abstract: "Reject a batch awaiting approval: every line is cancelled, none is ever sent.",
        discussion: """
            The reason is recorded with the decision and in the event log, beside the file's SHA-256 and totals. As for \
            approve, the person who imported the batch cannot reject it (exit 77).
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("A batch id or name.", valueName: "batch")) var batch: String
    @Option(help: "Why the batch is rejected (required).") var reason: String

    func run() async throws {
        let database = try self.global.openDatabase(mustExist: true)
        let batch = try requireBatch(self.batch, in: database, path: self.global.db)
        let after = try decide(database, batch: batch, .reject(reason: self.reason), sha256: batch.sourceSHA256)
        Output.out(ApprovalText.outcome(after))
    }
}

/// Records the decision as the operating-system user; the store's refusals become exit 77.
private func decide(
    _ database: RechargeDatabase, batch: BatchRecord, _ decision: ApprovalDecision, sha256: String
) throws
    -> ApprovalSummary
{
    do {
        return try database.decide(batchID: batch.id, decision, actor: operatorName(), sourceSHA256: sha256)
    } catch let error as StoreError where error.code == .approvalRefused {
        throw RechargeFailure(exitCode: .notPermitted, message: "\(error.message); nothing was recorded")
    }
}

/// How a batch's approval reads on a terminal.
enum ApprovalText {
    static func describe(_ summary: ApprovalSummary) -> String {
        let batch = summary.batch
        var lines = [
            "batch \(batch.id) '\(batch.name.terminalSafe)': \(batch.approvalState.rawValue)",
            "  file:        \(batch.sourceFile.terminalSafe) (\(batch.sourceFormat), \(batch.sourceBytes) bytes)",
            "  sha256:      \(batch.sourceSHA256)",
            "  lines:       \(batch.lineCount)",
            "  totals:      \(summary.totalsText)",
        ]
        if !summary.declaredTotals.isEmpty {
            let declared = summary.declaredTotals.sorted { $0.key < $1.key }.map { code, minor in
                "\(code) " + Money.decimalString(minorUnits: minor, currencyCode: code)
            }
            lines.append("  declared:    \(declared.joined(separator: "; ")) (the file's control totals)")
        }
        lines.append("  imported by: \((batch.uploadedBy ?? "unknown").terminalSafe) at \(batch.importedAt)")
        lines.append("  approvals:   \(summary.approvals) of \(batch.approvalsRequired) required")
        for decision in summary.decisions {
            var text = "  - \(decision.decision) by \(decision.approver.terminalSafe) at \(decision.at)"
            if let reason = decision.reason { text += ": \(reason.terminalSafe)" }
            lines.append(text)
        }
        return lines.joined(separator: "\n")
    }

    static func outcome(_ summary: ApprovalSummary) -> String {
        let batch = summary.batch
        switch batch.approvalState {
        case .approved:
            return "batch \(batch.id) '\(batch.name.terminalSafe)' approved (\(summary.approvals) of \(batch.approvalsRequired)): "
                + "recharge run \(batch.id) sends it"
        case .rejected:
            return "batch \(batch.id) '\(batch.name.terminalSafe)' rejected: its \(batch.lineCount) lines are cancelled; none was sent"
        default:
            let missing = batch.approvalsRequired - summary.approvals
            return
                "batch \(batch.id) '\(batch.name.terminalSafe)': approval recorded (\(summary.approvals) of \(batch.approvalsRequired)); "
                + "\(counted(missing, "more approval")) by another person needed"
        }
    }

    /// The import's note for a batch that now waits for approval.
    static func awaiting(_ batch: BatchRecord) -> String {
        "batch \(batch.id) awaits \(counted(batch.approvalsRequired, "approval")) by someone other than "
            + "\((batch.uploadedBy ?? "its uploader").terminalSafe) before it runs: recharge approve \(batch.id)"
    }
}

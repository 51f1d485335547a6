import Foundation
import RechargeCore
import RechargeReport
import RechargeStore

/// A batch's page: its content and totals, its approval with the forms an approver needs, its live progress, the
/// operator's actions, its timeline, and its report.
enum BatchPage {
    static func render(
        _ batch: BatchRecord, database: RechargeDatabase, user: ConsoleUser, now: @escaping @Sendable () -> Date
    ) throws
        -> HTML
    {
        let detail = try BatchViews.detail(batch, database: database)
        let progress = try ProgressStream(database: database, batchID: batch.id, now: now).snapshot(rate: nil)
        let timeline = try database.batchTimeline(batchID: batch.id)
        let problems = try database.problemLines(batchID: batch.id, limit: 50)
        return """
            <h1>Batch \(batch.id): \(batch.name) <span id="batch-state" class="state state-\(detail.state.rawValue.lowercased())">\(detail.state.rawValue)</span></h1>
            \(Self.content(detail))
            \(Self.approval(detail, user: user))
            \(Self.progress(progress))
            \(Self.operations(detail, problems: problems, user: user))
            \(Self.timeline(timeline))
            \(Self.report(batch.id))
            """
    }

    static func content(_ detail: BatchDetail) -> HTML {
        let declared: HTML =
            detail.declaredTotals.isEmpty
            ? "" : "<tr><th>Declared in the file</th><td>\(BatchListPage.totals(detail.declaredTotals))</td></tr>"
        return """
            <section class="card"><h2>Content</h2><table class="facts">
            <tr><th>File</th><td>\(detail.sourceFile) (\(detail.format), \(detail.bytes) bytes)</td></tr>
            <tr><th>SHA-256</th><td><code id="batch-sha256">\(detail.sha256)</code></td></tr>
            <tr><th>Lines</th><td id="batch-lines">\(detail.lines)</td></tr>
            <tr><th>Totals</th><td id="batch-totals">\(BatchListPage.totals(detail.totals))</td></tr>\(declared)
            <tr><th>Uploaded by</th><td>\(detail.uploadedBy ?? "unknown") at \(detail.importedAt)</td></tr>
            </table></section>
            """
    }

    static func approval(_ detail: BatchDetail, user: ConsoleUser) -> HTML {
        let approval = detail.approval
        guard approval.state != BatchApprovalState.notRequired.rawValue else {
            return "<section class=\"card\"><h2>Approval</h2><p>Not required by the approval rule for this batch's totals.</p></section>"
        }
        let decisions: [HTML] = approval.decisions.map { decision in
            "<tr><td>\(decision.decision)</td><td>\(decision.approver)</td><td>\(decision.at)</td><td>\(decision.reason ?? "")</td></tr>"
        }
        var forms: HTML = ""
        if approval.state == BatchApprovalState.awaitingApproval.rawValue {
            if detail.uploadedBy == user.actor {
                forms = "<p class=\"note\">You uploaded this batch: another approver must decide (four eyes).</p>"
            } else if approval.decisions.contains(where: { $0.approver == user.actor }) {
                forms = "<p class=\"note\">You have decided on this batch; the next approval must come from another person.</p>"
            } else if ConsoleAction.approve.isAllowed(for: user.role) {
                forms = """
                    <form class="api-form" id="approve-form" data-endpoint="/api/batches/\(detail.id)/approve">
                    <input type="hidden" name="sha256" value="\(detail.sha256)">
                    <p>Approving releases exactly this content: \(detail.lines) lines, \(BatchListPage.totals(detail.totals)),
                    SHA-256 <code>\(detail.sha256)</code>.</p>
                    <button type="submit">Approve</button><p class="form-error" role="alert"></p></form>
                    <form class="api-form" id="reject-form" data-endpoint="/api/batches/\(detail.id)/reject">
                    <label>Reason <input name="reason" required maxlength="500"></label>
                    <button type="submit" class="danger">Reject</button><p class="form-error" role="alert"></p></form>
                    """
            }
        }
        return """
            <section class="card" id="approval"><h2>Approval: \(approval.state)</h2>
            <p>\(approval.approvals) of \(approval.required) approvals.</p>
            \(decisions.isEmpty ? "" : "<table><thead><tr><th>Decision</th><th>By</th><th>At</th><th>Reason</th></tr></thead><tbody>\(decisions)</tbody></table>" as HTML)
            \(forms)</section>
            """
    }

    static func progress(_ snapshot: ProgressStream.Snapshot) -> HTML {
        let rows: [HTML] = snapshot.accounts.map { account in
            """
            <tr data-account="\(account.account)"><td>\(account.account)</td><td class="num done">\(account.done)/\(account.total)</td>
            <td class="num">\(account.succeeded)</td><td class="num">\(account.inDoubt)</td><td class="num">\(account.failed)</td>
            <td class="num">\(account.cancelled)</td></tr>
            """
        }
        return """
            <section class="card" id="progress" data-batch="\(snapshot.batch)"><h2>Progress</h2>
            <p><strong id="progress-done">\(snapshot.done)/\(snapshot.total)</strong> settled ·
            rate <span id="progress-rate">–</span> · time left <span id="progress-eta">–</span> ·
            in doubt <span id="progress-in-doubt">\(snapshot.inDoubt)</span> · failed <span id="progress-failed">\(snapshot.failed)</span></p>
            <table><thead><tr><th>Provider account</th><th>Done</th><th>Succeeded</th><th>In doubt</th><th>Failed</th><th>Cancelled</th></tr></thead>
            <tbody id="progress-accounts">\(rows)</tbody></table></section>
            """
    }

    static func operations(_ detail: BatchDetail, problems: ProblemLines, user: ConsoleUser) -> HTML {
        guard ConsoleAction.operate.isAllowed(for: user.role) else { return "" }
        var parts: [HTML] = []
        if (detail.counts[LineState.pending.rawValue] ?? 0) > 0 {
            parts.append(
                """
                <form class="api-form" id="cancel-form" data-endpoint="/api/batches/\(detail.id)/cancel" data-confirm="Cancel every line not yet sent?">
                <button type="submit" class="danger">Cancel the \(detail.counts[LineState.pending.rawValue] ?? 0) lines not yet sent</button>
                <p class="form-error" role="alert"></p></form>
                """)
        }
        if (detail.counts[LineState.failed.rawValue] ?? 0) > 0 {
            parts.append(
                """
                <form class="api-form" id="retry-form" data-endpoint="/api/batches/\(detail.id)/retry">
                <button type="submit">Send the \(detail.counts[LineState.failed.rawValue] ?? 0) failed lines again (new keys)</button>
                <p class="form-error" role="alert"></p></form>
                """)
        }
        let unknown: [HTML] = problems.lines.filter { $0.state == .unknown }.map { line in
            """
            <tr><td class="num">\(line.lineNumber)</td><td>\(line.account)</td><td>\(CardMask.mask(line.cardID))</td>
            <td class="money">\(line.currency) \(MoneyText.decimal(line.amountMinor, line.currency))</td><td>\(line.lastErrorMessage ?? "")</td>
            <td><form class="api-form inline" data-endpoint="/api/batches/\(detail.id)/lines/\(line.lineNumber)/resolve">
            <select name="outcome"><option value="success">credited</option><option value="failed">not credited</option></select>
            <input name="note" placeholder="evidence (provider reference, ticket)" required>
            <button type="submit">Resolve</button><span class="form-error" role="alert"></span></form></td></tr>
            """
        }
        if !unknown.isEmpty {
            parts.append(
                """
                <h3>UNKNOWN lines: settle each from the provider's own records</h3>
                <table><thead><tr><th>Line</th><th>Account</th><th>Card</th><th>Amount</th><th>Why</th><th>Resolution</th></tr></thead>
                <tbody>\(unknown)</tbody></table>
                """)
        }
        guard !parts.isEmpty else { return "" }
        return "<section class=\"card\" id=\"operations\"><h2>Operations</h2>\(parts)</section>"
    }

    static func timeline(_ entries: [TimelineEntry]) -> HTML {
        let rows: [HTML] = entries.map {
            "<tr><td>\($0.at)</td><td>\($0.actor)</td><td>\($0.kind)</td><td>\($0.detail ?? "")</td></tr>"
        }
        return """
            <section class="card" id="timeline"><h2>Timeline</h2><table><thead><tr><th>When</th><th>Who</th><th>What</th><th>Detail</th></tr></thead>
            <tbody>\(rows)</tbody></table></section>
            """
    }

    static func report(_ id: Int64) -> HTML {
        """
        <section class="card" id="report"><h2>Reconciliation report</h2>
        <p>Download: <a id="report-csv" href="/api/batches/\(id)/report?format=csv">CSV</a> ·
        <a id="report-json" href="/api/batches/\(id)/report?format=json">JSON</a> ·
        <a id="report-html" href="/api/batches/\(id)/report?format=html" target="_blank" rel="noopener">HTML</a></p>
        <iframe title="report" src="/api/batches/\(id)/report?format=html" sandbox></iframe></section>
        """
    }
}

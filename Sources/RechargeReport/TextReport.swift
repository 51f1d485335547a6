import RechargeCore
import RechargeStore

/// The report as a short summary for the terminal: the header, the totals, and the first entries of each
/// discrepancy list. It does not list every line; the other formats do.
struct TextReport: ReportRenderer {
    static let shownPerKind = 10

    var listsLines: Bool { false }
    var discrepancyLimit: Int? { Self.shownPerKind }
    private var amounts = AmountRenderer()
    private var table: [[String]] = []

    mutating func begin(_ summary: ReportSummary, _ out: ReportOutput) {
        out.write("Reconciliation report\n")
        let fields = summary.headerFields
        let width = fields.map(\.label.count).max() ?? 0
        for field in fields {
            out.write(
                "  " + field.label + ":" + String(repeating: " ", count: width - field.label.count + 1) + field.value.terminalSafe + "\n")
        }
        out.write("\nRuns\n")
        if summary.runs.isEmpty { out.write("  none\n") }
        for run in summary.runs {
            out.write(
                "  \(run.id)  \(run.startedAt) → \(run.finishedAt ?? "(not finished)")  \(run.holder.terminalSafe)@\(run.host.terminalSafe)"
                    + " pid \(run.pid)  \((run.outcome ?? "no outcome recorded").terminalSafe)\n")
        }

        let header = ["requested", "succeeded", "failed", "cancelled", "unknown", "pending"]
        out.write("\nTotals by currency (amount and lines; requested = succeeded + failed + cancelled + unknown + pending)\n")
        var rows = [["currency"] + header + ["control"]]
        for total in summary.currencies {
            var control = ReportSummary.notGiven
            if let expected = total.control {
                control = self.amounts.render(expected, total.currency) + (total.matchesControl == true ? " matches" : " DIFFERS")
            }
            rows.append([total.currency] + self.outcomeCells(total.outcomes, total.currency) + [control])
        }
        Self.table(rows, right: Set(1...6), out)

        out.write("\nTotals by provider and currency\n")
        rows = [["provider", "currency"] + header]
        for total in summary.providers {
            rows.append([total.account.terminalSafe, total.currency] + self.outcomeCells(total.outcomes, total.currency))
        }
        Self.table(rows, right: Set(2...7), out)

        let receipts = summary.receipts + summary.receiptTotals
        if !receipts.isEmpty {
            out.write("\nCredited and fees as reported by providers\n")
            rows = [["provider", "currency", "lines", "requested", "credited", "fees"]]
            for receipt in receipts {
                rows.append([
                    receipt.account?.terminalSafe ?? "all providers", receipt.currency, String(receipt.lines),
                    self.amounts.render(receipt.requestedMinor, receipt.currency), self.amounts.render(receipt.credited),
                    self.amounts.render(receipt.fees),
                ])
            }
            Self.table(rows, right: [2, 3, 4, 5], out)
        }

        out.write("\nDiscrepancies: ")
        out.write(DiscrepancyKind.allCases.map { "\($0.count(in: summary.discrepancies)) \($0.rawValue)" }.joined(separator: ", "))
        out.write("\n")
    }

    mutating func beginDiscrepancies(_ kind: DiscrepancyKind, count: Int, _ out: ReportOutput) {
        self.table = []
        guard count > 0 else { return }
        out.write("\n\(kind.title) (\(count))\n")
    }

    mutating func discrepancy(_ item: Discrepancy, index: Int, _ out: ReportOutput) {
        let line = item.line
        var cells = [
            line.itemNumber.map { "item \($0) (line \(line.lineNumber))" } ?? "line \(line.lineNumber)", line.reference,
            line.remark ?? "", line.account, CardMask.mask(line.cardID),
            self.amounts.render(line.amountMinor, line.currency) + " " + line.currency, line.state.rawValue,
        ]
        switch item.kind {
        case .operatorResolved:
            cells += [item.at ?? "", item.actor ?? "", "→ \(item.outcome ?? "")", item.detail ?? ""]
        case .mismatch:
            cells += [item.at ?? "", item.outcome ?? "", item.detail ?? ""]
        case .unknown, .failed, .creditedDiffers:
            cells += [item.at ?? "", item.detail ?? ""]
        }
        // Every text from outside (file, provider, operator) is escaped: no control or bidi character reaches the terminal.
        self.table.append(cells.map(\.terminalSafe))
    }

    mutating func endDiscrepancies(_ kind: DiscrepancyKind, count: Int, shown: Int, _ out: ReportOutput) {
        guard count > 0 else { return }
        Self.table(self.table, right: [5], out)
        if shown < count {
            out.write("  … and \(count - shown) more (see --format csv, json or html)\n")
        }
    }

    mutating func beginLines(_ summary: ReportSummary, _ out: ReportOutput) {}
    mutating func line(_ line: LineRecord, index: Int, _ out: ReportOutput) {}

    mutating func end(_ summary: ReportSummary, _ out: ReportOutput) {
        out.write("\nEvery line, with provider references and errors: recharge report \(summary.batch.id) --format csv|json|html\n")
        out.write("\n" + ReportSignature.marker(.text)! + "\n")
        let digest = out.digest()
        out.write("\nSign-off\n  Report SHA-256: \(digest)\n")
        out.write("  It covers every byte of this report from its start through the line '\(ReportSignature.marker(.text)!)';\n")
        out.write("  check a saved copy with: \(ReportSignature.checkCommand(.text, file: "report.txt")!)\n\n")
        for role in ["Prepared by", "Approved by"] {
            out.write("  \(role):  name ________________________  date ____________  signature ________________________\n")
        }
    }

    private mutating func outcomeCells(_ outcomes: Outcomes, _ currency: String) -> [String] {
        [outcomes.requested, outcomes.succeeded, outcomes.failed, outcomes.cancelled, outcomes.unknown, outcomes.pending].map {
            "\(self.amounts.render($0.minor, currency)) (\($0.lines))"
        }
    }

    /// Writes rows with padded columns, indented by two spaces.
    private static func table(_ rows: [[String]], right: Set<Int>, _ out: ReportOutput) {
        guard let columns = rows.map(\.count).max() else { return }
        let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        for row in rows {
            let cells = row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return right.contains(column) ? padding + cell : cell + padding
            }
            var text = "  " + cells.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            out.write(text + "\n")
        }
    }
}

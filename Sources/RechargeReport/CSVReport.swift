import RechargeCore
import RechargeStore

/// The report as RFC 4180 CSV: sections one after another, each a title row, a header row and its rows, with an
/// empty row between sections. Every record has the same number of fields (padded with empty fields), lines end
/// in CRLF, and every cell is neutralised against formula injection (see ``CSVReport/cell(_:)``).
struct CSVReport: ReportRenderer {
    static let lineColumns = [
        "item", "line", "reference", "remark", "provider", "card", "amount", "currency", "state", "provider_reference", "attempts",
        "last_error_code", "last_error_message", "first_sent_at", "completed_at", "credited", "credited_currency", "fee",
        "fee_currency",
    ]
    static let width = Self.lineColumns.count

    var listsLines: Bool { true }
    var discrepancyLimit: Int? { nil }
    private var amounts = AmountRenderer()

    mutating func begin(_ summary: ReportSummary, _ out: ReportOutput) {
        Self.row(["Reconciliation report"], out)
        Self.row(["field", "value"], out)
        for field in summary.headerFields { Self.row([field.label, field.value], out) }

        Self.section("Runs", ["run", "started_at", "finished_at", "holder", "host", "pid", "outcome"], out)
        for run in summary.runs {
            Self.row([String(run.id), run.startedAt, run.finishedAt ?? "", run.holder, run.host, String(run.pid), run.outcome ?? ""], out)
        }

        let outcomeColumns = ["requested", "succeeded", "failed", "cancelled", "unknown", "pending"].flatMap { [$0 + "_lines", $0] }
        Self.section("Totals by currency", ["currency"] + outcomeColumns + ["control_total", "control_check"], out)
        for total in summary.currencies {
            var cells = [total.currency] + self.outcomeCells(total.outcomes, total.currency)
            cells.append(total.control.map { self.amounts.render($0, total.currency) } ?? ReportSummary.notGiven)
            cells.append(total.matchesControl.map { $0 ? "matches" : "DIFFERS" } ?? ReportSummary.notGiven)
            Self.row(cells, out)
        }

        Self.section("Totals by provider and currency", ["provider", "currency"] + outcomeColumns, out)
        for total in summary.providers {
            Self.row([total.account, total.currency] + self.outcomeCells(total.outcomes, total.currency), out)
        }

        Self.section(
            "Credited and fees as reported by providers",
            ["provider", "currency", "lines", "requested", "credited", "credited_currency", "fee", "fee_currency"], out)
        for receipt in summary.receipts + summary.receiptTotals {
            Self.row(
                [
                    receipt.account ?? "all providers", receipt.currency, String(receipt.lines),
                    self.amounts.render(receipt.requestedMinor, receipt.currency),
                    receipt.credited.map { self.amounts.render($0.minor, $0.unit) }.joined(separator: " + "),
                    receipt.credited.map(\.unit).joined(separator: " + "),
                    receipt.fees.map { self.amounts.render($0.minor, $0.unit) }.joined(separator: " + "),
                    receipt.fees.map(\.unit).joined(separator: " + "),
                ], out)
        }

        Self.section("Discrepancies", ["kind", "count"], out)
        for kind in DiscrepancyKind.allCases {
            Self.row([kind.rawValue, String(kind.count(in: summary.discrepancies))], out)
        }
    }

    mutating func beginDiscrepancies(_ kind: DiscrepancyKind, count: Int, _ out: ReportOutput) {
        guard kind == .unknown else { return }
        Self.section(
            "Discrepancy lines",
            [
                "kind", "item", "line", "reference", "remark", "provider", "card", "amount", "currency", "state", "at", "actor",
                "outcome", "detail",
            ], out)
    }

    mutating func discrepancy(_ item: Discrepancy, index: Int, _ out: ReportOutput) {
        let line = item.line
        Self.row(
            [
                item.kind.rawValue, line.itemNumber.map(String.init) ?? "", String(line.lineNumber), line.reference, line.remark ?? "",
                line.account, CardMask.mask(line.cardID),
                self.amounts.render(line.amountMinor, line.currency), line.currency, line.state.rawValue, item.at ?? "",
                item.actor ?? "", item.outcome ?? "", item.detail ?? "",
            ], out)
    }

    mutating func endDiscrepancies(_ kind: DiscrepancyKind, count: Int, shown: Int, _ out: ReportOutput) {}

    mutating func beginLines(_ summary: ReportSummary, _ out: ReportOutput) {
        Self.section("Lines", Self.lineColumns, out)
    }

    mutating func line(_ line: LineRecord, index: Int, _ out: ReportOutput) {
        let cells = [
            line.itemNumber.map(String.init) ?? "", String(line.lineNumber), line.reference, line.remark ?? "", line.account,
            CardMask.mask(line.cardID),
            self.amounts.render(line.amountMinor, line.currency), line.currency, line.state.rawValue, line.providerReference ?? "",
            String(line.attempts), line.lastErrorCode ?? "", line.lastErrorMessage ?? "", line.firstSentAt ?? "",
            line.completedAt ?? "", self.amounts.render(line.creditedMinor, line.creditedCurrency), line.creditedCurrency ?? "",
            self.amounts.render(line.feeMinor, line.feeCurrency), line.feeCurrency ?? "",
        ]
        Self.row(cells, out)
    }

    /// The sign-off section: after the marker row, the SHA-256 of every byte up to and including it, how to check
    /// it, and the prepared-by and approved-by rows to fill in.
    mutating func end(_ summary: ReportSummary, _ out: ReportOutput) {
        Self.row([], out)
        Self.row([ReportSignature.marker(.csv)!], out)
        let digest = out.digest()
        Self.row(["Sign-off"], out)
        Self.row(["field", "value"], out)
        Self.row(["Report SHA-256", digest], out)
        Self.row(["Covers", "every byte of this file from its start through the row '\(ReportSignature.marker(.csv)!)'"], out)
        Self.row(["Check with", ReportSignature.checkCommand(.csv, file: "report.csv")!], out)
        Self.row(["role", "name", "date", "signature"], out)
        Self.row(["Prepared by"], out)
        Self.row(["Approved by"], out)
    }

    private mutating func outcomeCells(_ outcomes: Outcomes, _ currency: String) -> [String] {
        [outcomes.requested, outcomes.succeeded, outcomes.failed, outcomes.cancelled, outcomes.unknown, outcomes.pending].flatMap {
            [String($0.lines), self.amounts.render($0.minor, currency)]
        }
    }

    private static func section(_ title: String, _ header: [String], _ out: ReportOutput) {
        Self.row([], out)
        Self.row([title], out)
        Self.row(header, out)
    }

    /// Writes one record, padded to the width of the widest section.
    private static func row(_ cells: [String], _ out: ReportOutput) {
        for index in 0..<Self.width {
            if index > 0 { out.write(byte: UInt8(ascii: ",")) }
            if index < cells.count { Self.write(cell: cells[index], out) }
        }
        out.write(byte: UInt8(ascii: "\r"))
        out.write(byte: UInt8(ascii: "\n"))
    }

    /// A cell as it is written: neutralised, then quoted when needed.
    static func cell(_ text: String) -> String {
        let out = ReportOutput()
        Self.write(cell: text, out)
        return out.text
    }

    /// Writes one cell. A cell starting with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`, so a
    /// spreadsheet shows it as text instead of evaluating it; a cell holding `,`, `"`, CR or LF (or the added `'`
    /// in front of one of those) is quoted, with `"` doubled.
    private static func write(cell text: String, _ out: ReportOutput) {
        var text = text
        text.withUTF8 { bytes in
            guard let first = bytes.first else { return }
            let neutralise =
                first == UInt8(ascii: "=") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-") || first == UInt8(ascii: "@")
                || first == 0x09 || first == 0x0D
            let quote = bytes.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
            if quote { out.write(byte: UInt8(ascii: "\"")) }
            if neutralise { out.write(byte: UInt8(ascii: "'")) }
            if quote {
                var start = 0
                for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\"") {
                    out.write(bytes: UnsafeBufferPointer(rebasing: bytes[start...index]))
                    out.write(byte: UInt8(ascii: "\""))
                    start = index + 1
                }
                out.write(bytes: UnsafeBufferPointer(rebasing: bytes[start...]))
                out.write(byte: UInt8(ascii: "\""))
            } else {
                out.write(bytes: bytes)
            }
        }
    }
}

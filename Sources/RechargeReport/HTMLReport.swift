import RechargeCore
import RechargeStore

/// The report as one self-contained HTML page: inline CSS (with print rules), summary tables, an inline SVG bar
/// chart of outcomes per provider, the discrepancy lists and the table of every line. Nothing is loaded from
/// elsewhere, and every text from the database is escaped.
struct HTMLReport: ReportRenderer {
    var listsLines: Bool { true }
    var discrepancyLimit: Int? { nil }
    private var amounts = AmountRenderer()

    static let style = """
        :root { --ok: #2e7d32; --failed: #c62828; --cancelled: #757575; --unknown: #ef8f00; --pending: #1565c0; }
        * { box-sizing: border-box; }
        body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a; margin: 2em auto; max-width: 1400px; padding: 0 1em; }
        h1 { font-size: 1.6em; margin: 0 0 .2em; }
        h2 { font-size: 1.25em; margin: 1.6em 0 .5em; border-bottom: 1px solid #ccc; padding-bottom: .2em; }
        h3 { font-size: 1.05em; margin: 1.2em 0 .4em; }
        p.subtitle { color: #555; margin: 0; }
        nav a { margin-right: 1.2em; }
        table { border-collapse: collapse; margin: .3em 0 1em; max-width: 100%; }
        th, td { border: 1px solid #d0d0d0; padding: .2em .4em; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
        thead th { background: #f2f2f2; }
        table.fields th { background: #f7f7f7; font-weight: 600; }
        td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
        table.totals td.n { white-space: nowrap; }
        td.mono, code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .92em; }
        table.lines, table.items { width: 100%; table-layout: fixed; font-size: .85em; }
        .SUCCESS { color: var(--ok); } .FAILED { color: var(--failed); } .CANCELLED { color: var(--cancelled); }
        .UNKNOWN { color: var(--unknown); font-weight: 600; } .PENDING, .PROCESSING { color: var(--pending); }
        .differs { color: var(--failed); font-weight: 600; } .matches { color: var(--ok); } .not-given { color: #555; font-style: italic; }
        p.none { color: #555; font-style: italic; }
        svg { max-width: 100%; height: auto; }
        svg text { font: 12px system-ui, sans-serif; }
        #sign-off { break-inside: avoid; }
        code.hash { overflow-wrap: anywhere; font-size: 1em; }
        table.signatures { width: 100%; table-layout: fixed; }
        table.signatures th:first-child { width: 14%; }
        table.signatures td { height: 3.2em; }
        @media print {
            @page {
                size: A4 landscape;
                margin: 10mm 10mm 14mm;
                @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt system-ui, sans-serif; }
            }
            body { font-size: 8pt; margin: 0; max-width: none; padding: 0; }
            nav { display: none; }
            h2, h3 { break-after: avoid; }
            thead { display: table-header-group; }
            tr { break-inside: avoid; }
            table.lines, table.items { font-size: 7pt; }
            .SUCCESS, .FAILED, .CANCELLED, .UNKNOWN, .PENDING, .PROCESSING, .differs, .matches { color: #000; }
            .UNKNOWN, .differs { text-decoration: underline; }
        }
        """

    mutating func begin(_ summary: ReportSummary, _ out: ReportOutput) {
        let batch = summary.batch
        out.write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        out.write("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Reconciliation report: ")
        Self.escape(batch.name, out)
        out.write("</title>\n<style>\n\(Self.style)\n")
        // The batch id and the generation time are digits and punctuation: safe inside a CSS string.
        out.write("@media print { @page { @bottom-left { content: \"Reconciliation report, batch \(batch.id), generated ")
        out.write(summary.generatedAt.filter { $0.isNumber || "-:.TZ".contains($0) })
        out.write("\"; font: 8pt system-ui, sans-serif; } } }\n</style>\n</head>\n<body>\n<header>\n<h1>Reconciliation report</h1>\n")
        out.write("<p class=\"subtitle\">Batch <strong>")
        Self.escape(batch.name, out)
        out.write("</strong> (id \(batch.id)), \(summary.lineCount) lines, generated at ")
        Self.escape(summary.generatedAt, out)
        out.write("</p>\n</header>\n<nav><a href=\"#batch\">Batch</a><a href=\"#totals\">Totals</a>")
        let discrepancyCount = DiscrepancyKind.allCases.reduce(0) { $0 + $1.count(in: summary.discrepancies) }
        out.write("<a href=\"#discrepancies\">Discrepancies (\(discrepancyCount))</a><a href=\"#lines\">Lines</a>")
        out.write("<a href=\"#sign-off\">Sign-off</a></nav>\n")

        out.write("<section id=\"batch\">\n<h2>Batch</h2>\n<table class=\"fields\">\n")
        for field in summary.headerFields {
            out.write("<tr><th>")
            Self.escape(field.label, out)
            out.write("</th><td>")
            if field.value == ReportSummary.notGiven {
                out.write("<span class=\"not-given\">\(ReportSummary.notGiven)</span></td></tr>\n")
            } else {
                Self.escape(field.value, out)
                out.write("</td></tr>\n")
            }
        }
        out.write("</table>\n<h3>Runs</h3>\n")
        if summary.runs.isEmpty {
            out.write("<p class=\"none\">No run has worked on this batch.</p>\n")
        } else {
            out.write("<table>\n<thead><tr><th>Run</th><th>Started</th><th>Finished</th><th>Holder</th><th>Host</th>")
            out.write("<th>PID</th><th>Outcome</th></tr></thead>\n<tbody>\n")
            for run in summary.runs {
                self.row(
                    [
                        (String(run.id), "n"), (run.startedAt, ""), (run.finishedAt ?? "", ""), (run.holder, ""), (run.host, ""),
                        (String(run.pid), "n"), (run.outcome ?? "no outcome recorded", ""),
                    ], out)
            }
            out.write("</tbody>\n</table>\n")
        }
        out.write("</section>\n")

        out.write("<section id=\"totals\">\n<h2>Totals by currency</h2>\n")
        out.write(
            "<p>In every row, requested = succeeded + failed + cancelled + unknown + pending (pending counts lines not yet settled).</p>\n")
        out.write(
            "<table class=\"totals\">\n<thead>\(Self.outcomeHeader(first: ["Currency"], last: ["Control total", "Control"]))</thead>\n<tbody>\n"
        )
        for total in summary.currencies {
            var cells: [(String, String)] = [(total.currency, "")] + self.outcomeCells(total.outcomes, total.currency)
            cells.append(total.control.map { (self.amounts.render($0, total.currency), "n") } ?? (ReportSummary.notGiven, "not-given"))
            switch total.matchesControl {
            case true?: cells.append(("matches", "matches"))
            case false?: cells.append(("DIFFERS", "differs"))
            case nil: cells.append(("no control total", "not-given"))
            }
            self.row(cells, out)
        }
        out.write("</tbody>\n</table>\n<h2>Totals by provider and currency</h2>\n")
        out.write("<table class=\"totals\">\n<thead>\(Self.outcomeHeader(first: ["Provider", "Currency"], last: []))</thead>\n<tbody>\n")
        for total in summary.providers {
            self.row([(total.account, ""), (total.currency, "")] + self.outcomeCells(total.outcomes, total.currency), out)
        }
        out.write("</tbody>\n</table>\n<h2>Outcomes by provider</h2>\n")
        Self.chart(summary, out)
        out.write("<h2>Credited and fees as reported by providers</h2>\n")
        let receipts = summary.receipts + summary.receiptTotals
        if receipts.isEmpty {
            out.write("<p class=\"none\">No provider reported credited amounts or fees for this batch.</p>\n")
        } else {
            out.write("<table class=\"totals\">\n<thead><tr><th>Provider</th><th>Currency</th><th class=\"n\">Lines</th>")
            out.write("<th class=\"n\">Requested</th>")
            out.write("<th class=\"n\">Credited</th><th class=\"n\">Fees</th></tr></thead>\n<tbody>\n")
            for receipt in receipts {
                self.row(
                    [
                        (receipt.account ?? "All providers", ""), (receipt.currency, ""), (String(receipt.lines), "n"),
                        (self.amounts.render(receipt.requestedMinor, receipt.currency), "n"),
                        (self.amounts.render(receipt.credited), "n"), (self.amounts.render(receipt.fees), "n"),
                    ], out)
            }
            out.write("</tbody>\n</table>\n")
        }
        out.write("</section>\n<section id=\"discrepancies\">\n<h2>Discrepancies</h2>\n<ul>\n")
        for kind in DiscrepancyKind.allCases {
            out.write("<li>")
            Self.escape(kind.title, out)
            out.write(": \(kind.count(in: summary.discrepancies))</li>\n")
        }
        out.write("</ul>\n")
    }

    mutating func beginDiscrepancies(_ kind: DiscrepancyKind, count: Int, _ out: ReportOutput) {
        out.write("<h3>")
        Self.escape(kind.title, out)
        out.write(" (\(count))</h3>\n")
        if count == 0 {
            out.write(kind == .mismatch ? "<p class=\"none\">None recorded.</p>\n" : "<p class=\"none\">None.</p>\n")
            return
        }
        Self.header(Self.discrepancyColumns, class: "items", out)
    }

    /// The columns of a discrepancy list: title, width in per cent, numeric.
    static let discrepancyColumns: [(String, Int, Bool)] = [
        ("Item", 4, true), ("Line", 4, true), ("Reference", 10, false), ("Remark", 10, false), ("Provider", 7, false),
        ("Card", 7, false), ("Amount", 9, true), ("State", 7, false), ("At", 9, false), ("By", 7, false), ("Outcome", 7, false),
        ("Detail", 19, false),
    ]

    /// The columns of the line table: title, width in per cent, numeric. The widths are fixed, so the table fits
    /// the page (1280 px on screen, A4 landscape in print) whatever its texts; long ones wrap inside their cell.
    static let lineColumns: [(String, Int, Bool)] = [
        ("Item", 4, true), ("Line", 4, true), ("Reference", 9, false), ("Remark", 10, false), ("Provider", 6, false),
        ("Card", 7, false), ("Amount", 8, true), ("State", 7, false), ("Provider reference", 9, false), ("Attempts", 5, true),
        ("Last error", 13, false), ("Sent / completed", 10, false), ("Credited / fee", 8, true),
    ]

    mutating func discrepancy(_ item: Discrepancy, index: Int, _ out: ReportOutput) {
        let line = item.line
        self.row(
            [
                (line.itemNumber.map(String.init) ?? "", "n"), (String(line.lineNumber), "n"), (line.reference, ""),
                (line.remark ?? "", ""), (line.account, ""), (CardMask.mask(line.cardID), "mono"),
                (self.amounts.render(line.amountMinor, line.currency) + " " + line.currency, "n"),
                (line.state.rawValue, line.state.rawValue), (item.at ?? "", "time"), (item.actor ?? "", ""), (item.outcome ?? "", ""),
                (item.detail ?? "", ""),
            ], out)
    }

    mutating func endDiscrepancies(_ kind: DiscrepancyKind, count: Int, shown: Int, _ out: ReportOutput) {
        if count > 0 { out.write("</tbody>\n</table>\n") }
    }

    mutating func beginLines(_ summary: ReportSummary, _ out: ReportOutput) {
        out.write("</section>\n<section id=\"lines\">\n<h2>Lines (\(summary.lineCount))</h2>\n")
        out.write("<p>Item: the line's position among the file's records (1 to \(summary.lineCount)). Line: where it is in the file ")
        out.write("(the physical line of a CSV or NDJSON file, the header being line 1; the item index of a JSON file).</p>\n")
        Self.header(Self.lineColumns, class: "lines", out)
    }

    mutating func line(_ line: LineRecord, index: Int, _ out: ReportOutput) {
        let error = ReconciliationReport.lastError(line) ?? ""
        let times = [line.firstSentAt, line.completedAt].map { $0 ?? "–" }.joined(separator: " / ")
        let credited = Self.money(self.amounts.render(line.creditedMinor, line.creditedCurrency), line.creditedCurrency)
        let fee = Self.money(self.amounts.render(line.feeMinor, line.feeCurrency), line.feeCurrency)
        self.row(
            [
                (line.itemNumber.map(String.init) ?? "", "n"), (String(line.lineNumber), "n"), (line.reference, ""),
                (line.remark ?? "", ""), (line.account, ""), (CardMask.mask(line.cardID), "mono"),
                (self.amounts.render(line.amountMinor, line.currency) + " " + line.currency, "n"),
                (line.state.rawValue, line.state.rawValue), (line.providerReference ?? "", "mono"), (String(line.attempts), "n"),
                (error, ""), (line.firstSentAt == nil && line.completedAt == nil ? "" : times, "time"),
                ([credited, fee.isEmpty ? "" : "fee " + fee].filter { !$0.isEmpty }.joined(separator: " / "), "n"),
            ], out)
    }

    mutating func end(_ summary: ReportSummary, _ out: ReportOutput) {
        out.write("</tbody>\n</table>\n</section>\n<footer><p class=\"none\">Card ids show their last four characters only. ")
        out.write("Amounts are exact, in each currency's ISO 4217 minor unit.</p></footer>\n")
        // Everything above, up to and including the marker line, is what the SHA-256 below covers.
        out.write(ReportSignature.marker(.html)! + "\n")
        let digest = out.digest()
        out.write("<section id=\"sign-off\">\n<h2>Sign-off</h2>\n<p>SHA-256 of this report: <code class=\"hash\">\(digest)</code></p>\n")
        out.write("<p class=\"none\">It covers every byte of this HTML file from its start through the line ")
        Self.escape(ReportSignature.marker(.html)!, out)
        out.write(". To check a printed copy against the file: <code>")
        Self.escape(ReportSignature.checkCommand(.html, file: "report.html")!, out)
        out.write("</code> prints the same hash.</p>\n<table class=\"signatures\">\n<thead><tr><th></th><th>Name</th><th>Date</th>")
        out.write("<th>Signature</th></tr></thead>\n<tbody>\n<tr><th>Prepared by</th><td></td><td></td><td></td></tr>\n")
        out.write("<tr><th>Approved by</th><td></td><td></td><td></td></tr>\n</tbody>\n</table>\n</section>\n</body>\n</html>\n")
    }

    // MARK: Pieces

    private static func money(_ amount: String, _ currency: String?) -> String {
        guard let currency, !amount.isEmpty else { return "" }
        return amount + " " + currency
    }

    private static func outcomeHeader(first: [String], last: [String]) -> String {
        var html = "<tr>"
        for title in first { html += "<th rowspan=\"2\">\(title)</th>" }
        for title in ["Requested", "Succeeded", "Failed", "Cancelled", "Unknown", "Pending"] { html += "<th colspan=\"2\">\(title)</th>" }
        for title in last { html += "<th rowspan=\"2\">\(title)</th>" }
        html += "</tr>\n<tr>" + String(repeating: "<th class=\"n\">lines</th><th class=\"n\">amount</th>", count: 6) + "</tr>"
        return html
    }

    private mutating func outcomeCells(_ outcomes: Outcomes, _ currency: String) -> [(String, String)] {
        [outcomes.requested, outcomes.succeeded, outcomes.failed, outcomes.cancelled, outcomes.unknown, outcomes.pending].flatMap {
            [(String($0.lines), "n"), (self.amounts.render($0.minor, currency), "n")]
        }
    }

    /// A fixed-layout table's opening, column widths and header row.
    private static func header(_ columns: [(title: String, width: Int, numeric: Bool)], class name: String, _ out: ReportOutput) {
        out.write("<table class=\"\(name)\">\n<colgroup>")
        for column in columns { out.write("<col style=\"width: \(column.width)%\">") }
        out.write("</colgroup>\n<thead><tr>")
        for column in columns { out.write(column.numeric ? "<th class=\"n\">\(column.title)</th>" : "<th>\(column.title)</th>") }
        out.write("</tr></thead>\n<tbody>\n")
    }

    /// One table row: each cell's text escaped, with its class when it has one. A `time` cell may break after the
    /// date (`<wbr>` after `T`), so timestamps wrap between date and time rather than anywhere.
    private func row(_ cells: [(text: String, kind: String)], _ out: ReportOutput) {
        out.write("<tr>")
        for cell in cells {
            out.write(cell.kind.isEmpty ? "<td>" : "<td class=\"\(cell.kind)\">")
            if cell.kind == "time" {
                for (index, part) in cell.text.split(separator: "T", omittingEmptySubsequences: false).enumerated() {
                    if index > 0 { out.write("T<wbr>") }
                    Self.escape(String(part), out)
                }
            } else {
                Self.escape(cell.text, out)
            }
            out.write("</td>")
        }
        out.write("</tr>\n")
    }

    /// A horizontal stacked bar per provider account: its lines by outcome, scaled to the largest account.
    /// Widths are integer pixels computed from integer counts, so the chart is the same on every machine.
    static func chart(_ summary: ReportSummary, _ out: ReportOutput) {
        var accounts: [(name: String, counts: [Int])] = []
        for total in summary.providers {
            let counts = total.outcomes.buckets.map(\.amounts.lines)
            if let index = accounts.firstIndex(where: { $0.name == total.account }) {
                accounts[index].counts = zip(accounts[index].counts, counts).map { $0 + $1 }
            } else {
                accounts.append((total.account, counts))
            }
        }
        let names = ["succeeded", "failed", "cancelled", "unknown", "pending"]
        let colours = ["#2e7d32", "#c62828", "#9e9e9e", "#ef8f00", "#1565c0"]
        let labelWidth = 120
        let barWidth = 560
        let rowHeight = 26
        let height = 34 + accounts.count * rowHeight
        let largest = max(1, accounts.map { $0.counts.reduce(0, +) }.max() ?? 1)
        out.write("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"\(labelWidth + barWidth + 90)\" height=\"\(height)\" ")
        out.write("viewBox=\"0 0 \(labelWidth + barWidth + 90) \(height)\"><title>Lines by outcome per provider</title>\n")
        var legendX = labelWidth
        for (name, colour) in zip(names, colours) {
            out.write("<rect x=\"\(legendX)\" y=\"4\" width=\"12\" height=\"12\" fill=\"\(colour)\"/>")
            out.write("<text x=\"\(legendX + 16)\" y=\"14\">\(name)</text>\n")
            legendX += 100
        }
        for (index, account) in accounts.enumerated() {
            let y = 28 + index * rowHeight
            let total = account.counts.reduce(0, +)
            out.write("<text x=\"\(labelWidth - 8)\" y=\"\(y + 14)\" text-anchor=\"end\">")
            Self.escape(account.name, out)
            out.write("</text>\n")
            var x = labelWidth
            var running = 0
            for (count, (name, colour)) in zip(account.counts, zip(names, colours)) where count > 0 {
                // Each segment ends where the running total ends, so rounding never makes a bar longer than its total.
                let start = running * barWidth / largest
                running += count
                let width = running * barWidth / largest - start
                out.write("<rect x=\"\(labelWidth + start)\" y=\"\(y)\" width=\"\(max(width, 1))\" height=\"18\" fill=\"\(colour)\">")
                out.write("<title>")
                Self.escape("\(account.name): \(count) \(name)", out)
                out.write("</title></rect>\n")
                x = labelWidth + start + max(width, 1)
            }
            out.write("<text x=\"\(x + 6)\" y=\"\(y + 14)\">\(total)</text>\n")
        }
        out.write("</svg>\n")
    }

    /// Writes text with `&`, `<`, `>`, `"` and `'` escaped.
    static func escape(_ text: String, _ out: ReportOutput) {
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for (index, byte) in bytes.enumerated() {
                let entity: String
                switch byte {
                case UInt8(ascii: "&"): entity = "&amp;"
                case UInt8(ascii: "<"): entity = "&lt;"
                case UInt8(ascii: ">"): entity = "&gt;"
                case UInt8(ascii: "\""): entity = "&quot;"
                case UInt8(ascii: "'"): entity = "&#39;"
                default: continue
                }
                out.write(bytes: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                out.write(entity)
                start = index + 1
            }
            out.write(bytes: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
    }
}

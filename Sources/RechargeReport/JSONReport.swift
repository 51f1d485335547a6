import RechargeCore
import RechargeStore

/// The report as one JSON document, written by hand so that keys keep a fixed order and lines stream out.
///
/// The shape is described by `docs/report.schema.json`. Amounts are exact decimal strings (never JSON numbers),
/// counts and ids are integers, absent values are `null`, and card ids are masked as in every other format. The
/// summary is indented; each discrepancy and each line is one object on its own line.
struct JSONReport: ReportRenderer {
    var listsLines: Bool { true }
    var discrepancyLimit: Int? { nil }
    private var amounts = AmountRenderer()

    mutating func begin(_ summary: ReportSummary, _ out: ReportOutput) {
        let batch = summary.batch
        out.write("{\n  \"schema\": \"recharge-report/1\",\n  \"generatedAt\": ")
        Self.string(summary.generatedAt, out)
        out.write(",\n  \"batch\": {")
        self.fields(
            [
                ("id", .int(Int(batch.id))), ("uid", .text(batch.uid)), ("name", .text(batch.name)),
                ("reference", .text(batch.reference)), ("sourceFile", .text(batch.sourceFile)),
                ("sha256", .text(batch.sourceSHA256)), ("format", .text(batch.sourceFormat)),
                ("bytes", .int(Int(batch.sourceBytes))), ("importedAt", .text(batch.importedAt)),
                ("forced", .bool(batch.forced)), ("lines", .int(summary.lineCount)),
            ], out)
        out.write("},\n  \"control\": {")
        self.fields(
            [
                ("lines", .int(batch.controlLineCount)), ("linesMatch", .bool(summary.matchesControlLineCount)),
            ], out)
        out.write(", \"totals\": [")
        for (index, code) in summary.controlTotals.keys.sorted().enumerated() {
            out.write(index == 0 ? "{" : ", {")
            self.fields([("currency", .text(code)), ("amount", .text(self.amounts.render(summary.controlTotals[code]!, code)))], out)
            out.write("}")
        }
        out.write("]},\n  \"runs\": [")
        for (index, run) in summary.runs.enumerated() {
            out.write(index == 0 ? "\n    {" : ",\n    {")
            self.fields(
                [
                    ("id", .int(Int(run.id))), ("startedAt", .text(run.startedAt)), ("finishedAt", .text(run.finishedAt)),
                    ("holder", .text(run.holder)), ("host", .text(run.host)), ("pid", .int(run.pid)), ("outcome", .text(run.outcome)),
                ], out)
            out.write("}")
        }
        out.write(summary.runs.isEmpty ? "],\n  \"totals\": [" : "\n  ],\n  \"totals\": [")
        for (index, total) in summary.currencies.enumerated() {
            out.write(index == 0 ? "\n    {" : ",\n    {")
            self.fields([("currency", .text(total.currency))], out)
            out.write(", ")
            self.outcomes(total.outcomes, total.currency, out)
            out.write(", ")
            self.fields(
                [
                    ("control", .text(total.control.map { self.amounts.render($0, total.currency) })),
                    ("controlMatches", .bool(total.matchesControl)),
                ], out)
            out.write("}")
        }
        out.write(summary.currencies.isEmpty ? "],\n  \"providers\": [" : "\n  ],\n  \"providers\": [")
        for (index, total) in summary.providers.enumerated() {
            out.write(index == 0 ? "\n    {" : ",\n    {")
            self.fields([("provider", .text(total.account)), ("currency", .text(total.currency))], out)
            out.write(", ")
            self.outcomes(total.outcomes, total.currency, out)
            out.write("}")
        }
        out.write(summary.providers.isEmpty ? "],\n  \"receipts\": [" : "\n  ],\n  \"receipts\": [")
        /// The one sum of a list in a single unit; `nil` for none or several (then the list has them all).
        func single(_ sums: [UnitSum]) -> UnitSum? { sums.count == 1 ? sums[0] : nil }
        for (index, receipt) in (summary.receipts + summary.receiptTotals).enumerated() {
            out.write(index == 0 ? "\n    {" : ",\n    {")
            self.fields(
                [
                    ("provider", .text(receipt.account)), ("currency", .text(receipt.currency)), ("lines", .int(receipt.lines)),
                    ("requested", .text(self.amounts.render(receipt.requestedMinor, receipt.currency))),
                    ("credited", .text(single(receipt.credited).map { self.amounts.render($0.minor, $0.unit) })),
                    ("creditedCurrency", .text(single(receipt.credited)?.unit)),
                    ("fee", .text(single(receipt.fees).map { self.amounts.render($0.minor, $0.unit) })),
                    ("feeCurrency", .text(single(receipt.fees)?.unit)),
                ], out)
            out.write(", \"credits\": ")
            self.sums(receipt.credited, out)
            out.write(", \"fees\": ")
            self.sums(receipt.fees, out)
            out.write("}")
        }
        let receiptCount = summary.receipts.count + summary.receiptTotals.count
        out.write(receiptCount == 0 ? "],\n  \"discrepancies\": {\n    \"counts\": {" : "\n  ],\n  \"discrepancies\": {\n    \"counts\": {")
        self.fields(DiscrepancyKind.allCases.map { ($0.rawValue, .int($0.count(in: summary.discrepancies))) }, out)
        out.write("}")
    }

    mutating func beginDiscrepancies(_ kind: DiscrepancyKind, count: Int, _ out: ReportOutput) {
        out.write(",\n    ")
        Self.string(kind.rawValue, out)
        out.write(": [")
    }

    mutating func discrepancy(_ item: Discrepancy, index: Int, _ out: ReportOutput) {
        out.write(index == 0 ? "\n      {" : ",\n      {")
        self.fields(
            [
                ("item", .int(item.line.itemNumber)), ("line", .int(item.line.lineNumber)), ("reference", .text(item.line.reference)),
                ("remark", .text(item.line.remark)), ("provider", .text(item.line.account)),
                ("card", .text(CardMask.mask(item.line.cardID))),
                ("amount", .text(self.amounts.render(item.line.amountMinor, item.line.currency))),
                ("currency", .text(item.line.currency)), ("state", .text(item.line.state.rawValue)), ("at", .text(item.at)),
                ("actor", .text(item.actor)), ("outcome", .text(item.outcome)), ("detail", .text(item.detail)),
            ], out)
        out.write("}")
    }

    mutating func endDiscrepancies(_ kind: DiscrepancyKind, count: Int, shown: Int, _ out: ReportOutput) {
        out.write(shown == 0 ? "]" : "\n    ]")
    }

    mutating func beginLines(_ summary: ReportSummary, _ out: ReportOutput) {
        out.write("\n  },\n  \"lines\": [")
    }

    mutating func line(_ line: LineRecord, index: Int, _ out: ReportOutput) {
        out.write(index == 0 ? "\n    {" : ",\n    {")
        self.fields(
            [
                ("item", .int(line.itemNumber)), ("line", .int(line.lineNumber)), ("reference", .text(line.reference)),
                ("remark", .text(line.remark)), ("provider", .text(line.account)),
                ("card", .text(CardMask.mask(line.cardID))), ("amount", .text(self.amounts.render(line.amountMinor, line.currency))),
                ("currency", .text(line.currency)), ("state", .text(line.state.rawValue)),
                ("providerReference", .text(line.providerReference)), ("attempts", .int(line.attempts)),
                ("lastErrorCode", .text(line.lastErrorCode)), ("lastErrorMessage", .text(line.lastErrorMessage)),
                ("firstSentAt", .text(line.firstSentAt)), ("completedAt", .text(line.completedAt)),
                ("credited", .text(line.creditedMinor.map { self.amounts.render($0, line.creditedCurrency ?? "") })),
                ("creditedCurrency", .text(line.creditedCurrency)),
                ("fee", .text(line.feeMinor.map { self.amounts.render($0, line.feeCurrency ?? "") })),
                ("feeCurrency", .text(line.feeCurrency)),
            ], out)
        out.write("}")
    }

    mutating func end(_ summary: ReportSummary, _ out: ReportOutput) {
        out.write(summary.lineCount == 0 ? "]\n}\n" : "\n  ]\n}\n")
    }

    // MARK: Writing values

    enum Value {
        case text(String?)
        case int(Int?)
        case bool(Bool?)
    }

    private mutating func outcomes(_ outcomes: Outcomes, _ currency: String, _ out: ReportOutput) {
        for (index, (name, amounts)) in ([("requested", outcomes.requested)] + outcomes.buckets).enumerated() {
            if index > 0 { out.write(", ") }
            Self.string(name, out)
            out.write(": {")
            self.fields([("lines", .int(amounts.lines)), ("amount", .text(self.amounts.render(amounts.minor, currency)))], out)
            out.write("}")
        }
    }

    /// Writes sums per unit as `[{"amount": …, "currency": …}, …]`.
    private mutating func sums(_ sums: [UnitSum], _ out: ReportOutput) {
        out.write("[")
        for (index, sum) in sums.enumerated() {
            out.write(index == 0 ? "{" : ", {")
            self.fields([("amount", .text(self.amounts.render(sum.minor, sum.unit))), ("currency", .text(sum.unit))], out)
            out.write("}")
        }
        out.write("]")
    }

    /// Writes `"key": value` pairs separated by `, `, without the surrounding braces.
    private func fields(_ fields: [(String, Value)], _ out: ReportOutput) {
        for (index, (key, value)) in fields.enumerated() {
            if index > 0 { out.write(", ") }
            Self.string(key, out)
            out.write(": ")
            switch value {
            case .text(let text?): Self.string(text, out)
            case .int(let number?): out.write(String(number))
            case .bool(let flag?): out.write(flag ? "true" : "false")
            case .text(nil), .int(nil), .bool(nil): out.write("null")
            }
        }
    }

    /// Writes a JSON string: `"` and `\` escaped, control characters as `\n`, `\r`, `\t` or `\u00XX`.
    static func string(_ text: String, _ out: ReportOutput) {
        out.write(byte: UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for (index, byte) in bytes.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                out.write(bytes: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                switch byte {
                case UInt8(ascii: "\""): out.write("\\\"")
                case UInt8(ascii: "\\"): out.write("\\\\")
                case 0x0A: out.write("\\n")
                case 0x0D: out.write("\\r")
                case 0x09: out.write("\\t")
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    out.write("\\u00")
                    out.write(byte: hex[Int(byte >> 4)])
                    out.write(byte: hex[Int(byte & 0x0F)])
                }
                start = index + 1
            }
            out.write(bytes: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        out.write(byte: UInt8(ascii: "\""))
    }
}

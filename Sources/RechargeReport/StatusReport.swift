import Foundation
import RechargeCore
import RechargeStore

/// The status of one batch or all: the JSON shape of `status --json` and its text rendering.
package struct StatusReport: Encodable {
    package struct Batch: Encodable {
        package var id: Int64
        package var name: String
        package var sourceFile: String
        package var sha256: String
        package var importedAt: String
        package var lines: Int
        /// NOT_REQUIRED, AWAITING_APPROVAL, APPROVED or REJECTED.
        package var approval: String
        package var uploadedBy: String?

        package init(_ record: BatchRecord) {
            self.id = record.id
            self.name = record.name
            self.sourceFile = record.sourceFile
            self.sha256 = record.sourceSHA256
            self.importedAt = record.importedAt
            self.lines = record.lineCount
            self.approval = record.approvalState.rawValue
            self.uploadedBy = record.uploadedBy
        }

        /// How approval reads in the text: nothing for a batch that needs none.
        var approvalText: String {
            self.approval == BatchApprovalState.notRequired.rawValue ? "" : ", \(self.approval)"
        }
    }

    package struct Group: Encodable {
        package var provider: String
        package var currency: String
        package var state: String
        package var lines: Int
        package var amount: String
    }

    package struct StateTotal: Encodable {
        package var lines: Int
        package var sums: [String: String]
    }

    /// How many FAILED and UNKNOWN lines `status BATCH` lists; the report has them all.
    package static let problemLimit = 50

    /// The FAILED and UNKNOWN lines of one batch: the first ``StatusReport/problemLimit`` and how many more.
    package struct Problems: Encodable {
        package struct Line: Encodable {
            /// The line's position among the file's records (1..N), and where it is in the file.
            package var item: Int?
            package var line: Int
            package var reference: String
            package var remark: String?
            package var provider: String
            package var amount: String
            package var currency: String
            package var state: String
            package var attempts: Int
            /// The last error code recorded: the provider's answer code, or the engine's own (`unresolved`).
            package var lastErrorCode: String?
            package var lastErrorMessage: String?
            package var providerReference: String?
        }

        package var total: Int
        package var shown: Int
        package var more: Int
        package var lines: [Line]
        /// The command that lists every line with its error.
        package var everyLine: String

        package init(batchID: Int64, _ found: ProblemLines) {
            self.total = found.total
            self.shown = found.lines.count
            self.more = found.total - found.lines.count
            self.lines = found.lines.map { line in
                Line(
                    item: line.itemNumber, line: line.lineNumber, reference: line.reference, remark: line.remark, provider: line.account,
                    amount: Money.render(minorUnits: line.amountMinor, exponent: Currency(code: line.currency)?.exponent ?? 2),
                    currency: line.currency, state: line.state.rawValue, attempts: line.attempts, lastErrorCode: line.lastErrorCode,
                    lastErrorMessage: line.lastErrorMessage, providerReference: line.providerReference)
            }
            self.everyLine = "recharge report \(batchID) --format csv --output batch-\(batchID).csv"
        }
    }

    package var batch: Batch?
    package var batches: [Batch]?
    package var lines: Int
    /// Line counts per state, every state present (zero when none).
    package var states: [String: Int]
    /// Exact sums per currency over all lines.
    package var sums: [String: String]
    package var byState: [String: StateTotal]
    package var groups: [Group]
    /// For one batch: its FAILED and UNKNOWN lines.
    package var problems: Problems?

    package init(batch: BatchRecord?, batches: [BatchRecord], rows: [StatusRow]) {
        func render(_ minor: Int64, _ code: String) -> String {
            Money.render(minorUnits: minor, exponent: Currency(code: code)?.exponent ?? 2)
        }
        self.batch = batch.map(Batch.init)
        self.batches = batch == nil ? batches.map(Batch.init) : nil
        self.lines = rows.reduce(0) { $0 + $1.count }
        self.states = Dictionary(uniqueKeysWithValues: LineState.allCases.map { ($0.rawValue, 0) })
        var sums: [String: Int64] = [:]
        var byState: [String: (lines: Int, sums: [String: Int64])] = [:]
        for row in rows {
            self.states[row.state.rawValue, default: 0] += row.count
            sums[row.currency, default: 0] += row.sumMinor
            byState[row.state.rawValue, default: (0, [:])].lines += row.count
            byState[row.state.rawValue, default: (0, [:])].sums[row.currency, default: 0] += row.sumMinor
        }
        self.sums = sums.reduce(into: [:]) { $0[$1.key] = render($1.value, $1.key) }
        self.byState = byState.reduce(into: [:]) { result, entry in
            result[entry.key] = StateTotal(
                lines: entry.value.lines, sums: entry.value.sums.reduce(into: [:]) { $0[$1.key] = render($1.value, $1.key) })
        }
        self.groups = rows.map {
            Group(
                provider: $0.account, currency: $0.currency, state: $0.state.rawValue, lines: $0.count,
                amount: render($0.sumMinor, $0.currency))
        }
    }

    package func text() -> String {
        var out: [String] = []
        if let batch {
            out.append(
                "batch \(batch.id) '\(batch.name.terminalSafe)': \(batch.lines) lines from \(batch.sourceFile.terminalSafe), imported \(batch.importedAt)\(batch.approvalText)"
            )
        } else if let batches {
            out.append(batches.isEmpty ? "no batches" : "\(batches.count) batches:")
            for batch in batches {
                out.append(
                    "  \(batch.id)  \(batch.name.terminalSafe)  \(batch.lines) lines  imported \(batch.importedAt)\(batch.approvalText)")
            }
        }
        guard !self.groups.isEmpty else { return out.joined(separator: "\n") }
        out.append("")
        let table =
            [["provider", "currency", "state", "lines", "amount"]]
            + self.groups.map { [$0.provider.terminalSafe, $0.currency, $0.state, String($0.lines), $0.amount] }
        out += Self.align(table, rightAligned: [3, 4])
        out.append("")
        let states = LineState.allCases.map { "\($0.rawValue) \(self.states[$0.rawValue] ?? 0)" }
        out.append("lines: \(self.lines) (" + states.joined(separator: ", ") + ")")
        out.append("totals: " + self.sums.keys.sorted().map { "\($0) \(self.sums[$0]!)" }.joined(separator: ", "))
        if let problems, problems.total > 0 {
            out.append("")
            let shown = problems.more > 0 ? " (the first \(problems.shown))" : ""
            out.append("FAILED and UNKNOWN lines: \(problems.total)\(shown)")
            let table =
                [["item", "line", "reference", "provider", "amount", "state", "attempts", "code", "message"]]
                + problems.lines.map { line in
                    // Every field from the file or a provider is escaped: one field, one line, no control sequence.
                    [
                        line.item.map(String.init) ?? "", String(line.line), line.reference.terminalSafe, line.provider.terminalSafe,
                        "\(line.amount) \(line.currency)", line.state, String(line.attempts), (line.lastErrorCode ?? "").terminalSafe,
                        (line.lastErrorMessage ?? "").terminalSafe,
                    ]
                }
            out += Self.align(table, rightAligned: [0, 1, 4, 6])
            if problems.more > 0 {
                out.append("… and \(problems.more) more; every line with its error: \(problems.everyLine)")
            }
        }
        return out.joined(separator: "\n")
    }

    /// Pads the columns of a table to equal widths.
    package static func align(_ rows: [[String]], rightAligned: Set<Int>) -> [String] {
        guard let columns = rows.first?.count else { return [] }
        let widths = (0..<columns).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return rightAligned.contains(column) ? padding + cell : cell + padding
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
    }
}

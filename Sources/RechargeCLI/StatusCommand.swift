import ArgumentParser
import Foundation
import RechargeCore
import RechargeStore

/// `recharge status [BATCH]`: line counts and exact sums by state, provider account and currency; for one batch,
/// also its FAILED and UNKNOWN lines with their reasons.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show line counts and exact sums by state, provider and currency.",
        discussion: """
            For one batch, the FAILED and UNKNOWN lines follow, in file order, each with its last error code and \
            message (the provider's answer, or the engine's own code such as `unresolved`): the first \
            \(StatusReport.problemLimit), and how many more there are. The report lists them all \
            (`recharge report BATCH --format csv --output failed.csv`).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("A batch id or name; all batches when omitted.", valueName: "batch"))
    var batch: String?

    @Flag(name: .long, help: "Print the status as JSON.")
    var json = false

    func run() async throws {
        let database = try self.global.openDatabase(mustExist: true)
        var batchRecord: BatchRecord?
        if let batch {
            batchRecord = try requireBatch(batch, in: database, path: self.global.db)
        }
        let rows = try database.status(batchID: batchRecord?.id)
        var report = StatusReport(batch: batchRecord, batches: batchRecord == nil ? try database.batches() : [], rows: rows)
        if let batchRecord {
            report.problems = StatusReport.Problems(
                batchID: batchRecord.id, try database.problemLines(batchID: batchRecord.id, limit: StatusReport.problemLimit))
        }
        if self.json {
            try Output.json(report)
        } else {
            Output.out(report.text())
        }
    }
}

/// The status of one batch or all: the JSON shape of `status --json` and its text rendering.
struct StatusReport: Encodable {
    struct Batch: Encodable {
        var id: Int64
        var name: String
        var sourceFile: String
        var sha256: String
        var importedAt: String
        var lines: Int

        init(_ record: BatchRecord) {
            self.id = record.id
            self.name = record.name
            self.sourceFile = record.sourceFile
            self.sha256 = record.sourceSHA256
            self.importedAt = record.importedAt
            self.lines = record.lineCount
        }
    }

    struct Group: Encodable {
        var provider: String
        var currency: String
        var state: String
        var lines: Int
        var amount: String
    }

    struct StateTotal: Encodable {
        var lines: Int
        var sums: [String: String]
    }

    /// How many FAILED and UNKNOWN lines `status BATCH` lists; the report has them all.
    static let problemLimit = 50

    /// The FAILED and UNKNOWN lines of one batch: the first ``StatusReport/problemLimit`` and how many more.
    struct Problems: Encodable {
        struct Line: Encodable {
            /// The line's position among the file's records (1..N), and where it is in the file.
            var item: Int?
            var line: Int
            var reference: String
            var remark: String?
            var provider: String
            var amount: String
            var currency: String
            var state: String
            var attempts: Int
            /// The last error code recorded: the provider's answer code, or the engine's own (`unresolved`).
            var lastErrorCode: String?
            var lastErrorMessage: String?
            var providerReference: String?
        }

        var total: Int
        var shown: Int
        var more: Int
        var lines: [Line]
        /// The command that lists every line with its error.
        var everyLine: String

        init(batchID: Int64, _ found: ProblemLines) {
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

    var batch: Batch?
    var batches: [Batch]?
    var lines: Int
    /// Line counts per state, every state present (zero when none).
    var states: [String: Int]
    /// Exact sums per currency over all lines.
    var sums: [String: String]
    var byState: [String: StateTotal]
    var groups: [Group]
    /// For one batch: its FAILED and UNKNOWN lines.
    var problems: Problems?

    init(batch: BatchRecord?, batches: [BatchRecord], rows: [StatusRow]) {
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

    func text() -> String {
        var out: [String] = []
        if let batch {
            out.append(
                "batch \(batch.id) '\(batch.name.terminalSafe)': \(batch.lines) lines from \(batch.sourceFile.terminalSafe), imported \(batch.importedAt)"
            )
        } else if let batches {
            out.append(batches.isEmpty ? "no batches" : "\(batches.count) batches:")
            for batch in batches {
                out.append("  \(batch.id)  \(batch.name.terminalSafe)  \(batch.lines) lines  imported \(batch.importedAt)")
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
    static func align(_ rows: [[String]], rightAligned: Set<Int>) -> [String] {
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

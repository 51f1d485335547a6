import ArgumentParser
import Foundation
import RechargeCore
import RechargeStore

/// `recharge status [BATCH]`: line counts and exact sums by state, provider account and currency.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show line counts and exact sums by state, provider and currency."
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
        let report = StatusReport(batch: batchRecord, batches: batchRecord == nil ? try database.batches() : [], rows: rows)
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

    var batch: Batch?
    var batches: [Batch]?
    var lines: Int
    /// Line counts per state, every state present (zero when none).
    var states: [String: Int]
    /// Exact sums per currency over all lines.
    var sums: [String: String]
    var byState: [String: StateTotal]
    var groups: [Group]

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
            out.append("batch \(batch.id) '\(batch.name)': \(batch.lines) lines from \(batch.sourceFile), imported \(batch.importedAt)")
        } else if let batches {
            out.append(batches.isEmpty ? "no batches" : "\(batches.count) batches:")
            for batch in batches {
                out.append("  \(batch.id)  \(batch.name)  \(batch.lines) lines  imported \(batch.importedAt)")
            }
        }
        guard !self.groups.isEmpty else { return out.joined(separator: "\n") }
        out.append("")
        let table =
            [["provider", "currency", "state", "lines", "amount"]]
            + self.groups.map { [$0.provider, $0.currency, $0.state, String($0.lines), $0.amount] }
        out += Self.align(table, rightAligned: [3, 4])
        out.append("")
        let states = LineState.allCases.map { "\($0.rawValue) \(self.states[$0.rawValue] ?? 0)" }
        out.append("lines: \(self.lines) (" + states.joined(separator: ", ") + ")")
        out.append("totals: " + self.sums.keys.sorted().map { "\($0) \(self.sums[$0]!)" }.joined(separator: ", "))
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

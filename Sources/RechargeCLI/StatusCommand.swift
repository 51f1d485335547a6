import ArgumentParser
import Foundation
import RechargeCore
import RechargeReport
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
        if let location = try self.global.postgresLocation() {
            try await SharedStoreCommands.status(batch: self.batch, json: self.json, location: location, global: self.global)
            return
        }
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

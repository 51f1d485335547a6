import ArgumentParser
import Foundation
import RechargeCore
import RechargeProviders
import RechargeStore

/// `recharge-bench measure-store`: the store calls the runner makes for each line, made back to back from one task:
/// due lines and claims in groups, then one outcome transaction per line. The ceiling the store puts on the engine.
struct StoreRateBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "measure-store",
        abstract: "Time the runner's store calls alone: due lines, claims in groups, one outcome per line.")

    @OptionGroup var options: EngineOptions

    @Option(help: "Lines per claim transaction.")
    var claimSize = 16

    func run() async throws {
        let folder = NSTemporaryDirectory() + "recharge-bench-store-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let csv = folder + "/batch.csv"
        try EngineBatch.writeCSV(
            lines: self.options.lines, linesPerCard: 1, cycle: self.options.cycle, seed: self.options.seed, to: csv)
        let database = try RechargeDatabase(path: folder + "/bench.sqlite")
        guard
            case .imported(let batch, _) = try database.importBatch(
                ImportRequest(path: csv), reader: BatchReader(configuration: .builtInDefault, profiles: .all))
        else { throw EngineBenchError("the generated batch was not imported") }

        var claimed: [ClaimedLine] = []
        var claims = 0
        var dueTime = Duration.zero
        let (_, claimTime) = try measure {
            for account in Set(self.options.cycle).sorted() {
                while true {
                    let (due, time) = try measure {
                        try database.dueLines(account: account, batchID: batch.id, limit: self.claimSize, onePerCard: false, now: Date())
                    }
                    dueTime += time
                    if due.isEmpty { break }
                    claimed += try database.claim(due.map { ($0.id, nil) }, now: Date())
                    claims += 1
                }
            }
        }
        let (_, outcomeTime) = try measure {
            for line in claimed {
                try database.recordOutcome(
                    lineID: line.line.id, attemptNumber: line.attemptNumber, event: .applied, outcome: "applied",
                    providerReference: "R\(line.line.id)", now: Date())
            }
        }
        let lines = Double(claimed.count)
        print(
            String(
                format:
                    "store alone: %d lines; due lines + claims (%d transactions of up to %d): %.2f s (%.2f s in due lines) = %.0f lines/s; "
                    + "outcomes (one transaction each): %.2f s = %.0f transactions/s; together %.0f lines/s",
                claimed.count, claims, self.claimSize, claimTime.seconds, dueTime.seconds, lines / claimTime.seconds, outcomeTime.seconds,
                lines / outcomeTime.seconds, lines / (claimTime + outcomeTime).seconds))
    }
}

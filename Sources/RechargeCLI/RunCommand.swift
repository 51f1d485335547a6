import ArgumentParser
import Foundation
import Logging
import RechargeCore
import RechargeEngine
import RechargeRuns
import RechargeStore
import Synchronization

/// `recharge run [BATCH]`: executes the lines of a batch, or of every batch with work left.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Execute a batch (or every batch with work left): first resolve lines left in flight, then send the due lines.",
        discussion: """
            One runner per database: a second run reports who holds it and exits with 75. SIGINT or SIGTERM stops \
            sending new lines, waits for the requests in flight (at most --stop-grace seconds), records them and exits \
            with 12; the next run resumes. A provider account whose breaker stays open for \
            timeouts.breakerGiveUpSeconds (600) is given up: its unsent lines stay PENDING, the other accounts finish, \
            and the run exits with 12. Exit codes: 0 every line succeeded (or was cancelled); 10 some lines FAILED; \
            11 some lines are UNKNOWN; 12 lines are left to do; 74 the database failed; 75 another runner holds the \
            database; 78 configuration error.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The batch id or name; without it, every batch with work left.", valueName: "batch"))
    var batch: String?

    @OptionGroup var execution: RunOptions

    func run() async throws {
        let started = ContinuousClock.now
        let logger = self.execution.logger()
        let configuration = try self.global.loadConfiguration()
        let metricsPath = self.execution.metricsPath(configuration)
        if let location = try self.global.postgresLocation() {
            let ended: (code: Int32, rows: [StatusRow])
            do {
                ended = try await SharedStoreCommands.run(
                    batch: self.batch, location: location, configuration: configuration, options: self.execution, logger: logger,
                    global: self.global)
            } catch let failure as RechargeFailure {
                MetricsFile.record(to: metricsPath, command: "run", exitCode: failure.exitCode, started: started, rows: [])
                throw failure
            }
            MetricsFile.record(to: metricsPath, command: "run", exitCode: ended.code, started: started, rows: ended.rows)
            if ended.code != 0 { throw ExitCode(ended.code) }
            return
        }
        let database: RechargeDatabase
        do {
            database = try self.global.openDatabase(mustExist: true)
        } catch let failure as RechargeFailure {
            MetricsFile.record(to: metricsPath, command: "run", exitCode: failure.exitCode, started: started, batchIDs: [], database: nil)
            throw failure
        }
        var batchRecord: BatchRecord?
        if let batch {
            let record = try requireBatch(batch, in: database, path: self.global.db)
            if record.approvalState == .awaitingApproval {
                let failure = RechargeFailure(exitCode: .awaitingApproval, message: "nothing sent: " + ApprovalText.awaiting(record))
                MetricsFile.record(
                    to: metricsPath, command: "run", exitCode: failure.exitCode, started: started, batchIDs: [record.id], database: database
                )
                throw failure
            }
            batchRecord = record
        }
        let service = RunService(
            context: self.execution.context(database: database, configuration: configuration, logger: logger), batchID: batchRecord?.id)
        let result: RunResult
        do {
            result = try await Self.execute(service, logger: logger)
        } catch let failure as RechargeFailure {
            MetricsFile.record(
                to: metricsPath, command: "run", exitCode: failure.exitCode, started: started, batchIDs: batchRecord.map { [$0.id] } ?? [],
                database: database)
            throw failure
        }
        var code = try RunSummary.report(result, database: database, to: .standard).rawValue
        if batchRecord == nil {
            // Batches waiting for a person were left alone; the run says so, and a run that did everything else exits 14.
            let waiting = try database.batchesAwaitingApproval()
            for batch in waiting { Output.err("not run: " + ApprovalText.awaiting(batch)) }
            if code == 0 && !waiting.isEmpty { code = RechargeExit.awaitingApproval.rawValue }
        }
        MetricsFile.record(to: metricsPath, command: "run", exitCode: code, started: started, batchIDs: result.batchIDs, database: database)
        if code != 0 { throw ExitCode(code) }
    }

    /// Runs `service` until its run ends, SIGINT and SIGTERM stopping it gracefully; returns how it ended.
    static func execute(_ service: RunService, logger: Logger) async throws -> RunResult {
        try await Lifecycle.run(service, stopNotice: RunOptions.stopNotice, logger: logger)
        guard let result = service.result else {
            throw RechargeFailure(exitCode: .ioError, message: "the run ended without a result")
        }
        return result
    }
}

/// The process's logging on standard error: plain lines, or JSON lines with `--log-format json`.
enum RechargeLogging {
    static func logger(verbose: Bool, format: LogFormat = .text) -> Logger {
        let level: Logger.Level = verbose ? .debug : .notice
        if format == .json { Output.jsonStandardError.withLock { $0 = true } }
        LoggingSystem.bootstrap { label in
            switch format {
            case .text:
                var handler = EscapingLogHandler(wrapped: StreamLogHandler.standardError(label: label))
                handler.logLevel = level
                return handler
            case .json:
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
        return Logger(label: "recharge")
    }
}

import ArgumentParser
import Foundation
import Logging
import RechargeCore
import RechargeEngine
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
            with 12; the next run resumes. Exit codes: 0 every line succeeded (or was cancelled); 10 some lines FAILED; \
            11 some lines are UNKNOWN; 12 lines are left to do; 74 the database failed; 75 another runner holds the \
            database; 78 configuration error.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The batch id or name; without it, every batch with work left.", valueName: "batch"))
    var batch: String?

    @Option(help: "How progress is shown on standard error: auto (live on a terminal, log lines otherwise), live, log, none.")
    var progress: ProgressStyle = .automatic

    @Option(name: .customLong("max-in-flight"), help: "At most this many requests in flight over all provider accounts.")
    var maxInFlight = 128

    @Option(
        name: .customLong("stop-grace"),
        help: "After SIGINT/SIGTERM, how many seconds requests in flight may take (default: timeouts.stopGraceSeconds, 20).")
    var stopGrace: Int?

    @Flag(help: "Log every line transition (debug level).") var verbose = false

    @Option(name: .customLong("log-format"), help: "Log records on standard error as text (default) or json (one object per line).")
    var logFormat: LogFormat = .text

    @Option(
        name: .customLong("metrics-file"),
        help: ArgumentHelp("Write Prometheus metrics here at the end (default: the configuration's paths.metricsFile).", valueName: "path"))
    var metricsFile: String?

    func run() async throws {
        let started = ContinuousClock.now
        let logger = RechargeLogging.logger(verbose: self.verbose, format: self.logFormat)
        let configuration = try self.global.loadConfiguration()
        let metricsPath = self.metricsFile ?? configuration.paths.metricsFile
        let database: RechargeDatabase
        do {
            database = try self.global.openDatabase(mustExist: true)
        } catch let failure as CommandFailure {
            MetricsFile.record(to: metricsPath, command: "run", exitCode: failure.exitCode, started: started, batchIDs: [], database: nil)
            throw failure
        }
        var batchRecord: BatchRecord?
        if let batch {
            batchRecord = try database.batch(batch)
            guard batchRecord != nil else {
                throw CommandFailure(exitCode: RechargeExit.dataError.rawValue, message: "no batch '\(batch)' in \(self.global.db)")
            }
        }
        var policy = ExecutionPolicy(configuration: configuration)
        policy.globalMaxInFlight = max(1, self.maxInFlight)
        if let stopGrace { policy.stopGrace = .seconds(max(0, stopGrace)) }
        let session = RunSession(
            database: database, configuration: configuration, databasePath: self.global.db, policy: policy, progressStyle: self.progress,
            logger: logger)
        let outcome: RunSession.Outcome
        do {
            outcome = try await session.runForOutcome(batch: batchRecord)
        } catch let failure as CommandFailure {
            MetricsFile.record(
                to: metricsPath, command: "run", exitCode: failure.exitCode, started: started, batchIDs: batchRecord.map { [$0.id] } ?? [],
                database: database)
            throw failure
        }
        MetricsFile.record(
            to: metricsPath, command: "run", exitCode: outcome.code, started: started, batchIDs: outcome.batchIDs, database: database)
        if outcome.code != 0 { throw ExitCode(outcome.code) }
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
                var handler = StreamLogHandler.standardError(label: label)
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

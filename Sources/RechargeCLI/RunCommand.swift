import ArgumentParser
import Foundation
import Logging
import RechargeEngine
import RechargeStore

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

    func run() async throws {
        let configuration = try self.global.loadConfiguration()
        let database = try self.global.openDatabase(mustExist: true)
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
            logger: RechargeLogging.logger(verbose: self.verbose))
        let code = try await session.run(batch: batchRecord)
        if code != 0 { throw ExitCode(code) }
    }
}

/// The process's logging: plain lines on standard error.
enum RechargeLogging {
    static func logger(verbose: Bool) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = verbose ? .debug : .notice
            return handler
        }
        return Logger(label: "recharge")
    }
}

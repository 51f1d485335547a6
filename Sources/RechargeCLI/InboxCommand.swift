import ArgumentParser
import Foundation
import Logging
import RechargeCore
import RechargeEngine
import RechargeProviders
import RechargeRuns
import RechargeStore

/// `recharge inbox DIR`: the unattended (nightly) way in: every complete new file of `DIR/incoming` is imported,
/// run, reported and moved to `DIR/processed` (or, if invalid, to `DIR/rejected` with its errors beside it).
struct InboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbox",
        abstract: "Import, run and report every complete new file of DIR/incoming, oldest first; file each away.",
        discussion: """
            First resumes any batch an earlier run left unfinished. Then, for each complete file of incoming/ (names \
            ending .part or .tmp, or starting with '.', are skipped, and so is a file whose size or time changed during \
            --settle-ms): import it (content already imported is not imported again; its batch is resumed if it has \
            work), run it, write its reports (html, csv, json) to reports/, and move it to processed/. An invalid file \
            goes to rejected/ with NAME.errors.txt beside it. Running it again is harmless. SIGINT/SIGTERM stop the run \
            as in `recharge run`; the file stays in incoming/ and the next pass resumes it. Exit code: the most urgent \
            over all files: 78 › 74 › 75 › 12 › 11 › 65 (a file was rejected) › 10 › 0.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The inbox folder, holding incoming/ (default: the configuration's paths.inbox).", valueName: "dir"))
    var directory: String?

    @Option(
        name: .customLong("settle-ms"),
        help:
            "How long a file's size and time must stay unchanged before it counts as complete (default: timeouts.inboxSettleMilliseconds, 2000)."
    )
    var settleMilliseconds: Int?

    @Option(
        name: .customLong("reports"), help: ArgumentHelp("Where reports go (default: paths.reports, else DIR/reports).", valueName: "dir"))
    var reports: String?

    @OptionGroup var execution: RunOptions

    func run() async throws {
        let started = ContinuousClock.now
        let logger = self.execution.logger()
        let configuration = try self.global.loadConfiguration()
        let metricsPath = self.execution.metricsPath(configuration)
        guard let directory = self.directory ?? configuration.paths.inbox else {
            throw ValidationError("give the inbox folder, or set paths.inbox in the configuration")
        }
        let database: RechargeDatabase
        do {
            database = try self.global.openDatabase()
        } catch let failure as RechargeFailure {
            MetricsFile.record(to: metricsPath, command: "inbox", exitCode: failure.exitCode, started: started, batchIDs: [], database: nil)
            throw failure
        }
        let settle = self.settleMilliseconds ?? configuration.timeouts.inboxSettleMilliseconds
        let pass = InboxPass(
            folder: InboxFolder(root: directory, reports: self.reports ?? configuration.paths.reports),
            reader: BatchReader(configuration: configuration, profiles: .all, control: ControlTotals(), diagnosticLimit: 1_000),
            context: self.execution.context(database: database, configuration: configuration, logger: logger),
            settle: .milliseconds(max(0, settle)), messages: .standard)
        let service = InboxService(pass: pass)
        let summary: InboxPass.Summary
        do {
            try await Lifecycle.run(
                service, stopNotice: "no new lines or files are started; waiting for the requests in flight", logger: logger)
            guard let finished = service.summary else {
                throw RechargeFailure(exitCode: .ioError, message: "the inbox pass ended without a summary")
            }
            summary = finished
        } catch let failure as RechargeFailure {
            MetricsFile.record(
                to: metricsPath, command: "inbox", exitCode: failure.exitCode, started: started, batchIDs: [], database: database)
            throw failure
        }
        MetricsFile.record(
            to: metricsPath, command: "inbox", exitCode: summary.exitCode, started: started, batchIDs: summary.batchIDs, database: database,
            files: summary.fileCounts)
        Output.out("inbox: \(summary.files.count) step(s); exit \(summary.exitCode)")
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }
}

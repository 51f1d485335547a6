import ArgumentParser
import Logging
import RechargeCore
import RechargeEngine
import RechargeRuns
import RechargeStore

/// The options of every command that executes lines (`run`, `inbox`): progress, limits, stopping, logs, metrics.
struct RunOptions: ParsableArguments {
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

    /// The configuration's policy with this command line's limits on top.
    func policy(_ configuration: RechargeConfiguration) -> ExecutionPolicy {
        var policy = ExecutionPolicy(configuration: configuration)
        policy.globalMaxInFlight = max(1, self.maxInFlight)
        if let stopGrace { policy.stopGrace = .seconds(max(0, stopGrace)) }
        return policy
    }

    /// What the command's runs share: this command line's policy, and the progress display it asked for.
    func context(database: RechargeDatabase, configuration: RechargeConfiguration, logger: Logger) -> RunContext {
        let style = self.progress
        return RunContext(
            database: database, configuration: configuration, policy: self.policy(configuration), logger: logger,
            watch: { await ProgressDisplay(style: style).show($0) })
    }

    /// The notice logged when a signal stops a run: `SIGTERM received: …`.
    static let stopNotice = "no new lines are sent; waiting for the requests in flight"

    func logger() -> Logger { RechargeLogging.logger(verbose: self.verbose, format: self.logFormat) }

    func metricsPath(_ configuration: RechargeConfiguration) -> String? { self.metricsFile ?? configuration.paths.metricsFile }
}

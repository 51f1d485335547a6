import ArgumentParser
import Foundation
import Prometheus
import RechargeCore
import RechargeEngine
import RechargeReport
import RechargeRuns
import RechargeStore

/// The Prometheus text-format file written at the end of `recharge run` and `recharge inbox`, for node_exporter's
/// textfile collector (or any scraper of files), rendered by the same swift-prometheus registry as the console's
/// `/metrics` (``StoreMetrics``): the lines and sums of the batches the run touched, beside the run's own gauges.
///
/// `recharge_last_success_timestamp_seconds` is the end of the last run that finished its work — exit 0, 10, 11, or
/// for `inbox` 65 — and is carried over from the previous file when this run did not; alert on its age to catch a
/// nightly run that did not happen or did not finish.
struct MetricsFile {
    var command: String
    var exitCode: Int32
    var duration: Duration
    var finishedAt: Date
    /// The status rows of the batches the run touched.
    var rows: [StatusRow]
    /// `recharge inbox` only: files processed and rejected in this pass.
    var files: [String: Int] = [:]

    /// Whether `code` means the run finished its work (some lines may still need an operator): 0, 10, 11, and for
    /// `inbox` 65 (a file was rejected, the others were done). A `run` that exits 65 did nothing.
    static func finishedItsWork(_ code: Int32, command: String) -> Bool {
        [0, 10, 11].contains(code) || (command == "inbox" && code == 65)
    }

    /// The rows of `batchIDs` (each batch once).
    static func rows(batchIDs: [Int64], database: RechargeDatabase) -> [StatusRow] {
        var seen: Set<Int64> = []
        var rows: [StatusRow] = []
        for id in batchIDs where seen.insert(id).inserted {
            rows += (try? database.status(batchID: id)) ?? []
        }
        return rows
    }

    /// The file's text; `previousSuccess` is the last success timestamp of the file being replaced, if any.
    func render(previousSuccess: Double?) -> String {
        let metrics = StoreMetrics()
        metrics.record(self.rows)
        let registry = metrics.registry
        for (outcome, count) in self.files {
            registry.makeGauge(
                name: "recharge_inbox_files", labels: [("outcome", outcome)], help: "Files the last inbox pass handled, by outcome."
            ).set(Double(count))
        }
        registry.makeGauge(name: "recharge_run_duration_seconds", labels: [("command", self.command)], help: "How long the last run took.")
            .set(self.duration.timeInterval)
        registry.makeGauge(
            name: "recharge_exit_code", labels: [("command", self.command)],
            help:
                "The exit code of the last run (0 done, 10 failed lines, 11 unknown lines, 12 unfinished, 14 awaiting approval, 65 rejected file, 74 I/O, 75 lease held, 78 configuration)."
        ).set(Double(self.exitCode))
        let finished = self.finishedAt.timeIntervalSince1970
        registry.makeGauge(name: "recharge_last_run_timestamp_seconds", help: "When the last run ended, in Unix seconds.").set(finished)
        if let success = Self.finishedItsWork(self.exitCode, command: self.command) ? finished : previousSuccess {
            registry.makeGauge(
                name: "recharge_last_success_timestamp_seconds",
                help: "When the last run that finished its work (exit 0, 10, 11, or 65 for inbox) ended, in Unix seconds."
            ).set(success)
        }
        return metrics.text()
    }

    /// Writes the file atomically (a temporary file beside it, fsync, rename), readable by the collector, carrying
    /// over the last success.
    /// - Throws: ``RechargeFailure`` (74) when it cannot be written.
    func write(to path: String) throws {
        let previous = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap(Self.lastSuccess(in:))
        do {
            try AtomicFile.write(self.render(previousSuccess: previous), to: path, permissions: 0o644)
        } catch let error as ReportError {
            throw RechargeFailure(exitCode: RechargeExit.ioError, message: error.message)
        }
    }

    static func lastSuccess(in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix("recharge_last_success_timestamp_seconds ") {
            return Double(line.split(separator: " ").last ?? "")
        }
        return nil
    }
}

extension MetricsFile {
    /// Writes the metrics of a run that ended with `exitCode` to `path`, if one is configured; a failure to write
    /// is reported on standard error and does not change the run's exit code (the file's age shows it).
    static func record(
        to path: String?, command: String, exitCode: Int32, started: ContinuousClock.Instant, batchIDs: [Int64],
        database: RechargeDatabase?, files: [String: Int] = [:]
    ) {
        guard path != nil else { return }
        let rows = database.map { Self.rows(batchIDs: batchIDs, database: $0) } ?? []
        Self.record(to: path, command: command, exitCode: exitCode, started: started, rows: rows, files: files)
    }

    /// As above, with the status rows of the batches already read (a shared store's).
    static func record(
        to path: String?, command: String, exitCode: Int32, started: ContinuousClock.Instant, rows: [StatusRow],
        files: [String: Int] = [:]
    ) {
        guard let path else { return }
        let metrics = MetricsFile(
            command: command, exitCode: exitCode, duration: ContinuousClock.now - started, finishedAt: Date(), rows: rows, files: files)
        do {
            try metrics.write(to: path)
        } catch let failure as RechargeFailure {
            Output.err("recharge: error: metrics: \(failure.message)")
        } catch {
            Output.err("recharge: error: metrics: \(error)")
        }
    }
}

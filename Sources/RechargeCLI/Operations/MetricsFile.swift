import ArgumentParser
import Foundation
import RechargeCore
import RechargeEngine
import RechargeRuns
import RechargeStore

#if canImport(Glibc)
import Glibc
#endif

/// The Prometheus text-format file written at the end of `recharge run` and `recharge inbox`, for node_exporter's
/// textfile collector (or any scraper of files).
///
/// Money: Prometheus values are floats, so exact decimals cannot be exported as such. Sums are exported as whole
/// minor units of their currency (cents for USD, yen for JPY, fils for BHD) with a `currency` label: exact up to
/// 2^53 minor units. Divide by 10^exponent of the currency to show major units.
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

    /// Exit codes that mean the run finished its work (some lines may still need an operator).
    static let finishedCodes: Set<Int32> = [0, 10, 11, 65]

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
        var out = ""
        func family(_ name: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
        }
        func sample(_ name: String, _ labels: [(String, String)], _ value: String) {
            let rendered = labels.isEmpty ? "" : "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
            out += "\(name)\(rendered) \(value)\n"
        }
        var counts: [String: [String: Int]] = [:]
        var sums: [String: Int64] = [:]
        for row in self.rows {
            counts[row.account, default: [:]][row.state.rawValue, default: 0] += row.count
            sums["\(row.account)\u{0}\(row.currency)\u{0}\(row.state.rawValue)", default: 0] += row.sumMinor
        }
        family("recharge_lines", "Lines of the batches the last run touched, by provider account and state.")
        for account in counts.keys.sorted() {
            for state in LineState.allCases {
                sample("recharge_lines", [("account", account), ("state", state.rawValue)], String(counts[account]?[state.rawValue] ?? 0))
            }
        }
        family(
            "recharge_amount_minor_units",
            "Sum of those lines' amounts in whole minor units of the currency (cents, yen…), by account, currency and state.")
        for key in sums.keys.sorted() {
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
            sample("recharge_amount_minor_units", [("account", parts[0]), ("currency", parts[1]), ("state", parts[2])], String(sums[key]!))
        }
        if !self.files.isEmpty {
            family("recharge_inbox_files", "Files the last inbox pass handled, by outcome.")
            for outcome in self.files.keys.sorted() { sample("recharge_inbox_files", [("outcome", outcome)], String(self.files[outcome]!)) }
        }
        let finished = Self.seconds(self.finishedAt)
        family("recharge_run_duration_seconds", "How long the last run took.")
        sample("recharge_run_duration_seconds", [("command", self.command)], Self.decimal(self.duration.timeInterval))
        family(
            "recharge_exit_code",
            "The exit code of the last run (0 done, 10 failed lines, 11 unknown lines, 12 unfinished, 65 rejected file, 74 I/O, 75 lease held, 78 configuration)."
        )
        sample("recharge_exit_code", [("command", self.command)], String(self.exitCode))
        family("recharge_last_run_timestamp_seconds", "When the last run ended, in Unix seconds.")
        sample("recharge_last_run_timestamp_seconds", [], Self.decimal(finished))
        let success = Self.finishedCodes.contains(self.exitCode) ? finished : previousSuccess
        if let success {
            family(
                "recharge_last_success_timestamp_seconds",
                "When the last run that finished its work (exit 0, 10, 11 or 65) ended, in Unix seconds.")
            sample("recharge_last_success_timestamp_seconds", [], Self.decimal(success))
        }
        return out
    }

    /// Writes the file atomically (a temporary file beside it, fsync, rename), carrying over the last success.
    /// - Throws: ``RechargeFailure`` (74) when it cannot be written.
    func write(to path: String) throws {
        let previous = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap(Self.lastSuccess(in:))
        let data = Data(self.render(previousSuccess: previous).utf8)
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw RechargeFailure(
                exitCode: RechargeExit.ioError, message: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        let written = data.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(descriptor) == 0, close(descriptor) == 0, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw RechargeFailure(exitCode: RechargeExit.ioError, message: "cannot write \(path): \(reason)")
        }
    }

    static func lastSuccess(in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix("recharge_last_success_timestamp_seconds ") {
            return Double(line.split(separator: " ").last ?? "")
        }
        return nil
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(
            of: "\n", with: "\\n")
    }

    static func seconds(_ date: Date) -> Double { date.timeIntervalSince1970 }

    static func decimal(_ value: Double) -> String { String(format: "%.3f", value) }
}

extension MetricsFile {
    /// Writes the metrics of a run that ended with `exitCode` to `path`, if one is configured; a failure to write
    /// is reported on standard error and does not change the run's exit code (the file's age shows it).
    static func record(
        to path: String?, command: String, exitCode: Int32, started: ContinuousClock.Instant, batchIDs: [Int64],
        database: RechargeDatabase?, files: [String: Int] = [:]
    ) {
        guard let path else { return }
        let rows = database.map { Self.rows(batchIDs: batchIDs, database: $0) } ?? []
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

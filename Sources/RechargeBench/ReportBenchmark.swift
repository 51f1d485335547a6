import ArgumentParser
import Foundation
import GRDB
import RechargeCore
import RechargeProviders
import RechargeReport
import RechargeStore

#if canImport(Glibc)
import Glibc
#endif

/// `recharge-bench report`: imports a generated batch, settles its lines in assorted states, and times the
/// reconciliation report in CSV, JSON and HTML.
struct ReportBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Time the reconciliation report (CSV, JSON, HTML) of a generated batch (1,000,000 lines by default)."
    )

    @Option(name: .long, help: "The number of lines in the batch.")
    var lines: Int = 1_000_000

    @Option(name: .long, help: "Where to write the batch, database and reports (default: a new temporary folder).")
    var workdir: String?

    @Flag(name: .long, help: "Keep the generated files, database and reports.")
    var keep = false

    func run() async throws {
        let folder = self.workdir ?? NSTemporaryDirectory() + "recharge-bench-report-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { if !self.keep { try? FileManager.default.removeItem(atPath: folder) } }

        print("report benchmark: the reconciliation report of a generated \(self.lines)-line batch (release build recommended)")
        let file = "\(folder)/batch-\(self.lines).csv"
        let path = "\(folder)/report-bench.sqlite"
        try? FileManager.default.removeItem(atPath: path)
        let (_, setup) = try measure { () throws -> Void in
            try BatchFileGenerator.writeCSV(lines: self.lines, to: file)
            let database = try RechargeDatabase(path: path)
            guard
                case .imported = try database.importBatch(
                    ImportRequest(path: file), reader: BatchReader(configuration: .builtInDefault, profiles: .all))
            else { throw ValidationError("the generated batch did not import") }
            try ReportSetup.settle(path: path, database: database)
        }
        print(String(format: "setup: generate, import and settle in %.1f s", setup.seconds))
        print("setup settles lines with direct SQL UPDATEs (through PROCESSING, as the state trigger requires), not the engine:")
        print("  60% SUCCESS (HyperCard's with credited = amount less a 1% fee), 10% FAILED, 5% UNKNOWN, 10% CANCELLED,")
        print("  5% PROCESSING, 10% PENDING; then 100 operator resolutions and 100 mismatches through the store's API")
        print("each report is written by a fresh child process; peak RSS is its VmHWM, that report's own")
        print("format   seconds   lines/s          size  peak RSS")
        for format in [ReportFormat.csv, .json, .html] {
            let output = "\(folder)/report.\(format.rawValue)"
            let figures = try ChildMeasurement.run(
                ["report", "--db", path, "--format", format.rawValue, "--output", output], command: "measure-report")
            let size = (try FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
            let name = format.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)
            print(
                name
                    + String(
                        format: "  %7.2f  %8.0f  %9.1f MB  %@", figures.seconds, Double(figures.lines) / figures.seconds,
                        Double(size) / 1_000_000, ResourceUsage.megabytes(figures.peakResidentBytes) as NSString))
        }
    }
}

/// `recharge-bench measure-report`: one report in this process, for the parent to time.
struct MeasureReport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "measure-report", abstract: "Write one report and print its figures (used by `report`).", shouldDisplay: false)

    @Argument var operation: String
    @Option var db: String
    @Option var format: String
    @Option var output: String

    func run() async throws {
        guard let format = ReportFormat(rawValue: self.format) else { throw ValidationError("unknown format \(self.format)") }
        let database = try RechargeDatabase(path: self.db, mustExist: true)
        guard let batch = try database.batch(id: 1) else { throw ValidationError("no batch 1 in \(self.db)") }
        let descriptor = open(self.output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw ValidationError("cannot write \(self.output)") }
        defer { close(descriptor) }
        let (_, time) = try measure {
            try ReconciliationReport.write(batchID: batch.id, from: database, format: format, to: ReportOutput(fileDescriptor: descriptor))
        }
        print("RESULT lines=\(batch.lineCount) seconds=\(time.seconds) peak=\(ResourceUsage.highWaterResidentBytes())")
    }
}

/// Puts a freshly imported batch into assorted final states quickly, for the report benchmark only.
enum ReportSetup {
    static func settle(path: String, database: RechargeDatabase) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            let sent = "2026-11-22T04:31:00.000Z"
            let done = "2026-11-22T04:31:02.000Z"
            // Everything but the lines to stay PENDING or be CANCELLED is claimed (PENDING → PROCESSING).
            try db.execute(
                sql: """
                    UPDATE line SET state = 'PROCESSING', idempotency_key = 'bench-' || id, attempts = 1, first_sent_at = ?
                    WHERE batch_id = 1 AND ((id / 5) % 20 < 15 OR (id / 5) % 20 = 17)
                    """,
                arguments: [sent])
            try db.execute(
                sql: """
                    UPDATE line SET
                        state = CASE WHEN (id / 5) % 20 < 12 THEN 'SUCCESS' WHEN (id / 5) % 20 < 14 THEN 'FAILED' ELSE 'UNKNOWN' END,
                        provider_reference = CASE WHEN (id / 5) % 20 < 12 THEN 'PR-' || id END,
                        last_error_code = CASE WHEN (id / 5) % 20 >= 12 THEN CASE WHEN (id / 5) % 20 < 14 THEN '1005' ELSE 'timeout' END END,
                        last_error_message = CASE WHEN (id / 5) % 20 >= 12 AND (id / 5) % 20 < 14 THEN 'Card frozen, contact issuer' END,
                        completed_at = ?
                    WHERE batch_id = 1 AND state = 'PROCESSING' AND (id / 5) % 20 < 15
                    """,
                arguments: [done])
            try db.execute(
                sql: """
                    UPDATE line SET credited_minor = amount_minor - amount_minor / 100, credited_currency = currency,
                        fee_minor = amount_minor / 100, fee_currency = currency
                    WHERE batch_id = 1 AND state = 'SUCCESS' AND account = 'hypercard'
                    """)
            try db.execute(
                sql:
                    "UPDATE line SET state = 'CANCELLED', completed_at = ? WHERE batch_id = 1 AND state = 'PENDING' AND (id / 5) % 20 IN (15, 16)",
                arguments: [done])
        }
        let (unknown, success) = try queue.read { db in
            (
                try Int.fetchAll(db, sql: "SELECT line_number FROM line WHERE batch_id = 1 AND state = 'UNKNOWN' ORDER BY id LIMIT 100"),
                try Int64.fetchAll(db, sql: "SELECT id FROM line WHERE batch_id = 1 AND state = 'SUCCESS' ORDER BY id LIMIT 100")
            )
        }
        try queue.close()
        for lineNumber in unknown {
            try database.resolveUnknown(
                batchID: 1, lineNumber: lineNumber, succeeded: lineNumber % 2 == 0, note: "provider portal checked", actor: "operator:bench"
            )
        }
        for lineID in success {
            try database.recordMismatch(lineID: lineID, kind: "amount", detail: "provider statement differs")
        }
    }
}

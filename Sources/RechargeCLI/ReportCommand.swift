import ArgumentParser
import Foundation
import RechargeReport
import RechargeStore

#if canImport(Glibc)
import Glibc
#endif

/// `recharge report BATCH [--format csv|json|html|text] [--output PATH]`: the reconciliation report of a batch.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the reconciliation report of a batch: totals that add up, discrepancies, every line.",
        discussion: """
            Formats: text (default: a short summary for the terminal), csv, json, html (one self-contained page). \
            Without --format, the extension of --output chooses (.csv, .json, .html). Card ids are masked to their \
            last four characters. See docs/report.md.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("A batch id or name.", valueName: "batch"))
    var batch: String

    @Option(name: .long, help: "The format: csv, json, html or text.")
    var format: ReportFormat?

    @Option(name: .long, help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "path"))
    var output: String?

    func run() async throws {
        let format = self.format ?? self.output.flatMap { ReportFormat(fileName: $0) } ?? .text
        let database = try self.global.openDatabase(mustExist: true)
        let batch = try requireBatch(self.batch, in: database, path: self.global.db)
        guard let output else {
            try Self.write(batch: batch, database: database, format: format, to: ReportOutput(fileDescriptor: STDOUT_FILENO))
            return
        }
        try Self.writeFile(batch: batch, database: database, format: format, path: output)
        Output.err("batch \(batch.id) '\(batch.name)': \(format.rawValue) report written to \(output)")
    }

    /// Writes a report file next to its target and renames it into place, so a reader never sees half a report.
    static func writeFile(batch: BatchRecord, database: RechargeDatabase, format: ReportFormat, path output: String) throws {
        let temporary = output + ".partial-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else {
            throw CommandFailure(
                exitCode: RechargeExit.ioError.rawValue, message: "cannot write \(output): \(String(cString: strerror(errno)))")
        }
        do {
            try Self.write(batch: batch, database: database, format: format, to: ReportOutput(fileDescriptor: descriptor))
            guard fsync(descriptor) == 0, close(descriptor) == 0, rename(temporary, output) == 0 else {
                throw CommandFailure(
                    exitCode: RechargeExit.ioError.rawValue, message: "cannot write \(output): \(String(cString: strerror(errno)))")
            }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
    }

    private static func write(batch: BatchRecord, database: RechargeDatabase, format: ReportFormat, to output: ReportOutput) throws {
        do {
            try ReconciliationReport.write(batchID: batch.id, from: database, format: format, to: output)
        } catch let error as ReportError {
            throw CommandFailure(exitCode: RechargeExit.ioError.rawValue, message: error.message)
        } catch let error as StoreError {
            throw CommandFailure(exitCode: RechargeExit.ioError.rawValue, message: error.message)
        }
    }
}

extension ReportFormat: ExpressibleByArgument {}

import ArgumentParser
import Foundation
import RechargeCore
import RechargeReport
import RechargeRuns
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
            Without --format, the extension of --output chooses (\(ReportFormat.extensionList)); another extension is \
            refused, and so is a --format the extension contradicts. Card ids are masked to their last four \
            characters. The HTML, CSV and text reports end with a sign-off block carrying their own SHA-256. See \
            docs/report.md.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("A batch id or name.", valueName: "batch"))
    var batch: String

    @Option(name: .long, help: "The format: csv, json, html or text.")
    var format: ReportFormat?

    @Option(name: .long, help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "path"))
    var output: String?

    func validate() throws {
        _ = try Self.format(given: self.format, output: self.output)
    }

    /// The format to write: `--format` when given, else the one `--output`'s extension names, else text.
    ///
    /// - Throws: `ValidationError` (exit 64) for an output extension that names no format, or one that names
    ///   another format than `--format`: a file called `.xlsx` or `.pdf` holding text would mislead whoever opens it.
    static func format(given: ReportFormat?, output: String?) throws -> ReportFormat {
        guard let output else { return given ?? .text }
        let fileExtension = URL(fileURLWithPath: output).pathExtension
        guard let inferred = ReportFormat(fileName: output) else {
            let shown = fileExtension.isEmpty ? "no extension" : "the extension .\(fileExtension.terminalSafe)"
            throw ValidationError(
                "--output \(output.terminalSafe) has \(shown); a report is written as \(ReportFormat.extensionList) "
                    + "(the extension chooses the format)")
        }
        if let given, given != inferred {
            throw ValidationError(
                "--format \(given.rawValue) contradicts --output \(output.terminalSafe), whose extension .\(fileExtension.terminalSafe) "
                    + "means \(inferred.rawValue); name the file .\(given.fileExtension) or leave out --format")
        }
        return inferred
    }

    func run() async throws {
        let format = try Self.format(given: self.format, output: self.output)
        let database = try self.global.openDatabase(mustExist: true)
        let batch = try requireBatch(self.batch, in: database, path: self.global.db)
        guard let output else {
            try Self.write(batch: batch, database: database, format: format, to: ReportOutput(fileDescriptor: STDOUT_FILENO))
            return
        }
        try ReportFiles.write(batchID: batch.id, database: database, format: format, path: output)
        Output.err("batch \(batch.id) '\(batch.name)': \(format.rawValue) report written to \(output)")
    }

    private static func write(batch: BatchRecord, database: RechargeDatabase, format: ReportFormat, to output: ReportOutput) throws {
        do {
            try ReconciliationReport.write(batchID: batch.id, from: database, format: format, to: output)
        } catch let error as ReportError {
            throw RechargeFailure(exitCode: RechargeExit.ioError, message: error.message)
        } catch let error as StoreError {
            throw RechargeFailure(exitCode: RechargeExit.ioError, message: error.message)
        }
    }
}

extension ReportFormat: ExpressibleByArgument {
    /// The extension a file of this format is given.
    var fileExtension: String {
        switch self {
        case .csv: "csv"
        case .json: "json"
        case .html: "html"
        case .text: "txt"
        }
    }

    /// The extensions `--output` accepts, for messages.
    static let extensionList = ".html (or .htm), .csv, .json, .txt"
}

import ArgumentParser
import Foundation
import RechargeCore
import RechargeRuns
import RechargeStore

/// `recharge import FILE`: validates and stores a batch in one transaction, printing its id.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Validate and store a batch; print its id.",
        discussion: """
            All lines are stored or none: a file with any error stores nothing. The same file content, or the same \
            batch name, imported twice is refused unless --force is given. The batch id goes to standard output, \
            the summary and any problems to standard error.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var file: BatchFileOptions

    @Option(
        name: .long,
        help:
            "The batch name (defaults to the file's batch.name, else the file name). A name given here or as the file's batch.reference/batch.name may be imported once, unless --force."
    )
    var name: String?

    @Flag(name: .long, help: "Import even if the same content or batch name was imported before.")
    var force = false

    func run() async throws {
        let configuration = try self.global.loadConfiguration()
        let reader = try self.file.reader(configuration: configuration)
        if let name, let problem = BatchName.problem(name) {
            throw ValidationError("--name: \(problem)")
        }
        guard FileManager.default.fileExists(atPath: self.file.file) else {
            throw RechargeFailure(exitCode: RechargeExit.noInput, message: "\(self.file.file.terminalSafe): no such file")
        }
        let request = ImportRequest(
            path: self.file.file, format: self.file.format, name: self.name, force: self.force, uploadedBy: operatorName(),
            approval: configuration.approval)
        let location = try self.global.postgresLocation()
        let database = location == nil ? try self.global.openDatabase() : nil
        let outcome: ImportOutcome
        do {
            if let location {
                outcome = try await SharedStoreCommands.importBatch(request, reader: reader, location: location, global: self.global)
            } else {
                outcome = try database!.importBatch(request, reader: reader)
            }
        } catch let failure as RechargeFailure {
            throw failure
        } catch let error as BatchInputError {
            throw readFailure(error)
        } catch let error as StoreError where error.code == .invalidName {
            throw RechargeFailure(exitCode: RechargeExit.dataError, message: "\(self.file.file.terminalSafe): \(error.message)")
        } catch {
            throw RechargeFailure(exitCode: RechargeExit.ioError, message: "import failed, nothing stored: \(error)")
        }
        switch outcome {
        case .imported(let batch, let result):
            let diagnostics = result.diagnostics.render()
            if !diagnostics.isEmpty { Output.err(diagnostics) }
            Output.err("imported batch \(batch.id) '\(batch.name.terminalSafe)': " + ReadResultReport.summary(result, file: self.file.file))
            if batch.approvalState == .awaitingApproval { Output.err(ApprovalText.awaiting(batch)) }
            Output.out(String(batch.id))
        case .rejected(let result):
            Output.err(result.diagnostics.render())
            throw RechargeFailure(
                exitCode: RechargeExit.dataError,
                message: "\(self.file.file.terminalSafe): \(counted(result.diagnostics.errorCount, "error")); nothing was imported")
        case .duplicate(_, let reason, _):
            throw RechargeFailure(
                exitCode: RechargeExit.dataError,
                message:
                    "\(self.file.file.terminalSafe): refused: \(reason.terminalSafe); nothing was imported (use --force to import it again)"
            )
        }
    }
}

import ArgumentParser
import Foundation
import RechargeCore
import RechargeRuns

/// `recharge validate FILE`: checks a batch file completely and stores nothing.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a batch file completely; store nothing.",
        discussion: "Every problem is listed with its line, column, value and reason. Exit 0 when the file is valid, 65 when it is not."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var file: BatchFileOptions

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    func run() async throws {
        let configuration = try self.global.loadConfiguration()
        let reader = try self.file.reader(configuration: configuration)
        let result: BatchReadResult
        do {
            result = try reader.read(path: self.file.file, format: self.file.format)
        } catch {
            throw readFailure(error)
        }
        if self.json {
            try Output.json(ReadResultReport.JSONReport(result, file: self.file.file))
        } else {
            let diagnostics = result.diagnostics.render()
            if !diagnostics.isEmpty { Output.out(diagnostics) }
            if result.isValid {
                Output.out("valid: " + ReadResultReport.summary(result, file: self.file.file))
            } else {
                Output.out(
                    "invalid: \(self.file.file): \(counted(result.diagnostics.errorCount, "error")) in \(counted(result.lineCount, "line")); nothing would be imported"
                )
            }
        }
        if !result.isValid { throw ExitCode(RechargeExit.dataError.rawValue) }
    }
}

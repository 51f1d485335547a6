import ArgumentParser
import Foundation
import RechargeCore
import RechargeRuns

/// How `validate` and `import` present what reading a file found.
enum ReadResultReport {
    /// One line per currency: `USD 12345.67 (30 lines)`.
    static func sums(_ result: BatchReadResult) -> [String] {
        result.sums.keys.sorted().map { code in
            let exponent = Currency(code: code)?.exponent ?? 2
            return "\(code) \(Money.render(minorUnits: result.sums[code]!, exponent: exponent))"
        }
    }

    static func summary(_ result: BatchReadResult, file: String) -> String {
        let totals = Self.sums(result).joined(separator: ", ")
        return "\(file): \(counted(result.lineCount, "line")) (\(result.format.rawValue), sha256 \(result.sha256))"
            + (totals.isEmpty ? "" : "; totals \(totals)")
    }

    /// The machine-readable form printed by `validate --json`.
    struct JSONReport: Encodable {
        struct Diagnostic: Encodable {
            var severity: String
            var line: Int?
            /// The 1-based byte offset in the line, where the problem is one byte or one place (encoding, JSON syntax).
            var character: Int?
            var item: Int?
            var column: String?
            var value: String?
            var message: String
        }

        var file: String
        var valid: Bool
        var format: String
        var sha256: String
        var lines: Int
        var sums: [String: String]
        var errorCount: Int
        var warningCount: Int
        var errors: [Diagnostic]
        var warnings: [Diagnostic]

        init(_ result: BatchReadResult, file: String) {
            func convert(_ diagnostic: InputDiagnostic) -> Diagnostic {
                Diagnostic(
                    severity: diagnostic.severity.rawValue, line: diagnostic.line, character: diagnostic.character, item: diagnostic.item,
                    column: diagnostic.column, value: diagnostic.value, message: diagnostic.message)
            }
            self.file = file
            self.valid = result.isValid
            self.format = result.format.rawValue
            self.sha256 = result.sha256
            self.lines = result.lineCount
            self.sums = result.sums.reduce(into: [:]) { sums, entry in
                sums[entry.key] = Money.render(minorUnits: entry.value, exponent: Currency(code: entry.key)?.exponent ?? 2)
            }
            self.errorCount = result.diagnostics.errorCount
            self.warningCount = result.diagnostics.warningCount
            self.errors = result.diagnostics.errors.map(convert)
            self.warnings = result.diagnostics.warnings.map(convert)
        }
    }
}

/// Turns the errors of opening or reading a batch file into command failures with the right exit code.
func readFailure(_ error: any Error) -> any Error {
    if let error = error as? BatchInputError {
        // A file refused for what it holds (too large) is a data error; one that cannot be opened, no input.
        let code = error.isRefusedContent ? RechargeExit.dataError : RechargeExit.noInput
        return RechargeFailure(exitCode: code, message: error.description)
    }
    return error
}

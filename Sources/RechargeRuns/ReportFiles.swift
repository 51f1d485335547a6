import RechargeCore
import RechargeReport
import RechargeStore

/// Reconciliation reports written to files by the operations (the inbox, the demo) and `recharge report`.
package enum ReportFiles {
    /// Writes the report of `batchID` in `format` to `path`, whole or not at all: a reader never sees half a report.
    /// - Throws: ``RechargeFailure`` with 74 when the file cannot be written or the database read.
    package static func write(batchID: Int64, database: RechargeDatabase, format: ReportFormat, path: String) throws {
        do {
            try ReconciliationReport.writeFile(batchID: batchID, from: database, format: format, path: path)
        } catch let error as ReportError {
            throw RechargeFailure(exitCode: .ioError, message: error.message)
        } catch let error as StoreError {
            throw RechargeFailure(exitCode: .ioError, message: error.message)
        }
    }
}

import ArgumentParser
import Foundation
import Logging
import RechargeCore
import RechargeEngine
import RechargeReport
import RechargeStore

/// One pass over an inbox: resume what an earlier pass left unfinished, then import, run, report and file away
/// every complete new file, oldest first.
///
/// Every step is safe to interrupt: an import is one transaction, reports are written and renamed into place,
/// and a file leaves `incoming/` only after its batch's run ended and its reports were written. A file whose
/// content is already stored is not imported again; its batch is resumed if it still has work. So running the
/// pass again, after any failure, is harmless.
struct InboxRun: Sendable {
    /// What happened to one file.
    struct FileOutcome: Sendable {
        var name: String
        var batchID: Int64?
        /// The exit code this file contributes (0, 10, 11, 12, 65, 74, 75, 78).
        var code: Int32
        var note: String
    }

    /// What the pass did.
    struct Summary: Sendable {
        var files: [FileOutcome] = []
        var batchIDs: [Int64] = []
        var codes: [Int32] = []
        var elapsed: Duration = .zero

        var exitCode: Int32 { InboxExit.worst(self.codes) }
    }

    var folder: InboxFolder
    var database: RechargeDatabase
    var reader: BatchReader
    /// The session every run uses; its `stop` is the pass's.
    var session: RunSession
    var stop: StopSignal
    var settle: Duration
    var logger: Logger

    /// Runs the pass; returns what it did. Stops early (leaving the remaining files in `incoming/`) on a signal,
    /// a lost lease, another runner, or a failing database.
    func process() async throws -> Summary {
        let started = ContinuousClock.now
        var summary = Summary()
        defer { summary.elapsed = ContinuousClock.now - started }
        try self.folder.prepare()

        if try !self.database.batchesWithWork().isEmpty {
            self.logger.notice("resuming the batches an earlier run left unfinished")
            guard await self.runBatch(nil, into: &summary, file: nil) else {
                summary.elapsed = ContinuousClock.now - started
                return summary
            }
        }
        let arrivals = try await self.folder.arrivals(settle: self.settle)
        for arrival in arrivals {
            if self.stop.isTriggered {
                summary.codes.append(RechargeExit.unfinished.rawValue)
                break
            }
            guard try await self.handle(arrival, into: &summary) else { break }
        }
        summary.elapsed = ContinuousClock.now - started
        return summary
    }

    /// Imports, runs, reports and files one arrival. Returns `false` when the pass must stop here.
    private func handle(_ arrival: InboxFolder.Arrival, into summary: inout Summary) async throws -> Bool {
        let request = ImportRequest(path: arrival.path, displayName: arrival.name)
        let outcome: ImportOutcome
        do {
            outcome = try self.database.importBatch(request, reader: self.reader)
        } catch let error as BatchInputError {
            // Vanished or unreadable since it was listed: leave it for the next pass.
            Output.err("\(arrival.name.terminalSafe): skipped: \(error.description)")
            return true
        } catch let error as StoreError where error.code == .invalidName {
            try self.reject(arrival, header: error.message, diagnostics: "", into: &summary)
            return true
        } catch {
            self.record(arrival.name, nil, RechargeExit.ioError.rawValue, "import failed, nothing stored: \(error)", into: &summary)
            return false
        }
        let batch: BatchRecord
        switch outcome {
        case .imported(let imported, let result):
            batch = imported
            Output.out(
                "\(arrival.name.terminalSafe): imported as batch \(batch.id) '\(batch.name.terminalSafe)' (\(result.lineCount) lines)")
        case .duplicate(let existing, let reason, let result) where existing.sourceSHA256 == result.sha256:
            batch = existing
            Output.out(
                "\(arrival.name.terminalSafe): already imported as batch \(existing.id) '\(existing.name.terminalSafe)'; not imported again"
            )
            _ = reason
        case .duplicate(_, let reason, let result):
            try self.reject(
                arrival, header: "refused: \(reason); nothing was imported", diagnostics: result.diagnostics.render(), into: &summary)
            return true
        case .rejected(let result):
            let header = "\(counted(result.diagnostics.errorCount, "error")); nothing was imported"
            try self.reject(arrival, header: header, diagnostics: result.diagnostics.render(), into: &summary)
            return true
        }

        if try self.hasWork(batch.id) {
            guard await self.runBatch(batch, into: &summary, file: arrival.name) else { return false }
        } else {
            self.record(arrival.name, batch.id, 0, "batch \(batch.id) has no work left", into: &summary)
        }
        try self.writeReports(batch: batch, stem: (arrival.name as NSString).deletingPathExtension)
        let destination = try self.folder.move(arrival, into: self.folder.processed)
        Output.out("\(arrival.name.terminalSafe): moved to \(destination.path.terminalSafe)")
        return true
    }

    /// Runs a batch (or every batch with work); returns `false` when the pass must stop.
    private func runBatch(_ batch: BatchRecord?, into summary: inout Summary, file: String?) async -> Bool {
        let name = file ?? "(resume)"
        do {
            let outcome = try await self.session.runForOutcome(batch: batch)
            summary.batchIDs.append(contentsOf: outcome.batchIDs)
            self.record(name, batch?.id, outcome.code, "run \(outcome.ending.rawValue)", into: &summary)
            return outcome.ending == .completed
                && ![RechargeExit.ioError.rawValue, RechargeExit.unfinished.rawValue].contains(outcome.code)
        } catch let failure as CommandFailure {
            Output.err("recharge: error: \(failure.message)")
            self.record(name, batch?.id, failure.exitCode, failure.message, into: &summary)
            return false
        } catch {
            Output.err("recharge: error: \(error)")
            self.record(name, batch?.id, RechargeExit.ioError.rawValue, "\(error)", into: &summary)
            return false
        }
    }

    private func hasWork(_ batchID: Int64) throws -> Bool {
        try self.database.status(batchID: batchID).contains { !$0.state.isSettled }
    }

    private func reject(_ arrival: InboxFolder.Arrival, header: String, diagnostics: String, into summary: inout Summary) throws {
        // The error report first, then the file: an interrupted pass leaves the file in incoming/ to be redone.
        let destination = InboxFolder.freeName(for: arrival.name, in: self.folder.rejected)
        var text = "\(arrival.name.terminalSafe) was rejected at \(Timestamp.string(Date())): \(header.terminalSafe).\n"
        text += "Fix the file and drop it into incoming/ again.\n\n"
        if !diagnostics.isEmpty { text += TerminalText.escapedKeepingLines(diagnostics) + "\n" }
        let report = destination.deletingLastPathComponent().appendingPathComponent(destination.lastPathComponent + ".errors.txt")
        try self.folder.write(text, to: report)
        try self.folder.move(arrival, to: destination)
        Output.err("\(arrival.name.terminalSafe): rejected (\(header.terminalSafe)); see \(report.path.terminalSafe)")
        self.record(arrival.name, nil, RechargeExit.dataError.rawValue, "rejected: \(header)", into: &summary)
    }

    private func writeReports(batch: BatchRecord, stem: String) throws {
        for format in [ReportFormat.html, .csv, .json] {
            let path = self.folder.reports.appendingPathComponent("\(stem).batch-\(batch.id).\(format.rawValue)").path
            try ReportCommand.writeFile(batch: batch, database: self.database, format: format, path: path)
        }
        Output.out(
            "batch \(batch.id): reports in \(self.folder.reports.path.terminalSafe) (\(stem.terminalSafe).batch-\(batch.id).html, .csv, .json)"
        )
    }

    private func record(_ name: String, _ batchID: Int64?, _ code: Int32, _ note: String, into summary: inout Summary) {
        summary.files.append(FileOutcome(name: name, batchID: batchID, code: code, note: note))
        summary.codes.append(code)
        if let batchID, !summary.batchIDs.contains(batchID) { summary.batchIDs.append(batchID) }
        self.logger.info(
            "inbox file done", metadata: ["file": "\(name.terminalSafe)", "batch": "\(batchID.map(String.init) ?? "-")", "code": "\(code)"])
    }
}

/// How `recharge inbox` folds the outcomes of its files into one exit code: the most urgent wins.
///
/// 78 configuration error › 74 I/O error › 75 another runner holds the database › 12 work left (run again) ›
/// 11 UNKNOWN lines › 65 a file was rejected › 10 FAILED lines › 0.
enum InboxExit {
    static let precedence: [Int32] = [78, 74, 75, 12, 11, 65, 10]

    static func worst(_ codes: [Int32]) -> Int32 {
        for code in Self.precedence where codes.contains(code) { return code }
        return codes.first { $0 != 0 } ?? 0
    }
}

import Foundation
import Logging
import RechargeCore
import RechargeEngine
import RechargeReport
import RechargeStore
import ServiceLifecycle
import Synchronization

/// One pass over an inbox: resume what an earlier pass left unfinished, then import, run, report and file away
/// every complete new file, oldest first.
///
/// Every step is safe to interrupt: an import is one transaction, reports are written and renamed into place,
/// and a file leaves `incoming/` only after its batch's run ended and its reports were written. A file whose
/// content is already stored is not imported again; its batch is resumed if it still has work. So running the
/// pass again, after any failure, is harmless.
///
/// A graceful shutdown (SIGINT/SIGTERM in `recharge inbox`) stops the run in progress as ``RunService`` does and
/// starts no other file: the file stays in `incoming/` and the next pass resumes its batch.
package struct InboxPass: Sendable {
    /// What happened to one file.
    package struct FileOutcome: Sendable {
        package var name: String
        package var batchID: Int64?
        /// The exit code this file contributes (0, 10, 11, 12, 14, 65, 74, 75, 78).
        package var code: Int32
        package var note: String
    }

    /// What the pass did.
    package struct Summary: Sendable {
        package var files: [FileOutcome] = []
        package var batchIDs: [Int64] = []
        package var codes: [Int32] = []
        package var elapsed: Duration = .zero

        package init() {}

        package var exitCode: Int32 { InboxExit.worst(self.codes) }

        /// Files processed, rejected and left awaiting approval in this pass (the batches resumed first are not files).
        package var fileCounts: [String: Int] {
            var files: [String: Int] = ["processed": 0, "rejected": 0, "awaiting_approval": 0]
            for file in self.files where file.name != InboxPass.resumeStep {
                let kind: String
                switch file.code {
                case RechargeExit.dataError.rawValue: kind = "rejected"
                case RechargeExit.awaitingApproval.rawValue: kind = "awaiting_approval"
                default: kind = "processed"
                }
                files[kind, default: 0] += 1
            }
            return files
        }
    }

    /// The name the summary gives the step that resumes the batches an earlier run left unfinished.
    package static let resumeStep = "(resume)"

    package var folder: InboxFolder
    package var reader: BatchReader
    /// What every run of the pass shares: its store, configuration, policy, logger and progress display.
    package var context: RunContext
    package var settle: Duration
    package var messages: OperatorMessages
    /// Who the pass imports as (the operating-system user running it): never the approver of what it imports.
    package var uploader = AuditActor.operatingSystemUser()

    package init(folder: InboxFolder, reader: BatchReader, context: RunContext, settle: Duration, messages: OperatorMessages) {
        self.folder = folder
        self.reader = reader
        self.context = context
        self.settle = settle
        self.messages = messages
    }

    private var database: RechargeDatabase { self.context.database }
    private var logger: Logger { self.context.logger }

    /// Runs the pass; returns what it did. Stops early (leaving the remaining files in `incoming/`) on a graceful
    /// shutdown, a lost lease, another runner, or a failing database.
    package func process() async throws -> Summary {
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
            if Task.isShuttingDownGracefully {
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
        let request = ImportRequest(
            path: arrival.path, displayName: arrival.name, uploadedBy: self.uploader, approval: self.context.configuration.approval)
        let outcome: ImportOutcome
        do {
            outcome = try self.database.importBatch(request, reader: self.reader)
        } catch let error as BatchInputError {
            // Vanished or unreadable since it was listed: leave it for the next pass.
            self.messages.problem("\(arrival.name.terminalSafe): skipped: \(error.description)")
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
            self.messages.note(
                "\(arrival.name.terminalSafe): imported as batch \(batch.id) '\(batch.name.terminalSafe)' (\(result.lineCount) lines)")
        case .duplicate(let existing, let reason, let result) where existing.sourceSHA256 == result.sha256:
            batch = existing
            self.messages.note(
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

        switch batch.approvalState {
        case .awaitingApproval:
            // The file stays in incoming/: the pass after the approval runs the batch and files it away.
            self.messages.problem(
                "\(arrival.name.terminalSafe): batch \(batch.id) awaits \(counted(batch.approvalsRequired, "approval")) by someone other than "
                    + "\((batch.uploadedBy ?? "its uploader").terminalSafe); not run (recharge approve \(batch.id)); the file stays in incoming/"
            )
            self.record(arrival.name, batch.id, RechargeExit.awaitingApproval.rawValue, "awaiting approval", into: &summary)
            return true
        case .rejected:
            let decision = try self.database.approvalSummary(batchID: batch.id).decisions.first { $0.decision == "REJECTED" }
            let header =
                "batch \(batch.id) was rejected by \(decision?.approver ?? "an approver")"
                + (decision?.reason.map { ": \($0)" } ?? "") + "; none of its lines was sent"
            try self.reject(arrival, header: header, diagnostics: "", into: &summary)
            return true
        case .importing, .notRequired, .approved:
            break
        }
        if try self.hasWork(batch.id) {
            guard await self.runBatch(batch, into: &summary, file: arrival.name) else { return false }
        } else {
            self.record(arrival.name, batch.id, 0, "batch \(batch.id) has no work left", into: &summary)
        }
        try self.writeReports(batch: batch, stem: (arrival.name as NSString).deletingPathExtension)
        let destination = try self.folder.move(arrival, into: self.folder.processed)
        self.messages.note("\(arrival.name.terminalSafe): moved to \(destination.path.terminalSafe)")
        return true
    }

    /// Runs a batch (or every batch with work) and writes its summary; returns `false` when the pass must stop.
    private func runBatch(_ batch: BatchRecord?, into summary: inout Summary, file: String?) async -> Bool {
        let name = file ?? Self.resumeStep
        do {
            let result = try await RunService(context: self.context, batchID: batch?.id).execute()
            let code = try RunSummary.report(result, database: self.database, to: self.messages).rawValue
            summary.batchIDs.append(contentsOf: result.batchIDs)
            self.record(name, batch?.id, code, "run \(result.ending.rawValue)", into: &summary)
            return result.ending == .completed
                && ![RechargeExit.ioError.rawValue, RechargeExit.unfinished.rawValue].contains(code)
        } catch let failure as RechargeFailure {
            self.messages.problem("recharge: error: \(failure.message)")
            self.record(name, batch?.id, failure.exitCode, failure.message, into: &summary)
            return false
        } catch {
            self.messages.problem("recharge: error: \(error)")
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
        self.messages.problem("\(arrival.name.terminalSafe): rejected (\(header.terminalSafe)); see \(report.path.terminalSafe)")
        self.record(arrival.name, nil, RechargeExit.dataError.rawValue, "rejected: \(header)", into: &summary)
    }

    private func writeReports(batch: BatchRecord, stem: String) throws {
        for format in [ReportFormat.html, .csv, .json] {
            let path = self.folder.reports.appendingPathComponent("\(stem).batch-\(batch.id).\(format.rawValue)").path
            try ReportFiles.write(batchID: batch.id, database: self.database, format: format, path: path)
        }
        self.messages.note(
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

/// One inbox pass as a service; a graceful shutdown of its group stops the pass (see ``InboxPass``). What the pass
/// did is ``summary`` once ``run()`` returned.
package final class InboxService: Service, Sendable {
    package let pass: InboxPass
    private let finished = Mutex<InboxPass.Summary?>(nil)

    package init(pass: InboxPass) {
        self.pass = pass
    }

    /// What the pass did; `nil` until ``run()`` returned.
    package var summary: InboxPass.Summary? { self.finished.withLock { $0 } }

    package func run() async throws {
        let summary = try await self.pass.process()
        self.finished.withLock { $0 = summary }
    }
}

/// How `recharge inbox` folds the outcomes of its files into one exit code: the most urgent wins.
///
/// 78 configuration error › 74 I/O error › 75 another runner holds the database › 12 work left (run again) ›
/// 11 UNKNOWN lines › 65 a file was rejected › 14 a batch awaits approval › 10 FAILED lines › 0.
package enum InboxExit {
    package static let precedence: [Int32] = [78, 74, 75, 12, 11, 65, 14, 10]

    package static func worst(_ codes: [Int32]) -> Int32 {
        for code in Self.precedence where codes.contains(code) { return code }
        return codes.first { $0 != 0 } ?? 0
    }
}

import Foundation
import GRDB
import GRDBSQLite
import RechargeCore

/// How an import ended.
package enum ImportOutcome: Sendable {
    /// The batch is stored with all its lines.
    case imported(BatchRecord, BatchReadResult)
    /// The file has errors; nothing is stored.
    case rejected(BatchReadResult)
    /// The same content (or batch reference) is already stored; nothing is stored. Pass `force` to import anyway.
    case duplicate(existing: BatchRecord, reason: String, BatchReadResult)
}

/// What to import and how.
package struct ImportRequest: Sendable {
    package var path: String
    /// The name shown in diagnostics and stored as the batch's source file (defaults to the path).
    package var displayName: String?
    package var format: BatchFormat?
    /// The batch name; defaults to the file's `batch.name`, else the file name.
    package var name: String?
    /// Import even when the same content or reference was imported before.
    package var force: Bool
    /// Who imports the batch (the audit actor): the one person who may never approve it.
    package var uploadedBy: String?
    /// Which batches need approval, applied to this batch's totals; `nil`: none.
    package var approval: ApprovalPolicy?

    package init(
        path: String, displayName: String? = nil, format: BatchFormat? = nil, name: String? = nil, force: Bool = false,
        uploadedBy: String? = nil, approval: ApprovalPolicy? = nil
    ) {
        self.path = path
        self.displayName = displayName
        self.format = format
        self.name = name
        self.force = force
        self.uploadedBy = uploadedBy
        self.approval = approval
    }
}

extension RechargeDatabase {
    /// Reads, validates and stores a batch file in one streaming pass and one transaction: all lines or none.
    ///
    /// Lines are inserted as they are validated; at the first error inserting stops (validation goes on,
    /// so every problem is reported) and the transaction is rolled back. A file whose SHA-256 or batch
    /// reference is already stored is refused unless `force` is set.
    package func importBatch(_ request: ImportRequest, reader: BatchReader, now: Date = Date()) throws -> ImportOutcome {
        var outcome: ImportOutcome?
        try self.writer.writeWithoutTransaction { db in
            // A file's lines go in in one transaction: a page cache of 32 MB (the default is 2 MB) keeps the
            // unique (batch, reference) index's pages in memory while they are written, then is given back.
            try db.execute(sql: "PRAGMA cache_size = -32768")
            defer { try? db.execute(sql: "PRAGMA cache_size = -2000") }
            try db.inTransaction(.immediate) {
                outcome = try Self.importBatch(request, reader: reader, now: now, db: db)
                if case .imported = outcome { return .commit }
                return .rollback
            }
        }
        return outcome!
    }

    private static func importBatch(_ request: ImportRequest, reader: BatchReader, now: Date, db: Database) throws -> ImportOutcome {
        let importedAt = Timestamp.string(now)
        let uid = UUID().uuidString.lowercased()
        let sourceFile = request.displayName ?? request.path
        // The batch row comes first so lines can reference it; its totals are filled in at the end.
        try db.execute(
            sql: """
                INSERT INTO batch (uid, name, source_file, source_sha256, source_format, source_bytes, line_count, imported_at,
                    approval_state, uploaded_by)
                VALUES (?, ?, ?, ?, 'csv', 0, 0, ?, 'IMPORTING', ?)
                """,
            arguments: [uid, request.name ?? "pending", sourceFile, String(repeating: "0", count: 64), importedAt, request.uploadedBy])
        let batchID = db.lastInsertedRowID

        let insert = try LineInserter(db: db, batchID: batchID, updatedAt: importedAt)
        let result = try reader.readPipelined(request) { lines in
            try insert.insert(lines)
        }
        guard result.isValid else { return .rejected(result) }

        let reference = request.name ?? result.metadata.reference ?? result.metadata.name
        if !request.force {
            if let existing = try BatchRecord.fetchOne(
                db, sql: "SELECT * FROM batch WHERE source_sha256 = ? AND id <> ? ORDER BY id LIMIT 1",
                arguments: [result.sha256, batchID])
            {
                return .duplicate(
                    existing: existing,
                    reason: "the same file content was imported as batch \(existing.id) ('\(existing.name)') at \(existing.importedAt)",
                    result)
            }
            if let reference,
                let existing = try BatchRecord.fetchOne(
                    db, sql: "SELECT * FROM batch WHERE reference = ? AND id <> ? ORDER BY id LIMIT 1",
                    arguments: [reference, batchID])
            {
                return .duplicate(
                    existing: existing,
                    reason: "a batch named '\(reference)' was imported as batch \(existing.id) at \(existing.importedAt)", result)
            }
        }
        let name = request.name ?? result.metadata.name ?? BatchName.from(fileName: URL(fileURLWithPath: sourceFile).lastPathComponent)
        if let problem = BatchName.problem(name) {
            let origin = request.name != nil ? "--name" : result.metadata.name != nil ? "the file's batch.name" : "the file name"
            throw StoreError(.invalidName, "\(origin): \(problem); nothing was imported")
        }
        try db.execute(
            sql: """
                UPDATE batch SET name = ?, reference = ?, source_sha256 = ?, source_format = ?, source_bytes = ?,
                    line_count = ?, control_line_count = ?, forced = ?
                WHERE id = ?
                """,
            arguments: [
                name, reference.map { String($0.prefix(200)) }, result.sha256, result.format.rawValue,
                result.byteCount, result.lineCount, result.metadata.control.lineCount ?? reader.control.lineCount,
                request.force, batchID,
            ])
        let control = result.metadata.control.sums.isEmpty ? reader.control.sums : result.metadata.control.sums
        for (code, text) in control {
            guard let currency = Currency(code: code), let money = try? Money.parse(text, currency: currency) else { continue }
            try db.execute(
                sql: "INSERT INTO batch_control_total (batch_id, currency, amount_minor) VALUES (?, ?, ?)",
                arguments: [batchID, code, money.minorUnits])
        }
        try db.execute(
            sql: "INSERT INTO event (batch_id, at, actor, kind, detail) VALUES (?, ?, 'import', 'batch-imported', ?)",
            arguments: [
                batchID, importedAt,
                "\(result.lineCount) lines from \(sourceFile) (sha256 \(result.sha256))\(request.force ? ", forced" : "")",
            ])
        // Last, once the content is complete: from here on the batch's content and approval rule are fixed.
        let approvals = request.approval?.approvalsRequired(totals: result.sums) ?? 0
        try db.execute(
            sql: "UPDATE batch SET approvals_required = ?, approval_state = ? WHERE id = ?",
            arguments: [
                approvals, approvals == 0 ? BatchApprovalState.notRequired.rawValue : BatchApprovalState.awaitingApproval.rawValue,
                batchID,
            ])
        if approvals > 0, let policy = request.approval {
            try Self.appendBatchEvent(
                db, batchID: batchID, at: importedAt, actor: "import", kind: "batch-awaiting-approval",
                detail: "\(approvals) approval\(approvals == 1 ? "" : "s") by someone other than \(request.uploadedBy ?? "the uploader"): "
                    + policy.reason(totals: result.sums))
        }
        let batch = try BatchRecord.fetchOne(db, sql: "SELECT * FROM batch WHERE id = ?", arguments: [batchID])!
        return .imported(batch, result)
    }
}

import Foundation
import PostgresNIO
import RechargeCore
import RechargeStore

extension PostgresStore {
    /// Ends the import's transaction without storing anything, with what to report.
    private struct Rollback: Error {
        var outcome: ImportOutcome
    }

    /// Reads, validates and stores a batch file in one streaming pass and one transaction: all lines or none, as
    /// SQLite's import does (same validator, same duplicate rules, same approval rule).
    ///
    /// The file is read on a thread of its own; its lines go in as multi-row inserts of a chunk each while the next
    /// chunk is read.
    package func importBatch(_ request: ImportRequest, reader: BatchReader, now: Date = Date()) async throws -> ImportOutcome {
        let handoff = reader.startReading(request, chunkSize: Self.chunkSize)
        do {
            return try await self.client.withTransaction(logger: self.logger) { connection in
                try await self.importBatch(request, reader: reader, handoff: handoff, now: now, on: connection)
            }
        } catch let error as PostgresTransactionError {
            if let rollback = error.closureError as? Rollback { return rollback.outcome }
            _ = handoff.cancel()
            if let refusal = error.closureError as? StoreError { throw refusal }
            let cause = error.closureError ?? error.commitError ?? error.beginError ?? error
            throw StoreError(.io, "PostgreSQL at \(self.displayName): \(Self.describe(cause))")
        } catch {
            _ = handoff.cancel()
            throw StoreError(.io, "PostgreSQL at \(self.displayName): \(Self.describe(error))")
        }
    }

    /// 13 columns a line: 4,096 lines are 53,248 parameters, within the protocol's 65,535.
    static let chunkSize = 4_096

    private func importBatch(
        _ request: ImportRequest, reader: BatchReader, handoff: LineHandoff, now: Date, on connection: PostgresConnection
    ) async throws -> ImportOutcome {
        let importedAt = Timestamp.string(now)
        let uid = UUID().uuidString.lowercased()
        let sourceFile = request.displayName ?? request.path
        let placeholder = String(repeating: "0", count: 64)
        let batchID = try await connection.query(
            """
            INSERT INTO batch (uid, name, source_file, source_sha256, source_format, source_bytes, line_count, imported_at,
                approval_state, uploaded_by)
            VALUES (\(uid), \(request.name ?? "pending"), \(sourceFile), \(placeholder), 'csv', 0, 0, \(importedAt), 'IMPORTING',
                \(request.uploadedBy))
            RETURNING id
            """, logger: self.logger
        ).values(Int64.self).first!

        var valid = true
        while let chunk = await Self.next(handoff) {
            guard valid else { continue }
            do {
                try await connection.query(Self.insertLines(chunk, batchID: batchID, updatedAt: importedAt), logger: self.logger)
            } catch {
                valid = false
                _ = handoff.cancel()
                throw error
            }
        }
        let result = try handoff.result().get()
        guard result.isValid else { throw Rollback(outcome: .rejected(result)) }

        let reference = request.name ?? result.metadata.reference ?? result.metadata.name
        if !request.force {
            if let existing = try await self.batch(
                where: "source_sha256 = $1 AND id <> $2", try Self.binds(result.sha256, batchID), on: connection)
            {
                throw Rollback(
                    outcome: .duplicate(
                        existing: existing,
                        reason: "the same file content was imported as batch \(existing.id) ('\(existing.name)') at \(existing.importedAt)",
                        result))
            }
            if let reference,
                let existing = try await self.batch(
                    where: "reference = $1 AND id <> $2", try Self.binds(reference, batchID), on: connection)
            {
                throw Rollback(
                    outcome: .duplicate(
                        existing: existing,
                        reason: "a batch named '\(reference)' was imported as batch \(existing.id) at \(existing.importedAt)", result))
            }
        }
        let name = request.name ?? result.metadata.name ?? BatchName.from(fileName: URL(fileURLWithPath: sourceFile).lastPathComponent)
        if let problem = BatchName.problem(name) {
            let origin = request.name != nil ? "--name" : result.metadata.name != nil ? "the file's batch.name" : "the file name"
            throw StoreError(.invalidName, "\(origin): \(problem); nothing was imported")
        }
        let controlLines = result.metadata.control.lineCount ?? reader.control.lineCount
        try await connection.query(
            """
            UPDATE batch SET name = \(name), reference = \(reference.map { String($0.prefix(200)) }), source_sha256 = \(result.sha256),
                source_format = \(result.format.rawValue), source_bytes = \(Int64(result.byteCount)), line_count = \(result.lineCount),
                control_line_count = \(controlLines), forced = \(request.force)
            WHERE id = \(batchID)
            """, logger: self.logger)
        let control = result.metadata.control.sums.isEmpty ? reader.control.sums : result.metadata.control.sums
        for (code, text) in control {
            guard let currency = Currency(code: code), let money = try? Money.parse(text, currency: currency) else { continue }
            try await connection.query(
                "INSERT INTO batch_control_total (batch_id, currency, amount_minor) VALUES (\(batchID), \(code), \(money.minorUnits))",
                logger: self.logger)
        }
        let detail = "\(result.lineCount) lines from \(sourceFile) (sha256 \(result.sha256))\(request.force ? ", forced" : "")"
        try await connection.query(
            "INSERT INTO event (batch_id, at, actor, kind, detail) VALUES (\(batchID), \(importedAt), 'import', 'batch-imported', \(detail))",
            logger: self.logger)
        // Last, once the content is complete: from here on the batch's content and approval rule are fixed.
        let approvals = request.approval?.approvalsRequired(totals: result.sums) ?? 0
        let state = approvals == 0 ? BatchApprovalState.notRequired : BatchApprovalState.awaitingApproval
        try await connection.query(
            "UPDATE batch SET approvals_required = \(approvals), approval_state = \(state.rawValue) WHERE id = \(batchID)",
            logger: self.logger)
        if approvals > 0, let policy = request.approval {
            let why =
                "\(approvals) approval\(approvals == 1 ? "" : "s") by someone other than \(request.uploadedBy ?? "the uploader"): "
                + policy.reason(totals: result.sums)
            try await connection.query(
                """
                INSERT INTO event (batch_id, at, actor, kind, detail)
                VALUES (\(batchID), \(importedAt), 'import', 'batch-awaiting-approval', \(why))
                """, logger: self.logger)
        }
        var byID = PostgresBindings()
        try byID.append(batchID)
        guard let batch = try await self.batch(where: "id = $1", byID, on: connection) else {
            throw StoreError(.io, "the imported batch could not be read back")
        }
        return .imported(batch, result)
    }

    /// The next chunk from the reading thread, waited for off Swift's cooperative pool.
    private static func next(_ handoff: LineHandoff) async -> [BatchLine]? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: handoff.take()) }
        }
    }

    /// One multi-row insert of a chunk of lines.
    static func insertLines(_ lines: [BatchLine], batchID: Int64, updatedAt: String) throws -> PostgresQuery {
        var sql = """
            INSERT INTO line (batch_id, line_number, reference, account, card_id, amount_minor, currency, remark,
                pay_coin, pay_account_num, on_behalf_of, updated_at, item_number) VALUES
            """
        sql.reserveCapacity(sql.utf8.count + lines.count * 90)
        var binds = PostgresBindings(capacity: lines.count * 13)
        for (index, line) in lines.enumerated() {
            let base = index * 13
            sql += index == 0 ? " (" : ", ("
            for column in 1...13 {
                if column > 1 { sql += "," }
                sql += "$\(base + column)"
            }
            sql += ")"
            try binds.append(batchID)
            try binds.append(Int32(line.lineNumber))
            try binds.append(line.reference)
            try binds.append(line.account)
            try binds.append(line.cardID)
            try binds.append(line.amount.minorUnits)
            try binds.append(line.amount.currency.code)
            try binds.append(line.remark)
            try binds.append(line.payCoin)
            try binds.append(line.payAccountNumber)
            try binds.append(line.onBehalfOf)
            try binds.append(updatedAt)
            try binds.append(line.position.map { Int32($0) })
        }
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    static func binds(_ text: String, _ id: Int64) throws -> PostgresBindings {
        var binds = PostgresBindings()
        try binds.append(text)
        try binds.append(id)
        return binds
    }

    /// The first batch matching `condition`, oldest first.
    func batch(where condition: String, _ binds: PostgresBindings, on connection: PostgresConnection) async throws -> BatchRecord? {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT \(Self.batchSelection) FROM batch WHERE \(condition) ORDER BY id LIMIT 1", binds: binds),
            logger: self.logger
        ).rows()
        return try rows.first.map(Self.batchRecord)
    }

    static let batchSelection = """
        id, uid, name, reference, source_file, source_sha256, source_format, source_bytes, line_count, control_line_count, forced, \
        imported_at, approval_state, approvals_required, uploaded_by
        """

    static func batchRecord(_ row: PostgresRandomAccessRow) throws -> BatchRecord {
        let state = try row.value(12, as: String.self)
        guard let approval = BatchApprovalState(rawValue: state) else { throw StoreError(.io, "a batch has an unknown state \(state)") }
        return BatchRecord(
            id: try row.value(0), uid: try row.value(1), name: try row.value(2), reference: try row.value(3),
            sourceFile: try row.value(4), sourceSHA256: try row.value(5), sourceFormat: try row.value(6),
            sourceBytes: try row.value(7), lineCount: Int(try row.value(8, as: Int32.self)),
            controlLineCount: try row.value(9, as: Int32?.self).map(Int.init), forced: try row.value(10),
            importedAt: try row.value(11), approvalState: approval, approvalsRequired: Int(try row.value(13, as: Int32.self)),
            uploadedBy: try row.value(14))
    }
}

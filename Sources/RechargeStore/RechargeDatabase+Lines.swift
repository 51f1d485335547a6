import Foundation
import GRDB
import RechargeCore

/// Fields a transition writes besides the state.
package struct LineChanges: Hashable, Sendable {
    package var idempotencyKey: String?
    package var providerReference: String?
    package var errorCode: String?
    package var errorMessage: String?

    package init(idempotencyKey: String? = nil, providerReference: String? = nil, errorCode: String? = nil, errorMessage: String? = nil) {
        self.idempotencyKey = idempotencyKey
        self.providerReference = providerReference
        self.errorCode = errorCode
        self.errorMessage = errorMessage
    }
}

/// What a batch reference found.
package enum BatchLookup: Sendable {
    case found(BatchRecord)
    case missing
    /// More than one batch answers to the reference, oldest first.
    case ambiguous([BatchRecord])

    /// The batch, when exactly one answers.
    package var found: BatchRecord? {
        if case .found(let batch) = self { return batch }
        return nil
    }
}

extension RechargeDatabase {
    /// Applies `event` to a line expected to be in state `expected`, as one transaction: a guarded update
    /// (`WHERE state = expected`) plus an appended event row.
    ///
    /// - Returns: the line's state afterwards.
    /// - Throws: ``StoreError`` `.illegalTransition` when the state machine refuses the event, `.stateChanged`
    ///   when the line is no longer in `expected`, `.notFound` when there is no such line.
    @discardableResult
    package func transition(
        lineID: Int64, from expected: LineState, on event: LineEvent, changes: LineChanges = LineChanges(),
        actor: String, detail: String? = nil, now: Date = Date()
    ) throws -> LineState {
        let action: LineAction
        do {
            action = try LineStateMachine.action(from: expected, on: event)
        } catch {
            throw StoreError(.illegalTransition, error.description)
        }
        let at = Timestamp.string(now)
        return try self.writer.write { db in
            guard let line = try LineRecord.fetchOne(db, sql: "SELECT * FROM line WHERE id = ?", arguments: [lineID]) else {
                throw StoreError(.notFound, "no line with id \(lineID)")
            }
            let target: LineState
            switch action {
            case .recordOnly:
                guard line.state == expected else {
                    throw StoreError(.stateChanged, "line \(lineID) is \(line.state.rawValue), not \(expected.rawValue)")
                }
                target = expected
            case .transition(let next, let newGeneration):
                try db.execute(
                    sql: """
                        UPDATE line SET state = ?, generation = generation + ?,
                            idempotency_key = CASE WHEN ? THEN NULL ELSE coalesce(?, idempotency_key) END,
                            provider_reference = coalesce(?, provider_reference),
                            last_error_code = coalesce(?, last_error_code),
                            last_error_message = coalesce(?, last_error_message),
                            updated_at = ?, completed_at = CASE WHEN ? THEN ? ELSE NULL END
                        WHERE id = ? AND state = ?
                        """,
                    arguments: [
                        next.rawValue, newGeneration ? 1 : 0, newGeneration, changes.idempotencyKey,
                        changes.providerReference, changes.errorCode, changes.errorMessage, at, next.isSettled, at, lineID,
                        expected.rawValue,
                    ])
                guard db.changesCount == 1 else {
                    throw StoreError(.stateChanged, "line \(lineID) is \(line.state.rawValue), not \(expected.rawValue)")
                }
                target = next
            }
            try db.execute(
                sql: """
                    INSERT INTO event (batch_id, line_id, at, actor, kind, from_state, to_state, detail)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [line.batchID, lineID, at, actor, event.description, expected.rawValue, target.rawValue, detail])
            return target
        }
    }

    /// The lines of a batch in file order.
    package func lines(batchID: Int64) throws -> [LineRecord] {
        try self.writer.read { db in
            try LineRecord.fetchAll(db, sql: "SELECT * FROM line WHERE batch_id = ? ORDER BY line_number", arguments: [batchID])
        }
    }

    /// One line by its batch and line number.
    package func line(batchID: Int64, lineNumber: Int) throws -> LineRecord? {
        try self.writer.read { db in
            try LineRecord.fetchOne(
                db, sql: "SELECT * FROM line WHERE batch_id = ? AND line_number = ?", arguments: [batchID, lineNumber])
        }
    }

    /// The event log of one line, oldest first.
    package func events(lineID: Int64) throws -> [EventRecord] {
        try self.writer.read { db in
            try EventRecord.fetchAll(db, sql: "SELECT * FROM event WHERE line_id = ? ORDER BY id", arguments: [lineID])
        }
    }

    /// Every batch, oldest first.
    package func batches() throws -> [BatchRecord] {
        try self.writer.read { db in try BatchRecord.fetchAll(db, sql: "SELECT * FROM batch ORDER BY id") }
    }

    /// The batch with this id.
    package func batch(id: Int64) throws -> BatchRecord? {
        try self.writer.read { db in try BatchRecord.fetchOne(db, sql: "SELECT * FROM batch WHERE id = ?", arguments: [id]) }
    }

    /// The batch a command line names, or every batch it could mean.
    ///
    /// A bare number means the batch with that id; it is ambiguous when another batch has that number as its
    /// name (names that read as ids are refused at import, but an older database may hold one). A name that
    /// several batches share (imported with `--force`) is ambiguous too: `id:N` then says which.
    package func lookUpBatch(_ reference: BatchReference) throws -> BatchLookup {
        try self.writer.read { db in
            func named(_ name: String) throws -> [BatchRecord] {
                try BatchRecord.fetchAll(db, sql: "SELECT * FROM batch WHERE name = ? ORDER BY id", arguments: [name])
            }
            func withID(_ id: Int64) throws -> BatchRecord? {
                try BatchRecord.fetchOne(db, sql: "SELECT * FROM batch WHERE id = ?", arguments: [id])
            }
            let candidates: [BatchRecord]
            switch reference {
            case .id(let id): candidates = try withID(id).map { [$0] } ?? []
            case .name(let name): candidates = try named(name)
            case .idOrName(let text):
                let byID = try Int64(text).flatMap(withID)
                var all = byID.map { [$0] } ?? []
                for batch in try named(text) where batch.id != byID?.id { all.append(batch) }
                candidates = all
            }
            switch candidates.count {
            case 0: return .missing
            case 1: return .found(candidates[0])
            default: return .ambiguous(candidates)
            }
        }
    }

    /// Line counts and exact sums grouped by account, currency and state, for one batch or all.
    package func status(batchID: Int64?) throws -> [StatusRow] {
        try self.writer.read { db in
            let filter = batchID == nil ? "" : "WHERE batch_id = ?"
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT account, currency, state, count(*) AS lines, sum(amount_minor) AS minor
                    FROM line \(filter) GROUP BY account, currency, state ORDER BY account, currency, state
                    """,
                arguments: batchID.map { [$0] } ?? [])
            return rows.map { row in
                StatusRow(
                    account: row["account"], currency: row["currency"], state: LineState(rawValue: row["state"]) ?? .unknown,
                    count: row["lines"], sumMinor: row["minor"])
            }
        }
    }

    /// The control totals stored with a batch: currency code → expected minor units.
    package func controlTotals(batchID: Int64) throws -> [String: Int64] {
        try self.writer.read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT currency, amount_minor FROM batch_control_total WHERE batch_id = ?", arguments: [batchID])
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["currency"] as String, $0["amount_minor"] as Int64) })
        }
    }
}

import Foundation
import GRDB
import RechargeCore

extension RechargeDatabase {
    /// Cancels every PENDING line of a batch (never a line that was sent), with an event per line, in one
    /// transaction. Returns how many lines were cancelled.
    @discardableResult
    package func cancelPending(batchID: Int64, actor: String, note: String? = nil, now: Date = Date()) throws -> Int {
        try self.bulkTransition(batchID: batchID, from: .pending, on: .cancel, actor: actor, note: note, now: now)
    }

    /// Sends every FAILED line of a batch again: FAILED → PENDING under a new key generation (the failed key is
    /// never reused), with an event per line, in one transaction. Returns how many lines were reset.
    @discardableResult
    package func retryFailed(batchID: Int64, actor: String, note: String? = nil, now: Date = Date()) throws -> Int {
        try self.bulkTransition(batchID: batchID, from: .failed, on: .retryFailed, actor: actor, note: note, now: now)
    }

    /// Settles an UNKNOWN line with an operator's evidence: UNKNOWN → SUCCESS or FAILED, the note kept in the event log.
    @discardableResult
    package func resolveUnknown(
        batchID: Int64, lineNumber: Int, succeeded: Bool, note: String, actor: String, now: Date = Date()
    ) throws -> LineState {
        guard let line = try self.line(batchID: batchID, lineNumber: lineNumber) else {
            throw StoreError(.notFound, "batch \(batchID) has no line \(lineNumber)")
        }
        guard line.state == .unknown else {
            throw StoreError(
                .illegalTransition, "line \(lineNumber) is \(line.state.rawValue); only UNKNOWN lines are resolved by an operator")
        }
        return try self.transition(
            lineID: line.id, from: .unknown, on: .operatorResolved(succeeded: succeeded), actor: actor, detail: "operator: \(note)",
            now: now)
    }

    private func bulkTransition(
        batchID: Int64, from: LineState, on event: LineEvent, actor: String, note: String?, now: Date
    ) throws -> Int {
        let at = Timestamp.string(now)
        return try self.writer.write { db in
            guard try Int.fetchOne(db, sql: "SELECT count(*) FROM batch WHERE id = ?", arguments: [batchID]) == 1 else {
                throw StoreError(.notFound, "no batch \(batchID)")
            }
            let moved = try Self.bulkTransition(db, batchID: batchID, from: from, on: event, actor: actor, note: note, at: at)
            // One batch-level event says who did what to how many lines: the batch's timeline reads these.
            if moved > 0 {
                var detail = "\(moved) \(from.rawValue) line\(moved == 1 ? "" : "s")"
                if let note { detail += "; note: \(note)" }
                try Self.appendBatchEvent(db, batchID: batchID, at: at, actor: actor, kind: "batch-\(event.description)", detail: detail)
            }
            return moved
        }
    }

    /// Moves every line of a batch in state `from` by `event`, with an event per line, inside the caller's transaction.
    static func bulkTransition(
        _ db: Database, batchID: Int64, from: LineState, on event: LineEvent, actor: String, note: String?, at: String
    ) throws -> Int {
        guard case .transition(let to, let newGeneration) = try LineStateMachine.action(from: from, on: event) else { return 0 }
        // The events first, while the lines still carry the old state to select them by.
        try db.execute(
            sql: """
                INSERT INTO event (batch_id, line_id, at, actor, kind, from_state, to_state, detail)
                SELECT batch_id, id, ?, ?, ?, state, ?, ? FROM line WHERE batch_id = ? AND state = ?
                """,
            arguments: [at, actor, event.description, to.rawValue, note, batchID, from.rawValue])
        try db.execute(
            sql: """
                UPDATE line SET state = ?, generation = generation + ?,
                    idempotency_key = CASE WHEN ? THEN NULL ELSE idempotency_key END,
                    next_attempt_at = NULL, updated_at = ?, completed_at = CASE WHEN ? THEN ? ELSE NULL END
                WHERE batch_id = ? AND state = ?
                """,
            arguments: [to.rawValue, newGeneration ? 1 : 0, newGeneration, at, to.isSettled, at, batchID, from.rawValue])
        return db.changesCount
    }
}

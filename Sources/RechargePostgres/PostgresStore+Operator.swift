import Foundation
import PostgresNIO
import RechargeCore

/// What an operator does to a batch on PostgreSQL, as on SQLite: cancel what was never sent, send failed lines again.
extension PostgresStore {
    /// Cancels every PENDING line of a batch (never a line that was sent), with an event per line, in one transaction.
    @discardableResult
    package func cancelPending(batchID: Int64, actor: String, note: String? = nil, now: Date = Date()) async throws -> Int {
        try await self.bulkTransition(batchID: batchID, from: .pending, on: .cancel, actor: actor, note: note, now: now)
    }

    /// Sends every FAILED line of a batch again under a new key generation, with an event per line, in one transaction.
    @discardableResult
    package func retryFailed(batchID: Int64, actor: String, note: String? = nil, now: Date = Date()) async throws -> Int {
        try await self.bulkTransition(batchID: batchID, from: .failed, on: .retryFailed, actor: actor, note: note, now: now)
    }

    private func bulkTransition(
        batchID: Int64, from: LineState, on event: LineEvent, actor: String, note: String?, now: Date
    ) async throws -> Int {
        guard case .transition(let to, let newGeneration) = try LineStateMachine.action(from: from, on: event) else { return 0 }
        let at = Timestamp.string(now)
        return try await self.transaction { connection in
            // A line claimed meanwhile by a runner is locked by its claim and skipped: it was (or is being) sent.
            let moved = try await connection.query(
                """
                WITH target AS (
                    SELECT id FROM line WHERE batch_id = \(batchID) AND state = \(from.rawValue) FOR UPDATE SKIP LOCKED
                ), moved AS (
                    UPDATE line SET state = \(to.rawValue), generation = generation + \(newGeneration ? 1 : 0),
                        idempotency_key = CASE WHEN \(newGeneration) THEN NULL ELSE idempotency_key END,
                        next_attempt_at = NULL, updated_at = \(at), completed_at = \(to.isSettled ? at : nil)
                    FROM target WHERE line.id = target.id AND line.state = \(from.rawValue)
                    RETURNING line.id, line.batch_id
                )
                INSERT INTO event (batch_id, line_id, at, actor, kind, from_state, to_state, detail)
                SELECT batch_id, id, \(at), \(actor), \(event.description), \(from.rawValue), \(to.rawValue), \(note) FROM moved
                RETURNING 1
                """, logger: self.logger
            ).values(Int32.self).count
            if moved > 0 {
                var detail = "\(moved) \(from.rawValue) line\(moved == 1 ? "" : "s")"
                if let note { detail += "; note: \(note)" }
                try await connection.query(
                    """
                    INSERT INTO event (batch_id, at, actor, kind, detail)
                    VALUES (\(batchID), \(at), \(actor), \("batch-\(event.description)"), \(detail))
                    """, logger: self.logger)
            }
            return moved
        }
    }
}

import Foundation
import GRDB
import RechargeCore

extension RechargeDatabase {
    /// Records several attempts' outcomes in one transaction (a group commit), each finishing its attempt and
    /// applying its line event with a guarded update.
    ///
    /// A line that is no longer PROCESSING, or an event the state machine refuses, fails alone (its result says
    /// why); a database failure fails the whole transaction, and nothing of it is stored.
    /// - Returns: for each record, in order, the line's state afterwards or why it was not recorded.
    package func recordOutcomes(_ records: [OutcomeRecord], now: Date) throws -> [Result<LineState, StoreError>] {
        let at = Timestamp.string(now)
        return try self.writer.write { db in
            let statements = try OutcomeStatements(db)
            return try records.map { record in
                do {
                    return .success(try Self.recordOutcome(statements, db, record, at: at))
                } catch let error as StoreError {
                    return .failure(error)
                }
            }
        }
    }

    /// The statements an outcome runs, from the connection's cache, once per transaction; bound directly, since they
    /// run once per line of a batch.
    private struct OutcomeStatements {
        let finishAttempt: DirectStatement
        let settleLine: DirectStatement
        let keepInFlight: DirectStatement
        let appendEvent: DirectStatement

        init(_ db: Database) throws {
            self.finishAttempt = DirectStatement(
                try db.cachedStatement(
                    sql: """
                        UPDATE attempt SET finished_at = ?, outcome = ?, error_code = ?, error_message = ?, sent_at = coalesce(sent_at, ?)
                        WHERE line_id = ? AND number = ?
                        """))
            self.settleLine = DirectStatement(
                try db.cachedStatement(
                    sql: """
                        UPDATE line SET state = ?, provider_reference = coalesce(?, provider_reference),
                            last_error_code = ?, last_error_message = ?, next_attempt_at = ?, updated_at = ?,
                            credited_minor = coalesce(?, credited_minor), credited_currency = coalesce(?, credited_currency),
                            fee_minor = coalesce(?, fee_minor), fee_currency = coalesce(?, fee_currency),
                            completed_at = CASE WHEN ? THEN ? ELSE NULL END
                        WHERE id = ? AND state = 'PROCESSING'
                        """))
            // Still in flight: keep the provider's reference as soon as an answer carries it (UQPay's card_order_id is
            // what its read-only lookup needs).
            self.keepInFlight = DirectStatement(
                try db.cachedStatement(
                    sql: """
                        UPDATE line SET last_error_code = ?, last_error_message = ?, updated_at = ?,
                            provider_reference = coalesce(?, provider_reference)
                        WHERE id = ? AND state = 'PROCESSING'
                        """))
            self.appendEvent = DirectStatement(
                try db.cachedStatement(
                    sql: """
                        INSERT INTO event (batch_id, line_id, at, actor, kind, from_state, to_state, detail)
                        SELECT batch_id, id, ?, ?, ?, ?, ?, ? FROM line WHERE id = ?
                        """))
        }
    }

    private static func recordOutcome(
        _ statements: OutcomeStatements, _ db: Database, _ record: OutcomeRecord, at: String
    ) throws
        -> LineState
    {
        let action: LineAction
        do {
            action = try LineStateMachine.action(from: .processing, on: record.event)
        } catch {
            throw StoreError(.illegalTransition, error.description)
        }
        try statements.finishAttempt.run(
            .text(at), .text(record.outcome), .text(record.errorCode), .text(record.errorMessage),
            .text(record.sentAt.map(Timestamp.string)), .integer(record.lineID), .integer(record.attemptNumber))
        let reference = record.providerReference ?? record.receipt?.providerReference
        var target = LineState.processing
        if case .transition(let next, _) = action {
            target = next
            let receipt = record.receipt
            try statements.settleLine.run(
                .text(next.rawValue), .text(reference), .text(record.errorCode), .text(record.errorMessage),
                .text(record.nextAttemptAt.map(Timestamp.string)), .text(at), .integer(receipt?.credited?.minorUnits),
                .text(receipt?.credited?.currency.code), .integer(receipt?.fee?.minorUnits), .text(receipt?.fee?.unit),
                .bool(next.isSettled), .text(at), .integer(record.lineID))
        } else {
            try statements.keepInFlight.run(
                .text(record.errorCode), .text(record.errorMessage), .text(at), .text(reference), .integer(record.lineID))
        }
        guard db.changesCount == 1 else {
            throw StoreError(.stateChanged, "line \(record.lineID) is no longer PROCESSING")
        }
        let detail = [record.outcome, record.errorCode, record.errorMessage, reference.map { "reference \($0)" }].compactMap { $0 }
            .joined(separator: "; ")
        try statements.appendEvent.run(
            .text(at), .text(record.actor), .text(record.event.description), .text(LineState.processing.rawValue),
            .text(target.rawValue), .text(detail), .integer(record.lineID))
        return target
    }
}

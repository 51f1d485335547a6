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
            try records.map { record in
                do {
                    return .success(try Self.recordOutcome(db, record, at: at))
                } catch let error as StoreError {
                    return .failure(error)
                }
            }
        }
    }

    private static func recordOutcome(_ db: Database, _ record: OutcomeRecord, at: String) throws -> LineState {
        let action: LineAction
        do {
            action = try LineStateMachine.action(from: .processing, on: record.event)
        } catch {
            throw StoreError(.illegalTransition, error.description)
        }
        // Cached statements: this runs once per line of a batch.
        try db.cachedStatement(
            sql: """
                UPDATE attempt SET finished_at = ?, outcome = ?, error_code = ?, error_message = ?, sent_at = coalesce(sent_at, ?)
                WHERE line_id = ? AND number = ?
                """
        ).execute(arguments: [
            at, record.outcome, record.errorCode, record.errorMessage, record.sentAt.map(Timestamp.string), record.lineID,
            record.attemptNumber,
        ])
        var target = LineState.processing
        if case .transition(let next, _) = action {
            target = next
            let receipt = record.receipt
            try db.cachedStatement(
                sql: """
                    UPDATE line SET state = ?, provider_reference = coalesce(?, provider_reference),
                        last_error_code = ?, last_error_message = ?, next_attempt_at = ?, updated_at = ?,
                        credited_minor = coalesce(?, credited_minor), credited_currency = coalesce(?, credited_currency),
                        fee_minor = coalesce(?, fee_minor), fee_currency = coalesce(?, fee_currency),
                        completed_at = CASE WHEN ? THEN ? ELSE NULL END
                    WHERE id = ? AND state = 'PROCESSING'
                    """
            ).execute(arguments: [
                next.rawValue, record.providerReference ?? receipt?.providerReference, record.errorCode, record.errorMessage,
                record.nextAttemptAt.map(Timestamp.string), at, receipt?.credited?.minorUnits, receipt?.credited?.currency.code,
                receipt?.fee?.minorUnits, receipt?.fee?.unit, next.isSettled, at, record.lineID,
            ])
        } else {
            // Still in flight: keep the provider's reference as soon as an answer carries it (UQPay's card_order_id is
            // what its read-only lookup needs).
            try db.cachedStatement(
                sql: """
                    UPDATE line SET last_error_code = ?, last_error_message = ?, updated_at = ?,
                        provider_reference = coalesce(?, provider_reference)
                    WHERE id = ? AND state = 'PROCESSING'
                    """
            ).execute(arguments: [
                record.errorCode, record.errorMessage, at, record.providerReference ?? record.receipt?.providerReference, record.lineID,
            ])
        }
        guard db.changesCount == 1 else {
            throw StoreError(.stateChanged, "line \(record.lineID) is no longer PROCESSING")
        }
        let reference = record.providerReference ?? record.receipt?.providerReference
        let detail = [record.outcome, record.errorCode, record.errorMessage, reference.map { "reference \($0)" }].compactMap { $0 }
            .joined(separator: "; ")
        try Self.appendEvent(
            db, lineID: record.lineID, at: at, actor: record.actor, kind: record.event.description, from: .processing, to: target,
            detail: detail)
        return target
    }
}

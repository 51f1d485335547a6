import Foundation
import GRDB
import RechargeCore

extension RechargeDatabase {
    /// Pending and in-flight lines of `account` (in `batchID`, or in every batch), and when the next line deferred
    /// past `now` becomes due.
    package func work(account: String, batchID: Int64? = nil, now: Date) throws -> AccountWork {
        try self.writer.read { db in
            // Lines of a batch that may not run yet (awaiting approval) are not work: the runner does not wait for them.
            let batchFilter =
                (batchID == nil ? "" : " AND batch_id = :batch") + " AND batch_id NOT IN (\(Self.batchesThatMayNotRunSQL))"
            var arguments: [String: (any DatabaseValueConvertible)?] = ["account": account, "now": Timestamp.string(now)]
            if let batchID { arguments["batch"] = batchID }
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT
                        (SELECT count(*) FROM line WHERE account = :account AND state = 'PENDING'\(batchFilter)) AS pending,
                        (SELECT count(*) FROM line WHERE account = :account AND state = 'PROCESSING'\(batchFilter)) AS processing,
                        (SELECT min(next_attempt_at) FROM line
                            WHERE account = :account AND state = 'PENDING' AND next_attempt_at > :now\(batchFilter)) AS deferred
                    """,
                arguments: StatementArguments(arguments))!
            let deferred: String? = row["deferred"]
            return AccountWork(
                pending: row["pending"], processing: row["processing"], earliestDeferred: deferred.flatMap(Timestamp.date(from:)))
        }
    }

    /// Postpones a pending line that cannot be sent now (its evidence could not be recorded), with the reason.
    /// Nothing was sent, so the line stays PENDING under the same key generation.
    package func deferLine(lineID: Int64, until: Date, code: String, message: String, now: Date) throws {
        try self.writer.write { db in
            try db.execute(
                sql: """
                    UPDATE line SET next_attempt_at = ?, last_error_code = ?, last_error_message = ?, updated_at = ?
                    WHERE id = ? AND state = 'PENDING'
                    """,
                arguments: [Timestamp.string(until), code, message, Timestamp.string(now), lineID])
        }
    }

    /// The ids of batches whose lines may not be sent: awaiting approval or rejected (a subquery, run once per query).
    static let batchesThatMayNotRunSQL = "SELECT id FROM batch WHERE approval_state NOT IN ('NOT_REQUIRED', 'APPROVED')"

    /// The batches that have lines pending or in flight and may run, oldest first.
    package func batchesWithWork() throws -> [Int64] {
        try self.writer.read { db in
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT batch_id FROM line WHERE state IN ('PENDING', 'PROCESSING')
                        AND batch_id NOT IN (\(Self.batchesThatMayNotRunSQL)) ORDER BY batch_id
                    """)
        }
    }

    /// Takes the lease over from `previous`, a holder known to be dead (a process of this host that no longer
    /// exists), without waiting for its lease to expire. Fails (returns `false`) if the lease changed meanwhile.
    package func takeOverLease(
        from previous: LeaseHolder, holder: String, host: String, pid: Int, ttl: TimeInterval, now: Date
    ) throws
        -> Bool
    {
        try self.writer.write { db in
            try db.execute(
                sql: """
                    UPDATE lease SET holder = ?, host = ?, pid = ?, acquired_at = ?, heartbeat_at = ?, expires_at = ?
                    WHERE id = 1 AND holder = ? AND heartbeat_at = ?
                    """,
                arguments: [
                    holder, host, pid, Timestamp.string(now), Timestamp.string(now), Timestamp.string(now.addingTimeInterval(ttl)),
                    previous.holder, previous.heartbeatAt,
                ])
            return db.changesCount == 1
        }
    }
}

extension RechargeDatabase {
    /// Settled lines (SUCCESS, FAILED or CANCELLED) of a batch that were ever sent, in file order, each with the keys
    /// to ask the provider about: what verification checks. A SUCCESS or FAILED line is asked about under its
    /// current key; a CANCELLED line under every key it was ever sent with (a retry clears the line's key, not its
    /// attempts), since none of them may have moved money.
    package func settledSentLines(batchID: Int64) throws -> [SentLine] {
        try self.writer.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(LineRecord.selection), (SELECT group_concat(DISTINCT attempt.idempotency_key) FROM attempt WHERE attempt.line_id = line.id)
                        AS attempt_keys
                    FROM line WHERE batch_id = ? AND state IN ('SUCCESS', 'FAILED', 'CANCELLED')
                        AND (idempotency_key IS NOT NULL OR EXISTS (SELECT 1 FROM attempt WHERE attempt.line_id = line.id))
                    ORDER BY line_number
                    """,
                arguments: [batchID])
            return try rows.map { row in
                let line = try LineRecord(columns: row)
                let attemptKeys = (row[LineRecord.selectionCount] as String?)?.split(separator: ",").map(String.init) ?? []
                let keys = line.state == .cancelled ? attemptKeys.sorted() : [line.idempotencyKey].compactMap { $0 }
                return SentLine(line: line, keys: keys)
            }
        }
    }

    /// The mismatches already recorded for a batch, as `lineID/kind`, so a second verification does not record
    /// the same finding twice.
    package func recordedMismatches(batchID: Int64) throws -> Set<String> {
        try self.writer.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT mismatch.line_id, mismatch.kind FROM mismatch JOIN line ON line.id = mismatch.line_id WHERE line.batch_id = ?",
                arguments: [batchID])
            return Set(rows.map { "\($0[0] as Int64)/\($0[1] as String)" })
        }
    }
}

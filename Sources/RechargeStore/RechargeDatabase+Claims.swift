import Foundation
import GRDB
import RechargeCore

/// A line taken for sending: its record after the claim, and the key and attempt it is sent under.
public struct ClaimedLine: Hashable, Sendable {
    public var line: LineRecord
    public var batchUID: String
    public var key: IdempotencyKey
    public var attemptNumber: Int
}

/// A line in flight, as recovery finds it: the key it was sent under and the evidence recorded before sending.
public struct InFlightLine: Hashable, Sendable {
    public var line: LineRecord
    public var key: IdempotencyKey
    public var attemptNumber: Int
    public var evidence: String?
    /// When the latest attempt was claimed.
    public var claimedAt: String
    /// When its request actually left, if that was recorded (it is, with any answer); `nil` after a crash while
    /// the request was on its way.
    public var sentAt: String?
}

extension RechargeDatabase {
    /// Pending lines of `account` that are due, in file order, at most `limit`.
    ///
    /// With `onePerCard` (providers without a merchant key), a line is left out while another line of the same
    /// card is in flight, and only the first line of each card is returned: a comparison of card snapshots is
    /// sound only with one recharge per card in flight.
    public func dueLines(account: String, batchID: Int64? = nil, limit: Int, onePerCard: Bool, now: Date) throws -> [LineRecord] {
        let due = Timestamp.string(now)
        return try self.writer.read { db in
            var sql = """
                SELECT * FROM line
                WHERE account = ? AND state = 'PENDING' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
                """
            var arguments: StatementArguments = [account, due]
            if let batchID {
                sql += " AND batch_id = ?"
                arguments += [batchID]
            }
            if onePerCard {
                sql += """
                     AND NOT EXISTS (SELECT 1 FROM line AS busy
                        WHERE busy.account = line.account AND busy.card_id = line.card_id AND busy.state = 'PROCESSING')
                    """
            }
            sql += " ORDER BY batch_id, line_number LIMIT ?"
            arguments += [onePerCard ? limit * 4 : limit]
            var lines = try LineRecord.fetchAll(db, sql: sql, arguments: arguments)
            if onePerCard {
                var seen: Set<String> = []
                lines = lines.filter { seen.insert($0.cardID).inserted }
            }
            return Array(lines.prefix(limit))
        }
    }

    /// Claims lines for sending, in one transaction (a group commit): each goes PENDING → PROCESSING with its
    /// idempotency key, an attempt row (with the evidence recorded before sending) and an event.
    ///
    /// This is the durability rule: the caller sends a request only for a line returned here, after this
    /// returns, so a crash at any later point leaves the line PROCESSING with its key — resolved by a status
    /// query, never re-sent under a new key. A line no longer PENDING (cancelled meanwhile) is skipped.
    public func claim(_ claims: [(lineID: Int64, evidence: String?)], actor: String = "engine", now: Date) throws -> [ClaimedLine] {
        let at = Timestamp.string(now)
        return try self.writer.write { db in
            var claimed: [ClaimedLine] = []
            // Cached statements: this runs once per line of a batch.
            let select = try db.cachedStatement(
                sql: """
                    SELECT line.*, batch.uid AS batch_uid
                    FROM line JOIN batch ON batch.id = line.batch_id WHERE line.id = ? AND line.state = 'PENDING'
                    """)
            let update = try db.cachedStatement(
                sql: """
                    UPDATE line SET state = 'PROCESSING', idempotency_key = ?, attempts = ?, next_attempt_at = NULL, updated_at = ?,
                        first_sent_at = coalesce(first_sent_at, ?)
                    WHERE id = ? AND state = 'PENDING'
                    """)
            let insertAttempt = try db.cachedStatement(
                sql: """
                    INSERT INTO attempt (line_id, number, generation, idempotency_key, kind, started_at, evidence)
                    VALUES (?, ?, ?, ?, 'recharge', ?, ?)
                    """)
            for (lineID, evidence) in claims {
                guard let row = try Row.fetchOne(select, arguments: [lineID]) else { continue }
                var line = try LineRecord(row: row)
                let batchUID: String = row["batch_uid"]
                let key = IdempotencyKey(batchUID: batchUID, lineNumber: line.lineNumber, generation: line.generation)
                let attemptNumber = line.attempts + 1
                try update.execute(arguments: [key.hex, attemptNumber, at, at, lineID])
                guard db.changesCount == 1 else { continue }
                try insertAttempt.execute(arguments: [lineID, attemptNumber, line.generation, key.hex, at, evidence])
                try Self.appendEvent(
                    db, lineID: lineID, at: at, actor: actor, kind: LineEvent.claim.description, from: .pending, to: .processing,
                    detail: "attempt \(attemptNumber), key \(key.hex)")
                // The record as the update left it, without reading it back.
                line.state = .processing
                line.idempotencyKey = key.hex
                line.attempts = attemptNumber
                line.updatedAt = at
                line.firstSentAt = line.firstSentAt ?? at
                claimed.append(ClaimedLine(line: line, batchUID: batchUID, key: key, attemptNumber: attemptNumber))
            }
            return claimed
        }
    }

    /// Every line in flight (PROCESSING), oldest first, with the key and evidence of its latest attempt:
    /// what recovery resolves before anything new is sent.
    public func inFlightLines(account: String? = nil) throws -> [InFlightLine] {
        try self.writer.read { db in
            let filter = account == nil ? "" : "AND line.account = ?"
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT line.id AS line_id, attempt.number, attempt.evidence, attempt.started_at, attempt.sent_at
                    FROM line JOIN attempt ON attempt.line_id = line.id
                        AND attempt.number = (SELECT max(number) FROM attempt WHERE line_id = line.id)
                    WHERE line.state = 'PROCESSING' \(filter)
                    ORDER BY attempt.started_at, line.id
                    """,
                arguments: account.map { [$0] } ?? [])
            return try rows.compactMap { row -> InFlightLine? in
                guard let line = try LineRecord.fetchOne(db, sql: "SELECT * FROM line WHERE id = ?", arguments: [row["line_id"] as Int64]),
                    let hex = line.idempotencyKey, let key = IdempotencyKey(hex: hex)
                else { return nil }
                return InFlightLine(
                    line: line, key: key, attemptNumber: row["number"], evidence: row["evidence"], claimedAt: row["started_at"],
                    sentAt: row["sent_at"])
            }
        }
    }

    /// Each attempt of a line, in order: when it was claimed and when its request left (if recorded).
    public func attemptTimes(lineID: Int64) throws -> [(number: Int, claimedAt: Date?, sentAt: Date?)] {
        try self.writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT number, started_at, sent_at FROM attempt WHERE line_id = ? ORDER BY number", arguments: [lineID]
            )
            .map { row in
                (row[0], (row[1] as String?).flatMap(Timestamp.date(from:)), (row[2] as String?).flatMap(Timestamp.date(from:)))
            }
        }
    }

    /// The earliest moment a request under `key` may have left for `lineID`: the first attempt under the key, by
    /// its recorded send or, where none was recorded, its claim (which came before the send). A provider's dedupe
    /// window is measured from here, so it is never taken to run later than it does.
    public func firstSend(lineID: Int64, key: IdempotencyKey) throws -> Date? {
        try self.writer.read { db in
            let first = try String.fetchOne(
                db, sql: "SELECT min(coalesce(sent_at, started_at)) FROM attempt WHERE line_id = ? AND idempotency_key = ?",
                arguments: [lineID, key.hex])
            return first.flatMap(Timestamp.date(from:))
        }
    }

    /// Records what became of an attempt and applies the matching line event, in one transaction.
    ///
    /// - Parameters:
    ///   - event: the line event (`applied`, `rejected`, `notApplied`, `inDoubt`, `unresolvable`).
    ///   - nextAttemptAt: when a line sent back to PENDING may be claimed again (backoff, `Retry-After`).
    /// - Returns: the line's state afterwards.
    @discardableResult
    public func recordOutcome(
        lineID: Int64, attemptNumber: Int, event: LineEvent, outcome: String, errorCode: String? = nil, errorMessage: String? = nil,
        providerReference: String? = nil, receipt: ProviderReceipt? = nil, nextAttemptAt: Date? = nil, sentAt: Date? = nil,
        actor: String = "engine", now: Date
    ) throws -> LineState {
        let record = OutcomeRecord(
            lineID: lineID, attemptNumber: attemptNumber, event: event, outcome: outcome, errorCode: errorCode, errorMessage: errorMessage,
            providerReference: providerReference, receipt: receipt, nextAttemptAt: nextAttemptAt, sentAt: sentAt, actor: actor)
        return try self.recordOutcomes([record], now: now)[0].get()
    }

    static func appendEvent(
        _ db: Database, lineID: Int64, at: String, actor: String, kind: String, from: LineState, to: LineState, detail: String?
    ) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO event (batch_id, line_id, at, actor, kind, from_state, to_state, detail)
                SELECT batch_id, id, ?, ?, ?, ?, ?, ? FROM line WHERE id = ?
                """
        ).execute(arguments: [at, actor, kind, from.rawValue, to.rawValue, detail, lineID])
    }
}

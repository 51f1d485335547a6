import Foundation
import GRDB
import RechargeCore

extension RechargeDatabase {
    /// Pending lines of `account` that are due, in file order, at most `limit`, each with its batch's uid and
    /// the key it would be sent under.
    ///
    /// With `onePerCard` (providers without a merchant key), a line is left out while another line of the same
    /// card is in flight, and only the first line of each card is returned: a comparison of card snapshots is
    /// sound only with one recharge per card in flight.
    package func dueLines(account: String, batchID: Int64? = nil, limit: Int, onePerCard: Bool, now: Date) throws -> [DueLine] {
        try self.writer.read { db in
            try Self.dueLines(db, account: account, batchID: batchID, limit: limit, onePerCard: onePerCard, now: now)
        }
    }

    /// Finds and claims up to `limit` due lines of `account` in one transaction (see ``dueLines(account:batchID:limit:onePerCard:now:)``
    /// and ``claim(_:actor:now:)``), for accounts without a card read or a one-line-per-card rule.
    package func claimDue(
        account: String, batchID: Int64? = nil, limit: Int, actor: String = "engine", now: Date
    ) throws
        -> [ClaimedLine]
    {
        let target = try Self.claimTarget()
        let at = Timestamp.string(now)
        return try self.writer.write { db in
            let due = try Self.dueLines(db, account: account, batchID: batchID, limit: limit, onePerCard: false, now: now)
            return try Self.claim(db, due.map { LineClaim($0) }, target: target, actor: actor, at: at)
        }
    }

    /// The due-lines query: one of four texts, by whether a batch is named and whether a card takes one line at a time.
    static func dueLinesSQL(batch: Bool, onePerCard: Bool) -> String {
        var sql = """
            SELECT \(LineRecord.selection), batch.uid FROM line JOIN batch ON batch.id = line.batch_id
            WHERE line.account = ? AND line.state = 'PENDING' AND (line.next_attempt_at IS NULL OR line.next_attempt_at <= ?)
                AND batch.approval_state IN ('NOT_REQUIRED', 'APPROVED')
            """
        if batch { sql += " AND line.batch_id = ?" }
        if onePerCard {
            // Served by the partial index line_processing_by_card, which holds only the lines in flight.
            sql += """
                 AND NOT EXISTS (SELECT 1 FROM line AS busy
                    WHERE busy.account = line.account AND busy.card_id = line.card_id AND busy.state = 'PROCESSING')
                """
        }
        return sql + " ORDER BY line.batch_id, line.line_number LIMIT ?"
    }

    static func dueLines(_ db: Database, account: String, batchID: Int64?, limit: Int, onePerCard: Bool, now: Date) throws -> [DueLine] {
        let sql = Self.dueLinesSQL(batch: batchID != nil, onePerCard: onePerCard)
        var arguments: StatementArguments = [account, Timestamp.string(now)]
        if let batchID { arguments += [batchID] }
        // One line per card: the query leaves out cards with a line in flight, and a card's second due line is skipped
        // below, so twice the lines asked for are read (each is decoded: four times cost VCC and PayCertify 4 % more
        // CPU per line, docs/benchmarks.md). Fewer found only means a smaller claim this round.
        arguments += [onePerCard ? limit * 2 : limit]
        // Cached: one of four texts, run on every claim.
        let statement = try db.cachedStatement(sql: sql)
        // Stepped row by row: a card's second due line is skipped before its row is decoded, and stepping stops once
        // `limit` lines are kept.
        var lines: [DueLine] = []
        lines.reserveCapacity(limit)
        var seen: Set<String> = []
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        while lines.count < limit, let row = try rows.next() {
            if onePerCard {
                let cardID: String = row[5]
                guard seen.insert(cardID).inserted else { continue }
            }
            lines.append(DueLine(line: try LineRecord(columns: row), batchUID: row[LineRecord.selectionCount]))
        }
        return lines
    }

    /// Claims lines by id: each still PENDING is claimed as a due line is claimed;
    /// the others are left out. For operators and tests, which hold ids rather than due lines.
    package func claim(_ claims: [(lineID: Int64, evidence: String?)], actor: String = "engine", now: Date) throws -> [ClaimedLine] {
        let lines = try self.writer.read { db in
            let select = try db.cachedStatement(
                sql: """
                    SELECT \(LineRecord.selection), batch.uid
                    FROM line JOIN batch ON batch.id = line.batch_id WHERE line.id = ? AND line.state = 'PENDING'
                    """)
            return try claims.compactMap { claim -> LineClaim? in
                guard let row = try Row.fetchOne(select, arguments: [claim.lineID]) else { return nil }
                return LineClaim(
                    DueLine(line: try LineRecord(columns: row), batchUID: row[LineRecord.selectionCount]), evidence: claim.evidence)
            }
        }
        return try self.claim(lines, actor: actor, now: now)
    }

    /// Claims due lines for sending, in one transaction (a group commit): each goes PENDING → PROCESSING, as the
    /// line state machine has it, with its idempotency key, an attempt row (with the evidence recorded before
    /// sending) and an event.
    ///
    /// This is the durability rule: the caller sends a request only for a line returned here, after this
    /// returns, so a crash at any later point leaves the line PROCESSING with its key — resolved by a status
    /// query, never re-sent under a new key. A line no longer PENDING under the generation and attempt count it
    /// was read with (cancelled, or moved by someone else meanwhile) is skipped: its key would not be the one
    /// derived when it was read.
    package func claim(_ claims: [LineClaim], actor: String = "engine", now: Date) throws -> [ClaimedLine] {
        let target = try Self.claimTarget()
        let at = Timestamp.string(now)
        return try self.writer.write { db in try Self.claim(db, claims, target: target, actor: actor, at: at) }
    }

    /// The state a claim moves a line to, as the line state machine has it.
    static func claimTarget() throws -> LineState {
        do {
            guard case .transition(let next, _) = try LineStateMachine.action(from: .pending, on: .claim) else {
                throw StoreError(.illegalTransition, "the line state machine keeps a claimed line PENDING")
            }
            return next
        } catch let refusal as IllegalTransition {
            throw StoreError(.illegalTransition, refusal.description)
        }
    }

    static func claim(_ db: Database, _ claims: [LineClaim], target: LineState, actor: String, at: String) throws -> [ClaimedLine] {
        var claimed: [ClaimedLine] = []
        claimed.reserveCapacity(claims.count)
        // Cached statements, fetched once per transaction and bound directly: this runs once per line of a batch.
        let update = DirectStatement(
            try db.cachedStatement(
                sql: """
                    UPDATE line SET state = ?, idempotency_key = ?, attempts = ?, next_attempt_at = NULL, updated_at = ?,
                        first_sent_at = coalesce(first_sent_at, ?)
                    WHERE id = ? AND state = 'PENDING' AND generation = ? AND attempts = ?
                    """))
        let insertAttempt = DirectStatement(
            try db.cachedStatement(
                sql: """
                    INSERT INTO attempt (line_id, number, generation, idempotency_key, kind, started_at, evidence)
                    VALUES (?, ?, ?, ?, 'recharge', ?, ?)
                    """))
        let insertEvent = DirectStatement(try db.cachedStatement(sql: Self.insertEventSQL))
        for claim in claims {
            var line = claim.line.line
            let key = claim.line.key
            let attemptNumber = line.attempts + 1
            try update.run(
                .text(target.rawValue), .text(key.hex), .integer(attemptNumber), .text(at), .text(at), .integer(line.id),
                .integer(line.generation), .integer(line.attempts))
            guard db.changesCount == 1 else { continue }
            try insertAttempt.run(
                .integer(line.id), .integer(attemptNumber), .integer(line.generation), .text(key.hex), .text(at), .text(claim.evidence))
            try insertEvent.run(
                .integer(line.batchID), .integer(line.id), .text(at), .text(actor), .text(LineEvent.claim.description),
                .text(LineState.pending.rawValue), .text(target.rawValue), .text("attempt \(attemptNumber), key \(key.hex)"))
            // The record as the update left it, without reading it back.
            line.state = target
            line.idempotencyKey = key.hex
            line.attempts = attemptNumber
            line.updatedAt = at
            line.firstSentAt = line.firstSentAt ?? at
            claimed.append(ClaimedLine(line: line, batchUID: claim.line.batchUID, key: key, attemptNumber: attemptNumber))
        }
        return claimed
    }

    /// Every line in flight (PROCESSING), oldest first, with the key and evidence of its latest attempt:
    /// what recovery resolves before anything new is sent.
    package func inFlightLines(account: String? = nil) throws -> [InFlightLine] {
        try self.writer.read { db in
            let filter = account == nil ? "" : "AND line.account = ?"
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(LineRecord.selection), attempt.number, attempt.evidence, attempt.started_at, attempt.sent_at
                    FROM line JOIN attempt ON attempt.line_id = line.id
                        AND attempt.number = (SELECT max(number) FROM attempt WHERE line_id = line.id)
                    WHERE line.state = 'PROCESSING' \(filter)
                    ORDER BY attempt.started_at, line.id
                    """,
                arguments: account.map { [$0] } ?? [])
            let first = LineRecord.selectionCount
            return try rows.compactMap { row -> InFlightLine? in
                let line = try LineRecord(columns: row)
                guard let hex = line.idempotencyKey, let key = IdempotencyKey(hex: hex) else { return nil }
                return InFlightLine(
                    line: line, key: key, attemptNumber: row[first], evidence: row[first + 1], claimedAt: row[first + 2],
                    sentAt: row[first + 3])
            }
        }
    }

    /// Each attempt of a line, in order: when it was claimed and when its request left (if recorded).
    package func attemptTimes(lineID: Int64) throws -> [(number: Int, claimedAt: Date?, sentAt: Date?)] {
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
    package func firstSend(lineID: Int64, key: IdempotencyKey) throws -> Date? {
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
    package func recordOutcome(
        lineID: Int64, attemptNumber: Int, event: LineEvent, outcome: String, errorCode: String? = nil, errorMessage: String? = nil,
        providerReference: String? = nil, receipt: ProviderReceipt? = nil, nextAttemptAt: Date? = nil, sentAt: Date? = nil,
        actor: String = "engine", now: Date
    ) throws -> LineState {
        let record = OutcomeRecord(
            lineID: lineID, attemptNumber: attemptNumber, event: event, outcome: outcome, errorCode: errorCode, errorMessage: errorMessage,
            providerReference: providerReference, receipt: receipt, nextAttemptAt: nextAttemptAt, sentAt: sentAt, actor: actor)
        return try self.recordOutcomes([record], now: now)[0].get()
    }

    /// A line's event when its batch is known (the engine's paths, which hold the line): no lookup.
    static let insertEventSQL = """
        INSERT INTO event (batch_id, line_id, at, actor, kind, from_state, to_state, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """
}

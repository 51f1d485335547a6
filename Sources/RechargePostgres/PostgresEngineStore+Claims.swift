import Foundation
import PostgresNIO
import RechargeCore

extension PostgresEngineStore {
    /// The due-lines query: pending, due, of a batch that may run, in file order. `lock` takes the rows for this
    /// transaction and skips rows another runner's claim holds; `onePerCard` leaves out cards with a line in flight
    /// and reads each card's turn.
    static func dueLinesSQL(batch: Bool, onePerCard: Bool, lock: Bool) -> String {
        var sql = """
            SELECT \(LineRecord.postgresSelection), batch.uid\(onePerCard ? ", coalesce(card_turn.turn, 0)" : "")
            FROM line JOIN batch ON batch.id = line.batch_id
            """
        if onePerCard { sql += " LEFT JOIN card_turn ON card_turn.account = line.account AND card_turn.card_id = line.card_id" }
        sql += """
             WHERE line.account = $1 AND line.state = 'PENDING' AND (line.next_attempt_at IS NULL OR line.next_attempt_at <= $2)
                AND batch.approval_state IN ('NOT_REQUIRED', 'APPROVED')
            """
        if batch { sql += " AND line.batch_id = $4" }
        if onePerCard {
            sql += """
                 AND NOT EXISTS (SELECT 1 FROM line AS busy
                    WHERE busy.account = line.account AND busy.card_id = line.card_id AND busy.state = 'PROCESSING')
                """
        }
        sql += " ORDER BY line.batch_id, line.line_number LIMIT $3"
        if lock { sql += " FOR UPDATE OF line SKIP LOCKED" }
        return sql
    }

    static func dueQuery(account: String, batchID: Int64?, limit: Int, onePerCard: Bool, lock: Bool, now: Date) -> PostgresQuery {
        var binds = PostgresBindings()
        try? binds.append(account)
        try? binds.append(Timestamp.string(now))
        try? binds.append(onePerCard ? limit * 2 : limit)
        if let batchID { try? binds.append(batchID) }
        return PostgresQuery(unsafeSQL: Self.dueLinesSQL(batch: batchID != nil, onePerCard: onePerCard, lock: lock), binds: binds)
    }

    static func dueLines(_ rows: [PostgresRandomAccessRow], onePerCard: Bool, limit: Int) throws -> [DueLine] {
        let uid = LineRecord.postgresSelectionCount
        var seen: Set<String> = []
        var lines: [DueLine] = []
        for row in rows {
            // A card's second due line is skipped on its card id (column 5), before the row is decoded.
            if onePerCard, !seen.insert(try row.value(5, as: String.self)).inserted { continue }
            let line = try LineRecord(postgres: row)
            let turn: Int64? = onePerCard ? try row.value(uid + 1) : nil
            lines.append(DueLine(line: line, batchUID: try row.value(uid), cardTurn: turn))
            if lines.count == limit { break }
        }
        return lines
    }

    package func dueLines(account: String, batchID: Int64?, limit: Int, onePerCard: Bool, now: Date) async throws -> [DueLine] {
        let rows = try await self.query(
            Self.dueQuery(account: account, batchID: batchID, limit: limit, onePerCard: onePerCard, lock: false, now: now)
        ).rows()
        return try Self.dueLines(rows, onePerCard: onePerCard, limit: limit)
    }

    /// Finds, locks and claims in one transaction; rows another runner is claiming are skipped, not waited for.
    package func claimDue(account: String, batchID: Int64?, limit: Int, actor: String, now: Date) async throws -> [ClaimedLine] {
        try await self.store.transaction { connection in
            let rows = try await connection.query(
                Self.dueQuery(account: account, batchID: batchID, limit: limit, onePerCard: false, lock: true, now: now),
                logger: self.logger
            ).rows()
            let due = try Self.dueLines(rows, onePerCard: false, limit: limit)
            return try await self.claim(due.map { LineClaim($0) }, actor: actor, now: now, on: connection)
        }
    }

    package func claim(_ claims: [LineClaim], actor: String, now: Date) async throws -> [ClaimedLine] {
        try await self.store.transaction { connection in try await self.claim(claims, actor: actor, now: now, on: connection) }
    }

    /// Claims inside a transaction. Each line must still be PENDING under the generation and attempt count it was read
    /// with, and, where it carries a card turn, its card must not have been claimed since (by any runner): the card
    /// read recorded as evidence is then the card's state just before this send.
    private func claim(
        _ claims: [LineClaim], actor: String, now: Date, on connection: PostgresConnection
    ) async throws
        -> [ClaimedLine]
    {
        guard !claims.isEmpty else { return [] }
        let at = Timestamp.string(now)
        var eligible: [LineClaim] = []
        for claim in claims {
            guard let turn = claim.line.cardTurn else {
                eligible.append(claim)
                continue
            }
            let line = claim.line.line
            // The row lock of the card's turn serialises claims of one card across runners; a changed turn is a claim
            // that came between this line's read and now.
            let taken: [Int32] =
                if turn == 0 {
                    try await connection.query(
                        """
                        INSERT INTO card_turn (account, card_id, turn) VALUES (\(line.account), \(line.cardID), 1)
                        ON CONFLICT DO NOTHING RETURNING 1
                        """, logger: self.logger
                    ).values(Int32.self)
                } else {
                    try await connection.query(
                        """
                        UPDATE card_turn SET turn = turn + 1
                        WHERE account = \(line.account) AND card_id = \(line.cardID) AND turn = \(turn) RETURNING 1
                        """, logger: self.logger
                    ).values(Int32.self)
                }
            if taken.count == 1 { eligible.append(claim) }
        }
        guard !eligible.isEmpty else { return [] }
        let ids = eligible.map(\.line.line.id)
        let keys = eligible.map(\.line.key.hex)
        let generations = eligible.map { Int64($0.line.line.generation) }
        let attempts = eligible.map { Int64($0.line.line.attempts) }
        let updated = try await connection.query(
            """
            UPDATE line SET state = 'PROCESSING', idempotency_key = claim.key, attempts = line.attempts + 1, next_attempt_at = NULL,
                updated_at = \(at), first_sent_at = coalesce(line.first_sent_at, \(at)), claimed_by = \(self.runner),
                claim_token = nextval('claim_token_seq')
            FROM unnest(\(ids)::bigint[], \(keys)::text[], \(generations)::bigint[], \(attempts)::bigint[])
                AS claim(id, key, generation, attempts)
            WHERE line.id = claim.id AND line.state = 'PENDING' AND line.generation = claim.generation
                AND line.attempts = claim.attempts
            RETURNING line.id, line.claim_token
            """, logger: self.logger
        ).rows()
        var tokens: [Int64: Int64] = [:]
        for row in updated { tokens[try row.value(0)] = try row.value(1) }
        var claimed: [ClaimedLine] = []
        var attemptRows: (ids: [Int64], numbers: [Int64], generations: [Int64], keys: [String], tokens: [Int64]) = ([], [], [], [], [])
        for claim in eligible {
            guard let token = tokens[claim.line.line.id] else { continue }
            var line = claim.line.line
            let number = line.attempts + 1
            if let evidence = claim.evidence {
                try await connection.query(
                    """
                    INSERT INTO attempt (line_id, number, generation, idempotency_key, kind, started_at, evidence, runner, claim_token)
                    VALUES (\(line.id), \(number), \(line.generation), \(claim.line.key.hex), 'recharge', \(at), \(evidence),
                        \(self.runner), \(token))
                    """, logger: self.logger)
            } else {
                attemptRows.ids.append(line.id)
                attemptRows.numbers.append(Int64(number))
                attemptRows.generations.append(Int64(line.generation))
                attemptRows.keys.append(claim.line.key.hex)
                attemptRows.tokens.append(token)
            }
            line.state = .processing
            line.idempotencyKey = claim.line.key.hex
            line.attempts = number
            line.updatedAt = at
            line.firstSentAt = line.firstSentAt ?? at
            claimed.append(ClaimedLine(line: line, batchUID: claim.line.batchUID, key: claim.line.key, attemptNumber: number, fence: token))
        }
        if !attemptRows.ids.isEmpty {
            try await connection.query(
                """
                INSERT INTO attempt (line_id, number, generation, idempotency_key, kind, started_at, runner, claim_token)
                SELECT id, number, generation, key, 'recharge', \(at), \(self.runner), token
                FROM unnest(\(attemptRows.ids)::bigint[], \(attemptRows.numbers)::bigint[], \(attemptRows.generations)::bigint[],
                    \(attemptRows.keys)::text[], \(attemptRows.tokens)::bigint[]) AS a(id, number, generation, key, token)
                """, logger: self.logger)
        }
        let claimedIDs = claimed.map(\.line.id)
        let details = claimed.map { "attempt \($0.attemptNumber), key \($0.key.hex), claim token \($0.fence)" }
        try await connection.query(
            """
            INSERT INTO event (batch_id, line_id, at, actor, kind, from_state, to_state, detail)
            SELECT line.batch_id, line.id, \(at), \(actor), 'claim', 'PENDING', 'PROCESSING', d.detail
            FROM unnest(\(claimedIDs)::bigint[], \(details)::text[]) AS d(id, detail) JOIN line ON line.id = d.id
            """, logger: self.logger)
        return claimed
    }

    // MARK: Outcomes

    /// Records outcomes in one transaction. Each is a guarded update of a line still PROCESSING under the record's
    /// fencing token; a record under an older token fails alone with ``StoreError/Code/claimLost`` (the line was
    /// adopted by another runner), one of a line no longer in flight with `stateChanged`.
    package func recordOutcomes(_ records: [OutcomeRecord], now: Date) async throws -> [Result<LineState, StoreError>] {
        let at = Timestamp.string(now)
        return try await self.store.transaction { connection in
            var results: [Result<LineState, StoreError>] = []
            for record in records {
                results.append(try await self.recordOutcome(record, at: at, on: connection))
            }
            return results
        }
    }

    private func recordOutcome(
        _ record: OutcomeRecord, at: String, on connection: PostgresConnection
    ) async throws
        -> Result<LineState, StoreError>
    {
        let action: LineAction
        do {
            action = try LineStateMachine.action(from: .processing, on: record.event)
        } catch {
            return .failure(StoreError(.illegalTransition, error.description))
        }
        let receipt = record.receipt
        let reference = record.providerReference ?? receipt?.providerReference
        var target = LineState.processing
        let updated: [Int32]
        if case .transition(let next, _) = action {
            target = next
            updated = try await connection.query(
                """
                UPDATE line SET state = \(next.rawValue), provider_reference = coalesce(\(reference), provider_reference),
                    last_error_code = \(record.errorCode), last_error_message = \(record.errorMessage),
                    next_attempt_at = \(record.nextAttemptAt.map(Timestamp.string)), updated_at = \(at),
                    credited_minor = coalesce(\(receipt?.credited?.minorUnits), credited_minor),
                    credited_currency = coalesce(\(receipt?.credited?.currency.code), credited_currency),
                    fee_minor = coalesce(\(receipt?.fee?.minorUnits), fee_minor), fee_currency = coalesce(\(receipt?.fee?.unit), fee_currency),
                    completed_at = \(next.isSettled ? at : nil), claimed_by = NULL
                WHERE id = \(record.lineID) AND state = 'PROCESSING' AND claim_token = \(record.fence)
                RETURNING 1
                """, logger: self.logger
            ).values(Int32.self)
        } else {
            updated = try await connection.query(
                """
                UPDATE line SET last_error_code = \(record.errorCode), last_error_message = \(record.errorMessage), updated_at = \(at),
                    provider_reference = coalesce(\(reference), provider_reference)
                WHERE id = \(record.lineID) AND state = 'PROCESSING' AND claim_token = \(record.fence)
                RETURNING 1
                """, logger: self.logger
            ).values(Int32.self)
        }
        guard updated.count == 1 else {
            let current = try await connection.query(
                "SELECT state, claim_token FROM line WHERE id = \(record.lineID)", logger: self.logger
            ).rows()
            if let row = current.first, try row.value(0, as: String.self) == LineState.processing.rawValue,
                try row.value(1, as: Int64.self) != record.fence
            {
                return .failure(
                    StoreError(.claimLost, "line \(record.lineID) was adopted by another runner (claim token \(record.fence) is stale)"))
            }
            return .failure(StoreError(.stateChanged, "line \(record.lineID) is no longer PROCESSING"))
        }
        try await connection.query(
            """
            UPDATE attempt SET finished_at = \(at), outcome = \(record.outcome), error_code = \(record.errorCode),
                error_message = \(record.errorMessage), sent_at = coalesce(sent_at, \(record.sentAt.map(Timestamp.string)))
            WHERE line_id = \(record.lineID) AND number = \(record.attemptNumber)
            """, logger: self.logger)
        let detail = [record.outcome, record.errorCode, record.errorMessage, reference.map { "reference \($0)" }].compactMap { $0 }
            .joined(separator: "; ")
        try await connection.query(
            """
            INSERT INTO event (batch_id, line_id, at, actor, kind, from_state, to_state, detail)
            SELECT batch_id, id, \(at), \(record.actor), \(record.event.description), 'PROCESSING', \(target.rawValue), \(detail)
            FROM line WHERE id = \(record.lineID)
            """, logger: self.logger)
        return .success(target)
    }
}

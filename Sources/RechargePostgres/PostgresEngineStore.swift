import Foundation
import PostgresNIO
import RechargeCore

/// The engine's store on PostgreSQL, for one runner among several sharing the database.
///
/// Unlike SQLite's single lease, every runner holds its own: a row in `runner` with a heartbeat on the server's clock.
/// Claims take due lines with `FOR UPDATE SKIP LOCKED`, so runners never wait on each other's lines, and stamp each
/// with this runner and a fencing token from one sequence; every later write of the line names that token, so a
/// runner that lost a line (paused past its lease, cut off) cannot record over the runner that adopted it. A line in
/// flight under an expired lease is adopted by any runner and resolved by the provider's lookup, never re-sent blindly.
package struct PostgresEngineStore: EngineStore, ReconcileStore, SharedRateBudget {
    package let store: PostgresStore
    /// The runner this store speaks for: the holder its claims and adoptions are stamped with.
    package let runner: String

    package init(_ store: PostgresStore, runner: String) {
        self.store = store
        self.runner = runner
    }

    var logger: Logger { self.store.logger }

    func query(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        try await self.store.run { try await self.store.client.query(query, logger: self.logger) }
    }

    // MARK: Lease and runs

    /// Registers this runner; several runners hold leases at once, so it is never refused.
    package func acquireLease(_ runner: LeaseClaim, now: Date) async throws -> LeaseResult {
        precondition(runner.holder == self.runner, "a PostgreSQL engine store speaks for one runner")
        let ttl = runner.ttl
        try await self.query(
            """
            INSERT INTO runner (holder, host, pid, acquired_at, heartbeat_at, expires_at)
            VALUES (\(runner.holder), \(runner.host), \(runner.pid), clock_timestamp(), clock_timestamp(),
                clock_timestamp() + make_interval(secs => \(ttl)))
            ON CONFLICT (holder) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at
            WHERE runner.stopped_at IS NULL AND runner.expires_at > clock_timestamp()
            """
        ).values(Int.self)
        return .acquired(tookOverFrom: nil)
    }

    /// Never needed: no runner waits for another's lease.
    package func takeOverLease(from previous: LeaseHolder, by runner: LeaseClaim, now: Date) async throws -> Bool { false }

    /// Extends this runner's lease while it is still live by the server's clock: once it expired, its lines may have
    /// been adopted, and the runner must stop. The adoption locks expired runners' rows, so a renewal in progress is
    /// either seen by it (and the lines stay) or fails here.
    package func renewLease(holder: String, ttl: TimeInterval, now: Date) async throws -> Bool {
        let renewed = try await self.query(
            """
            UPDATE runner SET heartbeat_at = clock_timestamp(), expires_at = clock_timestamp() + make_interval(secs => \(ttl))
            WHERE holder = \(holder) AND stopped_at IS NULL AND expires_at > clock_timestamp()
            RETURNING 1
            """
        ).values(Int32.self)
        return renewed.count == 1
    }

    /// Ends this runner's lease: lines it left in flight are adopted by the next runner that looks.
    package func releaseLease(holder: String) async throws {
        try await self.query(
            "UPDATE runner SET stopped_at = clock_timestamp(), expires_at = clock_timestamp() WHERE holder = \(holder)"
        ).values(Int32.self)
    }

    package func startRun(_ runner: LeaseClaim, batchID: Int64?, now: Date) async throws -> Int64 {
        let id = try await self.query(
            """
            INSERT INTO run (holder, host, pid, batch_id, started_at)
            VALUES (\(runner.holder), \(runner.host), \(runner.pid), \(batchID), \(Timestamp.string(now))) RETURNING id
            """
        ).values(Int64.self)
        guard let first = id.first else { throw StoreError(.io, "the run could not be recorded") }
        return first
    }

    package func finishRun(id: Int64, outcome: String, now: Date) async throws {
        try await self.query(
            "UPDATE run SET finished_at = \(Timestamp.string(now)), outcome = \(outcome) WHERE id = \(id)"
        ).values(Int32.self)
    }

    // MARK: Schedule

    static let batchesThatMayRun = "SELECT id FROM batch WHERE approval_state IN ('NOT_REQUIRED', 'APPROVED')"

    package func batchesWithWork() async throws -> [Int64] {
        try await self.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT DISTINCT batch_id FROM line WHERE state IN ('PENDING', 'PROCESSING')
                        AND batch_id IN (\(Self.batchesThatMayRun)) ORDER BY batch_id
                    """)
        ).values(Int64.self)
    }

    /// The provider accounts with lines pending or in flight (in `batchID`, or in every batch that may run).
    package func accountsWithWork(batchID: Int64?) async throws -> Set<String> {
        let query: PostgresQuery =
            if let batchID {
                "SELECT DISTINCT account FROM line WHERE state IN ('PENDING', 'PROCESSING') AND batch_id = \(batchID)"
            } else {
                PostgresQuery(
                    unsafeSQL: """
                        SELECT DISTINCT account FROM line WHERE state IN ('PENDING', 'PROCESSING')
                            AND batch_id IN (\(Self.batchesThatMayRun))
                        """)
            }
        return Set(try await self.query(query).values(String.self))
    }

    package func work(account: String, batchID: Int64?, now: Date) async throws -> AccountWork {
        let rows = try await self.query(
            """
            SELECT count(*) FILTER (WHERE state = 'PENDING'), count(*) FILTER (WHERE state = 'PROCESSING'),
                min(next_attempt_at) FILTER (WHERE state = 'PENDING' AND next_attempt_at > \(Timestamp.string(now)))
            FROM line JOIN batch ON batch.id = line.batch_id
            WHERE line.account = \(account) AND line.state IN ('PENDING', 'PROCESSING')
                AND batch.approval_state IN ('NOT_REQUIRED', 'APPROVED')
                AND (\(batchID)::bigint IS NULL OR line.batch_id = \(batchID))
            """
        ).rows()
        guard let row = rows.first else { return AccountWork(pending: 0, processing: 0, earliestDeferred: nil) }
        let deferred = try row.value(2, as: String?.self)
        return AccountWork(
            pending: Int(try row.value(0, as: Int64.self)), processing: Int(try row.value(1, as: Int64.self)),
            earliestDeferred: deferred.flatMap(Timestamp.date(from:)))
    }

    package func deferLine(lineID: Int64, until: Date, code: String, message: String, now: Date) async throws {
        try await self.query(
            """
            UPDATE line SET next_attempt_at = \(Timestamp.string(until)), last_error_code = \(code), last_error_message = \(message),
                updated_at = \(Timestamp.string(now))
            WHERE id = \(lineID) AND state = 'PENDING'
            """
        ).values(Int32.self)
    }

    // MARK: Recovery

    /// On PostgreSQL recovery is adoption: the lines in flight under a lease that expired (a runner that crashed, was
    /// stopped or cut off), taken over by this runner. Lines other runners still hold are theirs to finish.
    package func inFlightLines(account: String?) async throws -> [InFlightLine] {
        try await self.adopt(account: account, now: Date())
    }

    package func adoptOrphans(account: String, now: Date) async throws -> [InFlightLine] {
        try await self.adopt(account: account, now: now)
    }

    private func adopt(account: String?, now: Date) async throws -> [InFlightLine] {
        let at = Timestamp.string(now)
        return try await self.store.transaction { connection in
            // The expired runners' rows are locked: a renewal in progress either commits first (and its lines are not
            // taken) or finds the lease expired and stops its runner.
            let rows = try await connection.query(
                """
                WITH dead AS (
                    SELECT holder FROM runner WHERE expires_at <= clock_timestamp() OR stopped_at IS NOT NULL FOR UPDATE
                ), orphan AS (
                    SELECT line.id, line.claimed_by FROM line
                    WHERE line.state = 'PROCESSING' AND (\(account)::text IS NULL OR line.account = \(account))
                        AND line.claimed_by <> \(self.runner)
                        AND (line.claimed_by IN (SELECT holder FROM dead)
                            OR NOT EXISTS (SELECT 1 FROM runner WHERE runner.holder = line.claimed_by))
                    FOR UPDATE OF line SKIP LOCKED
                )
                UPDATE line SET claimed_by = \(self.runner), claim_token = nextval('claim_token_seq'), updated_at = \(at)
                FROM orphan WHERE line.id = orphan.id
                RETURNING line.id, line.claim_token, orphan.claimed_by
                """, logger: self.logger
            ).rows()
            guard !rows.isEmpty else { return [] }
            var tokens: [Int64: (token: Int64, from: String)] = [:]
            for row in rows { tokens[try row.value(0)] = (try row.value(1), try row.value(2)) }
            let ids = Array(tokens.keys)
            try await connection.query(
                """
                INSERT INTO event (batch_id, line_id, at, actor, kind, from_state, to_state, detail)
                SELECT batch_id, id, \(at), 'engine', 'adopted', 'PROCESSING', 'PROCESSING',
                    'adopted by ' || \(self.runner) || ' (claim token ' || claim_token || ') from a runner whose lease expired: ' || \(rows.count) || ' lines'
                FROM line WHERE id = ANY(\(ids))
                """, logger: self.logger)
            let lines = try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT \(LineRecord.postgresSelection), attempt.number, attempt.evidence, attempt.started_at, attempt.sent_at
                        FROM line JOIN attempt ON attempt.line_id = line.id AND attempt.number = line.attempts
                        WHERE line.id = ANY($1) ORDER BY attempt.started_at, line.id
                        """,
                    binds: Self.binds(ids)), logger: self.logger
            ).rows()
            let first = LineRecord.postgresSelectionCount
            return try lines.compactMap { row -> InFlightLine? in
                let line = try LineRecord(postgres: row)
                guard let hex = line.idempotencyKey, let key = IdempotencyKey(hex: hex), let token = tokens[line.id] else { return nil }
                return InFlightLine(
                    line: line, key: key, attemptNumber: Int(try row.value(first, as: Int32.self)), evidence: try row.value(first + 1),
                    claimedAt: try row.value(first + 2), sentAt: try row.value(first + 3), fence: token.token)
            }
        }
    }

    /// Takes the account when nobody holds it or its holder's lease is over; keeps it for this runner otherwise.
    package func holdAccount(_ account: String, now: Date) async throws -> Bool {
        let held = try await self.query(
            """
            INSERT INTO account_session AS s (account, holder) VALUES (\(account), \(self.runner))
            ON CONFLICT (account) DO UPDATE SET holder = excluded.holder, since = clock_timestamp()
            WHERE s.holder = excluded.holder OR NOT EXISTS (
                SELECT 1 FROM runner WHERE runner.holder = s.holder AND runner.stopped_at IS NULL AND runner.expires_at > clock_timestamp())
            RETURNING holder
            """
        ).values(String.self)
        return held.first == self.runner
    }

    static func binds<T: PostgresThrowingDynamicTypeEncodable>(_ values: T...) -> PostgresBindings {
        var binds = PostgresBindings()
        for value in values { try? binds.append(value) }
        return binds
    }

    package func firstSend(lineID: Int64, key: IdempotencyKey) async throws -> Date? {
        let first = try await self.query(
            """
            SELECT min(coalesce(sent_at, started_at)) FROM attempt WHERE line_id = \(lineID) AND idempotency_key = \(key.hex)
            """
        ).values(String?.self)
        guard let text = first.first ?? nil else { return nil }
        return Timestamp.date(from: text)
    }

    // MARK: Reconcile

    package func settledSentLines(batchID: Int64) async throws -> [SentLine] {
        let rows = try await self.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT \(LineRecord.postgresSelection),
                        (SELECT string_agg(DISTINCT attempt.idempotency_key, ',') FROM attempt WHERE attempt.line_id = line.id)
                    FROM line WHERE batch_id = $1 AND state IN ('SUCCESS', 'FAILED', 'CANCELLED')
                        AND (idempotency_key IS NOT NULL OR EXISTS (SELECT 1 FROM attempt WHERE attempt.line_id = line.id))
                    ORDER BY line_number
                    """, binds: Self.binds(batchID))
        ).rows()
        return try rows.map { row in
            let line = try LineRecord(postgres: row)
            let attemptKeys =
                (try row.value(LineRecord.postgresSelectionCount, as: String?.self))?.split(separator: ",").map(String.init) ?? []
            let keys = line.state == .cancelled ? attemptKeys.sorted() : [line.idempotencyKey].compactMap { $0 }
            return SentLine(line: line, keys: keys)
        }
    }

    package func recordedMismatches(batchID: Int64) async throws -> Set<String> {
        let rows = try await self.query(
            """
            SELECT mismatch.line_id, mismatch.kind FROM mismatch JOIN line ON line.id = mismatch.line_id WHERE line.batch_id = \(batchID)
            """
        ).rows()
        return Set(try rows.map { "\(try $0.value(0, as: Int64.self))/\(try $0.value(1, as: String.self))" })
    }

    package func recordMismatch(lineID: Int64, kind: String, detail: String?, now: Date) async throws {
        try await self.query(
            """
            INSERT INTO mismatch (line_id, found_at, kind, detail) VALUES (\(lineID), \(Timestamp.string(now)), \(kind), \(detail))
            """
        ).values(Int32.self)
    }

    // MARK: The shared rate budget

    /// GCRA in one statement on the server's clock: the new theoretical arrival time is `max(tat, now) + interval`,
    /// and the request may leave at `max(now, tat - tolerance)`, i.e. after `new tat - interval - tolerance - now`.
    package func reserve(account: String, interval: Duration, tolerance: Duration) async throws -> Duration {
        try await self.reserveSlot(account: account, interval: interval, tolerance: tolerance).wait
    }

    /// A reservation: how long to wait, and the instant the slot falls due on the server's clock (microseconds since
    /// 1970), by which slots of all runners can be compared.
    package func reserveSlot(account: String, interval: Duration, tolerance: Duration) async throws -> (wait: Duration, due: Int64) {
        let intervalMicros = Self.microseconds(interval)
        let toleranceMicros = Self.microseconds(tolerance)
        let rows = try await self.query(
            """
            INSERT INTO rate_budget AS b (account, tat) VALUES (\(account), statement_timestamp() + \(intervalMicros) * interval '1 microsecond')
            ON CONFLICT (account) DO UPDATE SET tat = greatest(b.tat, statement_timestamp()) + \(intervalMicros) * interval '1 microsecond'
            RETURNING greatest(0, extract(epoch FROM b.tat - statement_timestamp()) * 1000000 - \(intervalMicros) - \(toleranceMicros))::bigint,
                (extract(epoch FROM statement_timestamp()) * 1000000)::bigint
            """
        ).rows()
        guard let row = rows.first else { throw StoreError(.io, "the rate budget of \(account) could not be reserved") }
        let wait = try row.value(0, as: Int64.self)
        return (.microseconds(wait), try row.value(1, as: Int64.self) + wait)
    }

    /// Empties the account's bucket at `now + duration`, for every runner: no slot is due before then.
    package func pause(account: String, for duration: Duration, tolerance: Duration) async throws {
        let until = Self.microseconds(duration) + Self.microseconds(tolerance)
        try await self.query(
            """
            INSERT INTO rate_budget AS b (account, tat) VALUES (\(account), statement_timestamp() + \(until) * interval '1 microsecond')
            ON CONFLICT (account) DO UPDATE SET tat = greatest(b.tat, statement_timestamp() + \(until) * interval '1 microsecond')
            """
        ).values(Int32.self)
    }

    static func microseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}

import Foundation
import GRDB
import RechargeCore

/// Line counts and exact sums of one account, line currency and state.
package struct StateTotalRow: Hashable, Sendable {
    package var account: String
    package var currency: String
    package var state: LineState
    package var count: Int
    package var sumMinor: Int64
}

/// What providers reported for the lines of one account and line currency: the requested sum of those lines
/// beside what reached the cards and what was charged, each in the currency the provider named.
package struct ReceiptTotalRow: Hashable, Sendable {
    package var account: String
    package var currency: String
    package var creditedCurrency: String?
    package var feeCurrency: String?
    package var count: Int
    package var requestedMinor: Int64
    package var creditedMinor: Int64?
    package var feeMinor: Int64?
}

/// An operator's settlement of an UNKNOWN line, from the event log.
package struct ResolutionRecord: Hashable, Sendable {
    package var line: LineRecord
    package var at: String
    package var actor: String
    /// `resolved-success` or `resolved-failed`.
    package var kind: String
    /// The operator's note, as stored (`operator: …`).
    package var detail: String?
}

/// A disagreement between a line and the provider's own records, found by a verification pass.
package struct MismatchRecord: Hashable, Sendable {
    package var line: LineRecord
    package var foundAt: String
    package var kind: String
    package var detail: String?
}

/// How many lines of a batch fall under each discrepancy of the report.
package struct DiscrepancyCounts: Hashable, Sendable {
    package var unknown: Int
    package var failed: Int
    package var operatorResolved: Int
    package var creditedDiffers: Int
    package var mismatches: Int

    package init(unknown: Int, failed: Int = 0, operatorResolved: Int, creditedDiffers: Int, mismatches: Int) {
        self.unknown = unknown
        self.failed = failed
        self.operatorResolved = operatorResolved
        self.creditedDiffers = creditedDiffers
        self.mismatches = mismatches
    }
}

/// A consistent, read-only view of the database for writing one report: every query sees the same snapshot,
/// so totals, discrepancies and lines agree even while a run goes on.
///
/// Valid only inside ``RechargeDatabase/withReportSnapshot(_:)``; do not keep it.
package struct ReportSnapshot {
    let db: Database

    /// The column list every line query selects, in the order ``line(_:offset:)`` reads them.
    static let lineColumns = """
        line.id, line.batch_id, line.line_number, line.reference, line.account, line.card_id, line.amount_minor, line.currency,
        line.remark, line.pay_coin, line.pay_account_num, line.on_behalf_of, line.state, line.generation, line.idempotency_key,
        line.attempts, line.provider_reference, line.last_error_code, line.last_error_message, line.updated_at,
        line.credited_minor, line.credited_currency, line.fee_minor, line.fee_currency, line.first_sent_at, line.completed_at,
        line.item_number
        """
    static let lineColumnCount = 27

    /// Reads a line from the columns of ``lineColumns`` by position (no per-column name lookup: the fast path).
    static func line(_ row: Row, offset: Int = 0) -> LineRecord {
        let o = offset
        return LineRecord(
            id: row[o], batchID: row[o + 1], lineNumber: row[o + 2], reference: row[o + 3], account: row[o + 4], cardID: row[o + 5],
            amountMinor: row[o + 6], currency: row[o + 7], remark: row[o + 8], payCoin: row[o + 9], payAccountNumber: row[o + 10],
            onBehalfOf: row[o + 11], state: LineState(rawValue: row[o + 12]) ?? .unknown, generation: row[o + 13],
            idempotencyKey: row[o + 14], attempts: row[o + 15], providerReference: row[o + 16], lastErrorCode: row[o + 17],
            lastErrorMessage: row[o + 18], updatedAt: row[o + 19], creditedMinor: row[o + 20], creditedCurrency: row[o + 21],
            feeMinor: row[o + 22], feeCurrency: row[o + 23], firstSentAt: row[o + 24], completedAt: row[o + 25],
            itemNumber: row[o + 26])
    }

    /// The condition of a line whose provider reported a credited amount other than the one requested.
    static let creditedDiffers =
        "line.credited_minor IS NOT NULL AND (line.credited_minor <> line.amount_minor OR line.credited_currency IS NOT line.currency)"

    /// The batch with this id.
    package func batch(id: Int64) throws -> BatchRecord? {
        try BatchRecord.fetchOne(self.db, sql: "SELECT * FROM batch WHERE id = ?", arguments: [id])
    }

    /// The control totals given with the batch: currency code → expected minor units, by currency code.
    package func controlTotals(batchID: Int64) throws -> [(currency: String, minor: Int64)] {
        try Row.fetchAll(
            self.db, sql: "SELECT currency, amount_minor FROM batch_control_total WHERE batch_id = ? ORDER BY currency",
            arguments: [batchID]
        ).map { ($0[0], $0[1]) }
    }

    /// The runs that may have worked on the batch, oldest first (see ``RechargeDatabase/runs(batchID:)``).
    package func runs(batchID: Int64) throws -> [RunRecord] {
        try RunRecord.fetchAll(
            self.db,
            sql: """
                SELECT run.* FROM run, batch WHERE batch.id = ?
                    AND (run.batch_id = batch.id OR (run.batch_id IS NULL AND run.started_at >= batch.imported_at))
                ORDER BY run.started_at, run.id
                """,
            arguments: [batchID])
    }

    /// Line counts and exact sums by account, currency and state, ordered by account, currency, state.
    package func stateTotals(batchID: Int64) throws -> [StateTotalRow] {
        try Row.fetchAll(
            self.db,
            sql: """
                SELECT account, currency, state, count(*), sum(amount_minor) FROM line WHERE batch_id = ?
                GROUP BY account, currency, state ORDER BY account, currency, state
                """,
            arguments: [batchID]
        ).map { row in
            StateTotalRow(
                account: row[0], currency: row[1], state: LineState(rawValue: row[2]) ?? .unknown, count: row[3], sumMinor: row[4])
        }
    }

    /// The requested sum per currency over every line of the batch, counted independently of the states.
    package func requestedTotals(batchID: Int64) throws -> [(currency: String, count: Int, minor: Int64)] {
        try Row.fetchAll(
            self.db,
            sql: "SELECT currency, count(*), sum(amount_minor) FROM line WHERE batch_id = ? GROUP BY currency ORDER BY currency",
            arguments: [batchID]
        ).map { ($0[0], $0[1], $0[2]) }
    }

    /// Credited and fee sums of the lines with a provider receipt, by account, line currency and receipt currencies.
    package func receiptTotals(batchID: Int64) throws -> [ReceiptTotalRow] {
        try Row.fetchAll(
            self.db,
            sql: """
                SELECT account, currency, credited_currency, fee_currency, count(*), sum(amount_minor), sum(credited_minor),
                    sum(fee_minor)
                FROM line WHERE batch_id = ? AND (credited_minor IS NOT NULL OR fee_minor IS NOT NULL)
                GROUP BY account, currency, credited_currency, fee_currency
                ORDER BY account, currency, credited_currency, fee_currency
                """,
            arguments: [batchID]
        ).map { row in
            ReceiptTotalRow(
                account: row[0], currency: row[1], creditedCurrency: row[2], feeCurrency: row[3], count: row[4],
                requestedMinor: row[5], creditedMinor: row[6], feeMinor: row[7])
        }
    }

    /// How many lines fall under each discrepancy.
    package func discrepancyCounts(batchID: Int64) throws -> DiscrepancyCounts {
        let row = try Row.fetchOne(
            self.db,
            sql: """
                SELECT
                    (SELECT count(*) FROM line WHERE batch_id = ?1 AND state = 'UNKNOWN'),
                    (SELECT count(*) FROM event WHERE batch_id = ?1 AND kind IN ('resolved-success', 'resolved-failed')),
                    (SELECT count(*) FROM line WHERE batch_id = ?1 AND \(Self.creditedDiffers)),
                    (SELECT count(*) FROM mismatch JOIN line ON line.id = mismatch.line_id WHERE line.batch_id = ?1),
                    (SELECT count(*) FROM line WHERE batch_id = ?1 AND state = 'FAILED')
                """,
            arguments: [batchID])!
        return DiscrepancyCounts(
            unknown: row[0], failed: row[4], operatorResolved: row[1], creditedDiffers: row[2], mismatches: row[3])
    }

    /// Calls `body` with each line of the batch in file order, streaming from one cursor: memory stays bounded
    /// whatever the size of the batch. Return `false` from `body` to stop early.
    package func forEachLine(batchID: Int64, _ body: (LineRecord) throws -> Bool) throws {
        try self.stream(
            sql: "SELECT \(Self.lineColumns) FROM line WHERE batch_id = ? ORDER BY line_number", arguments: [batchID]
        ) { try body(Self.line($0)) }
    }

    /// Calls `body` with each UNKNOWN line, in file order.
    package func forEachUnknownLine(batchID: Int64, _ body: (LineRecord) throws -> Bool) throws {
        try self.stream(
            sql: "SELECT \(Self.lineColumns) FROM line WHERE batch_id = ? AND state = 'UNKNOWN' ORDER BY line_number",
            arguments: [batchID]
        ) { try body(Self.line($0)) }
    }

    /// Calls `body` with each FAILED line, in file order.
    package func forEachFailedLine(batchID: Int64, _ body: (LineRecord) throws -> Bool) throws {
        try self.stream(
            sql: "SELECT \(Self.lineColumns) FROM line WHERE batch_id = ? AND state = 'FAILED' ORDER BY line_number",
            arguments: [batchID]
        ) { try body(Self.line($0)) }
    }

    /// Calls `body` with each line whose provider credited another amount (or currency) than requested, in file order.
    package func forEachCreditedDifference(batchID: Int64, _ body: (LineRecord) throws -> Bool) throws {
        try self.stream(
            sql: "SELECT \(Self.lineColumns) FROM line WHERE batch_id = ? AND \(Self.creditedDiffers) ORDER BY line_number",
            arguments: [batchID]
        ) { try body(Self.line($0)) }
    }

    /// Calls `body` with each operator resolution of an UNKNOWN line, in file order.
    package func forEachResolution(batchID: Int64, _ body: (ResolutionRecord) throws -> Bool) throws {
        try self.stream(
            sql: """
                SELECT \(Self.lineColumns), event.at, event.actor, event.kind, event.detail
                FROM event JOIN line ON line.id = event.line_id
                WHERE event.batch_id = ? AND event.kind IN ('resolved-success', 'resolved-failed')
                ORDER BY line.line_number, event.id
                """,
            arguments: [batchID]
        ) { row in
            let n = Self.lineColumnCount
            return try body(ResolutionRecord(line: Self.line(row), at: row[n], actor: row[n + 1], kind: row[n + 2], detail: row[n + 3]))
        }
    }

    /// Calls `body` with each recorded verification mismatch, in file order.
    package func forEachMismatch(batchID: Int64, _ body: (MismatchRecord) throws -> Bool) throws {
        try self.stream(
            sql: """
                SELECT \(Self.lineColumns), mismatch.found_at, mismatch.kind, mismatch.detail
                FROM mismatch JOIN line ON line.id = mismatch.line_id
                WHERE line.batch_id = ? ORDER BY line.line_number, mismatch.id
                """,
            arguments: [batchID]
        ) { row in
            let n = Self.lineColumnCount
            return try body(MismatchRecord(line: Self.line(row), foundAt: row[n], kind: row[n + 1], detail: row[n + 2]))
        }
    }

    private func stream(sql: String, arguments: StatementArguments, _ body: (Row) throws -> Bool) throws {
        let rows = try Row.fetchCursor(self.db, sql: sql, arguments: arguments)
        while let row = try rows.next() {
            guard try body(row) else { return }
        }
    }
}

/// The FAILED and UNKNOWN lines of a batch, for `recharge status`: the first few in file order and how many there are.
package struct ProblemLines: Hashable, Sendable {
    /// The first lines, in file order.
    package var lines: [LineRecord]
    /// How many FAILED and UNKNOWN lines the batch has in all.
    package var total: Int
}

extension RechargeDatabase {
    /// The first `limit` FAILED and UNKNOWN lines of a batch in file order, and how many there are in all.
    package func problemLines(batchID: Int64, limit: Int) throws -> ProblemLines {
        try self.withReportSnapshot { snapshot in
            let total =
                try Int.fetchOne(
                    snapshot.db, sql: "SELECT count(*) FROM line WHERE batch_id = ? AND state IN ('FAILED', 'UNKNOWN')",
                    arguments: [batchID]) ?? 0
            let rows = try Row.fetchAll(
                snapshot.db,
                sql: """
                    SELECT \(ReportSnapshot.lineColumns) FROM line WHERE batch_id = ? AND state IN ('FAILED', 'UNKNOWN')
                    ORDER BY line_number LIMIT ?
                    """,
                arguments: [batchID, max(0, limit)])
            return ProblemLines(lines: rows.map { ReportSnapshot.line($0) }, total: total)
        }
    }

    /// Runs `body` with a read-only snapshot of the database, in one read transaction.
    package func withReportSnapshot<T>(_ body: (ReportSnapshot) throws -> T) throws -> T {
        try self.writer.read { db in try body(ReportSnapshot(db: db)) }
    }

    /// Records that a verification against the provider's records found `kind` (with `detail`) wrong with a line.
    package func recordMismatch(lineID: Int64, kind: String, detail: String?, now: Date = Date()) throws {
        try self.writer.write { db in
            try db.execute(
                sql: "INSERT INTO mismatch (line_id, found_at, kind, detail) VALUES (?, ?, ?, ?)",
                arguments: [lineID, Timestamp.string(now), kind, detail])
        }
    }
}

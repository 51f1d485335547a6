import Foundation
import PostgresNIO
import RechargeCore
import RechargeStore

/// What the command line reads: lines, batches, events and the status view, as from SQLite.
extension PostgresStore {
    func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        try await self.run { try await self.client.query(query, logger: self.logger).rows() }
    }

    /// The lines of a batch in file order.
    package func lines(batchID: Int64) async throws -> [LineRecord] {
        var binds = PostgresBindings()
        try binds.append(batchID)
        return try await self.rows(
            PostgresQuery(
                unsafeSQL: "SELECT \(LineRecord.postgresSelection) FROM line WHERE batch_id = $1 ORDER BY line_number", binds: binds)
        ).map(LineRecord.init(postgres:))
    }

    /// The event log of one line, oldest first.
    package func events(lineID: Int64) async throws -> [EventRecord] {
        try await self.rows(
            "SELECT id, batch_id, line_id, at, actor, kind, from_state, to_state, detail FROM event WHERE line_id = \(lineID) ORDER BY id"
        ).map { row in
            EventRecord(
                id: try row.value(0), batchID: try row.value(1), lineID: try row.value(2), at: try row.value(3), actor: try row.value(4),
                kind: try row.value(5), fromState: try row.value(6), toState: try row.value(7), detail: try row.value(8))
        }
    }

    /// Every batch, oldest first.
    package func batches() async throws -> [BatchRecord] {
        try await self.rows(PostgresQuery(unsafeSQL: "SELECT \(Self.batchSelection) FROM batch ORDER BY id")).map(Self.batchRecord)
    }

    /// The batch a command line names, or every batch it could mean (as ``RechargeDatabase/lookUpBatch(_:)``).
    package func lookUpBatch(_ reference: BatchReference) async throws -> BatchLookup {
        let all = try await self.batches()
        let candidates: [BatchRecord]
        switch reference {
        case .id(let id): candidates = all.filter { $0.id == id }
        case .name(let name): candidates = all.filter { $0.name == name }
        case .idOrName(let text):
            let byID = Int64(text).flatMap { id in all.first { $0.id == id } }
            candidates = (byID.map { [$0] } ?? []) + all.filter { $0.name == text && $0.id != byID?.id }
        }
        switch candidates.count {
        case 0: return .missing
        case 1: return .found(candidates[0])
        default: return .ambiguous(candidates)
        }
    }

    /// Line counts and exact sums grouped by account, currency and state, for one batch or all.
    package func status(batchID: Int64?) async throws -> [StatusRow] {
        try await self.rows(
            """
            SELECT account, currency, state, count(*), sum(amount_minor)::bigint FROM line
            WHERE \(batchID)::bigint IS NULL OR batch_id = \(batchID)
            GROUP BY account, currency, state ORDER BY account, currency, state
            """
        ).map { row in
            StatusRow(
                account: try row.value(0), currency: try row.value(1), state: LineState(rawValue: try row.value(2)) ?? .unknown,
                count: Int(try row.value(3, as: Int64.self)), sumMinor: try row.value(4))
        }
    }

    /// The control totals stored with a batch: currency code → expected minor units.
    package func controlTotals(batchID: Int64) async throws -> [String: Int64] {
        let rows = try await self.rows("SELECT currency, amount_minor FROM batch_control_total WHERE batch_id = \(batchID)")
        var totals: [String: Int64] = [:]
        for row in rows { totals[try row.value(0)] = try row.value(1) }
        return totals
    }

    /// Runs one statement as it is: for tests of the schema's own refusals and for operators'
    /// scripts. Nothing of the caller's is bound into it.
    package func execute(_ sql: String) async throws {
        try await self.run { _ = try await self.client.query(PostgresQuery(unsafeSQL: sql), logger: self.logger).rows() }
    }
}

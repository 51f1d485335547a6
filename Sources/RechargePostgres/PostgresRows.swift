import PostgresNIO
import RechargeCore
import RechargeStore

extension PostgresRowSequence {
    /// Every row's single column, decoded.
    func values<T: PostgresDecodable>(_: T.Type) async throws -> [T] {
        var values: [T] = []
        for try await value in self.decode(T.self) { values.append(value) }
        return values
    }

    /// Every row, by position.
    func rows() async throws -> [PostgresRandomAccessRow] {
        var rows: [PostgresRandomAccessRow] = []
        for try await row in self { rows.append(row.makeRandomAccess()) }
        return rows
    }
}

extension PostgresRandomAccessRow {
    func value<T: PostgresDecodable>(_ index: Int, as _: T.Type = T.self) throws -> T {
        try self[index].decode(T.self)
    }
}

extension LineRecord {
    /// The line's columns, in the order ``init(postgres:)`` reads them: the SQLite store's list, the same columns here.
    static var postgresSelection: String { LineRecord.selection }

    /// How many columns ``postgresSelection`` has: a query's own columns follow from this index.
    static var postgresSelectionCount: Int { LineRecord.selectionCount }

    /// Reads a row whose first columns are ``postgresSelection``.
    init(postgres row: PostgresRandomAccessRow) throws {
        let stateText = try row.value(12, as: String.self)
        guard let state = LineState(rawValue: stateText) else {
            throw StoreError(.io, "a line has an unknown state \(stateText)")
        }
        self.init(
            id: try row.value(0), batchID: try row.value(1), lineNumber: Int(try row.value(2, as: Int32.self)),
            reference: try row.value(3), account: try row.value(4), cardID: try row.value(5), amountMinor: try row.value(6),
            currency: try row.value(7), remark: try row.value(8), payCoin: try row.value(9), payAccountNumber: try row.value(10),
            onBehalfOf: try row.value(11), state: state, generation: Int(try row.value(13, as: Int32.self)),
            idempotencyKey: try row.value(14), attempts: Int(try row.value(15, as: Int32.self)), providerReference: try row.value(16),
            lastErrorCode: try row.value(17), lastErrorMessage: try row.value(18), updatedAt: try row.value(19),
            creditedMinor: try row.value(20), creditedCurrency: try row.value(21), feeMinor: try row.value(22),
            feeCurrency: try row.value(23), firstSentAt: try row.value(24), completedAt: try row.value(25),
            itemNumber: try row.value(26, as: Int32?.self).map(Int.init))
    }
}

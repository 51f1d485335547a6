import PostgresNIO
import RechargeCore

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
    /// The line's columns, qualified by `line.`, in the order ``init(postgres:)`` reads them.
    static let postgresSelection = """
        line.id, line.batch_id, line.line_number, line.reference, line.account, line.card_id, line.amount_minor, line.currency, \
        line.remark, line.pay_coin, line.pay_account_num, line.on_behalf_of, line.state, line.generation, line.idempotency_key, \
        line.attempts, line.provider_reference, line.last_error_code, line.last_error_message, line.updated_at, line.credited_minor, \
        line.credited_currency, line.fee_minor, line.fee_currency, line.first_sent_at, line.completed_at, line.item_number
        """

    /// How many columns ``postgresSelection`` has: a query's own columns follow from this index.
    static let postgresSelectionCount = 27

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

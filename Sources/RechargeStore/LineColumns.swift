import GRDB
import RechargeCore

extension LineRecord {
    /// The line's columns, qualified by `line.`, in the order ``init(columns:)`` reads them. The engine's queries
    /// select these rather than `line.*`, so a row is read by position: GRDB's Codable decoding looks every column
    /// up by its lower-cased name, which costs more per line than the query. The PostgreSQL store selects the same list.
    package static let selection = """
        line.id, line.batch_id, line.line_number, line.reference, line.account, line.card_id, line.amount_minor, line.currency, \
        line.remark, line.pay_coin, line.pay_account_num, line.on_behalf_of, line.state, line.generation, line.idempotency_key, \
        line.attempts, line.provider_reference, line.last_error_code, line.last_error_message, line.updated_at, line.credited_minor, \
        line.credited_currency, line.fee_minor, line.fee_currency, line.first_sent_at, line.completed_at, line.item_number
        """

    /// How many columns ``selection`` has: a query's own columns follow from this index.
    package static let selectionCount = 27

    /// Reads a row whose first columns are ``selection``.
    init(columns row: Row) throws {
        let stateText: String = row[12]
        guard let state = LineState(rawValue: stateText) else {
            throw StoreError(.io, "line \(row[0] as Int64) has an unknown state \(stateText)")
        }
        self.init(
            id: row[0], batchID: row[1], lineNumber: row[2], reference: row[3], account: row[4], cardID: row[5], amountMinor: row[6],
            currency: row[7], remark: row[8], payCoin: row[9], payAccountNumber: row[10], onBehalfOf: row[11], state: state,
            generation: row[13], idempotencyKey: row[14], attempts: row[15], providerReference: row[16], lastErrorCode: row[17],
            lastErrorMessage: row[18], updatedAt: row[19], creditedMinor: row[20], creditedCurrency: row[21], feeMinor: row[22],
            feeCurrency: row[23], firstSentAt: row[24], completedAt: row[25], itemNumber: row[26])
    }
}

/// One validated line of a batch file: a top-up of one card through one provider account.
public struct BatchLine: Hashable, Sendable {
    /// Where the line is in its file: the physical line number for CSV and NDJSON (the header is line 1),
    /// the 1-based item index for JSON.
    public var lineNumber: Int
    /// The configured provider account name (the file's `provider` column).
    public var account: String
    public var cardID: String
    public var amount: Money
    /// The user's own line id, unique within the batch.
    public var reference: String
    public var remark: String?
    /// HyperCard: the coin the top-up is paid with (for example `usdt`).
    public var payCoin: String?
    /// Pagsmile: the partner account the top-up is drawn from.
    public var payAccountNumber: String?
    /// UQPay: the sub-account the top-up is made for.
    public var onBehalfOf: String?

    public init(
        lineNumber: Int, account: String, cardID: String, amount: Money, reference: String,
        remark: String? = nil, payCoin: String? = nil, payAccountNumber: String? = nil, onBehalfOf: String? = nil
    ) {
        self.lineNumber = lineNumber
        self.account = account
        self.cardID = cardID
        self.amount = amount
        self.reference = reference
        self.remark = remark
        self.payCoin = payCoin
        self.payAccountNumber = payAccountNumber
        self.onBehalfOf = onBehalfOf
    }
}

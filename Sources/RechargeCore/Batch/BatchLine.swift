/// One validated line of a batch file: a top-up of one card through one provider account.
public struct BatchLine: Hashable, Sendable {
    /// Where the line is in its file: the physical line number for CSV and NDJSON (the header is line 1),
    /// the 1-based item index for JSON.
    public var lineNumber: Int
    /// The record's position among the file's records, as a person counts them: 1 for the first line or item,
    /// N for the last. A CSV header, blank lines, a line break inside a quoted field or an NDJSON batch line make it differ
    /// from ``lineNumber``. `nil` where it is not known (a line built outside a file reader).
    public var position: Int?
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
        remark: String? = nil, payCoin: String? = nil, payAccountNumber: String? = nil, onBehalfOf: String? = nil,
        position: Int? = nil
    ) {
        self.lineNumber = lineNumber
        self.position = position
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

import Foundation

/// A stored line with its execution state.
public struct LineRecord: Hashable, Sendable, Codable {
    public var id: Int64
    public var batchID: Int64
    public var lineNumber: Int
    public var reference: String
    public var account: String
    public var cardID: String
    public var amountMinor: Int64
    public var currency: String
    public var remark: String?
    public var payCoin: String?
    public var payAccountNumber: String?
    public var onBehalfOf: String?
    public var state: LineState
    public var generation: Int
    public var idempotencyKey: String?
    public var attempts: Int
    public var providerReference: String?
    public var lastErrorCode: String?
    public var lastErrorMessage: String?
    public var updatedAt: String
    /// What the provider said reached the card and what it charged, where it reports them.
    public var creditedMinor: Int64?
    public var creditedCurrency: String?
    public var feeMinor: Int64?
    public var feeCurrency: String?
    /// When the line was first claimed for sending, and when it reached a final state.
    public var firstSentAt: String?
    public var completedAt: String?
    /// The line's position among its file's records (1..N); `nil` only for a line stored outside an import.
    public var itemNumber: Int?

    public init(
        id: Int64, batchID: Int64, lineNumber: Int, reference: String, account: String, cardID: String, amountMinor: Int64,
        currency: String, remark: String?, payCoin: String?, payAccountNumber: String?, onBehalfOf: String?, state: LineState,
        generation: Int, idempotencyKey: String?, attempts: Int, providerReference: String?, lastErrorCode: String?,
        lastErrorMessage: String?, updatedAt: String, creditedMinor: Int64?, creditedCurrency: String?, feeMinor: Int64?,
        feeCurrency: String?, firstSentAt: String?, completedAt: String?, itemNumber: Int?
    ) {
        self.id = id
        self.batchID = batchID
        self.lineNumber = lineNumber
        self.reference = reference
        self.account = account
        self.cardID = cardID
        self.amountMinor = amountMinor
        self.currency = currency
        self.remark = remark
        self.payCoin = payCoin
        self.payAccountNumber = payAccountNumber
        self.onBehalfOf = onBehalfOf
        self.state = state
        self.generation = generation
        self.idempotencyKey = idempotencyKey
        self.attempts = attempts
        self.providerReference = providerReference
        self.lastErrorCode = lastErrorCode
        self.lastErrorMessage = lastErrorMessage
        self.updatedAt = updatedAt
        self.creditedMinor = creditedMinor
        self.creditedCurrency = creditedCurrency
        self.feeMinor = feeMinor
        self.feeCurrency = feeCurrency
        self.firstSentAt = firstSentAt
        self.completedAt = completedAt
        self.itemNumber = itemNumber
    }

    enum CodingKeys: String, CodingKey {
        case id
        case batchID = "batch_id"
        case lineNumber = "line_number"
        case itemNumber = "item_number"
        case reference, account
        case cardID = "card_id"
        case amountMinor = "amount_minor"
        case currency, remark
        case payCoin = "pay_coin"
        case payAccountNumber = "pay_account_num"
        case onBehalfOf = "on_behalf_of"
        case state, generation
        case idempotencyKey = "idempotency_key"
        case attempts
        case providerReference = "provider_reference"
        case lastErrorCode = "last_error_code"
        case lastErrorMessage = "last_error_message"
        case updatedAt = "updated_at"
        case creditedMinor = "credited_minor"
        case creditedCurrency = "credited_currency"
        case feeMinor = "fee_minor"
        case feeCurrency = "fee_currency"
        case firstSentAt = "first_sent_at"
        case completedAt = "completed_at"
    }
}

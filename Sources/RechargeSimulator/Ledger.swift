/// One top-up the simulator applied: the ground truth tests compare the processor's database against.
public struct LedgerEntry: Codable, Sendable, Hashable {
    /// Order of application, from 1.
    public var sequence: Int
    public var provider: String
    public var cardID: String
    /// The amount requested, exact, in the card's currency.
    public var amount: String
    public var currency: String
    /// The amount credited to the card (HyperCard deducts its fee), exact.
    public var credited: String
    public var fee: String
    /// The merchant's key fields, where the provider has them.
    public var requestID: String?
    public var mcTradeNo: String?
    public var orderNo: String?
    public var idempotencyKey: String?
    /// The provider's own reference for the top-up (reqNo, order_no, transaction_id, card_order_id, action id).
    public var providerReference: String
    /// ISO 8601, UTC.
    public var appliedAt: String
}

/// Per-provider request figures, served by `GET /_sim/stats`.
public struct ProviderStats: Codable, Sendable, Hashable {
    public var requests = 0
    /// Requests to a top-up endpoint (the only ones that can move money), whatever their answer.
    public var topUpRequests = 0
    /// Rejections by the provider's error code.
    public var rejections: [String: Int] = [:]
    /// Answers with HTTP 429 (the provider's own limit and injected throttling).
    public var throttled = 0
    /// The most requests seen in any sliding 1-second window.
    public var maxRequestsPerSecond = 0
    /// Top-ups applied.
    public var applied = 0
}

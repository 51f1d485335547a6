/// A provider account as configured: the name a batch file's `provider` column refers to, and its kind.
///
/// Several accounts may share a kind (two UQPay sub-accounts, say). Credentials are not part of this value:
/// they are read from the environment or key files by the adapters and never stored or printed.
public struct ProviderAccount: Hashable, Sendable {
    public var name: String
    public var kind: ProviderKind
    /// The provider's base URL, such as `https://api-sandbox.uqpaytech.com/api` (UQPay).
    public var baseURL: String?
    /// HyperCard: the pay coin used when a line gives none.
    public var defaultPayCoin: String?
    /// Pagsmile: the partner account used when a line gives none.
    public var defaultPayAccountNumber: String?
    /// Where each credential comes from (see ``ProviderProfile/credentialRequirements``); the values are never stored here.
    public var credentials: [String: CredentialSource] = [:]
    /// How long one request may take before it is given up as in doubt.
    public var timeoutMilliseconds = 15_000
    /// Requests per second and burst allowed to this account (`nil`: no limit but ``maxInFlight``).
    public var requestsPerSecond: Double?
    public var burst: Int?
    /// At most this many requests to the account at once.
    public var maxInFlight = 16
    /// VCC and PayCertify: whether the card is read before each top-up (`nil`: yes, the provider's default). The read
    /// is the evidence a lost answer is resolved by (VCC's fallback, PayCertify's only way); without it a top-up whose
    /// answer is lost and cannot be looked up ends UNKNOWN, and each line needs one request instead of two.
    public var readCardBeforeSend: Bool?

    public init(
        name: String, kind: ProviderKind, baseURL: String? = nil, defaultPayCoin: String? = nil,
        defaultPayAccountNumber: String? = nil
    ) {
        self.name = name
        self.kind = kind
        self.baseURL = baseURL
        self.defaultPayCoin = defaultPayCoin
        self.defaultPayAccountNumber = defaultPayAccountNumber
    }
}

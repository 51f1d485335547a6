/// A provider account as configured: the name a batch file's `provider` column refers to, and its kind.
///
/// Several accounts may share a kind (two UQPay sub-accounts, say). Credentials are not part of this value:
/// they are read from the environment or key files by the adapters and never stored or printed.
public struct ProviderAccount: Hashable, Sendable {
    public var name: String
    public var kind: ProviderKind
    /// The provider's base URL, such as `https://api.uqpay.com/api`.
    public var baseURL: String?
    /// HyperCard: the pay coin used when a line gives none.
    public var defaultPayCoin: String?
    /// Pagsmile: the partner account used when a line gives none.
    public var defaultPayAccountNumber: String?

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

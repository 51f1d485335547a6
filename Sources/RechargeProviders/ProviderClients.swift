import AsyncHTTPClient
import RechargeCore

/// Makes the adapter for a provider account: the one place that knows which type speaks which kind.
public enum ProviderClients {
    /// The adapter for `account`, with its resolved `credentials`.
    ///
    /// - Throws: ``ConfigurationError`` naming the missing or unusable credential or setting.
    public static func make(
        account: ProviderAccount, credentials: [String: Secret], client: HTTPClient, environment: AdapterEnvironment = .live
    ) throws(ConfigurationError) -> any ProviderClient {
        switch account.kind {
        case .vcc: try VCCClient(account: account, credentials: credentials, client: client, environment: environment)
        case .hypercard: try HyperCardClient(account: account, credentials: credentials, client: client, environment: environment)
        case .pagsmile: try PagsmileClient(account: account, credentials: credentials, client: client, environment: environment)
        case .uqpay: try UQPayClient(account: account, credentials: credentials, client: client, environment: environment)
        case .paycertify: try PayCertifyClient(account: account, credentials: credentials, client: client, environment: environment)
        }
    }

    /// The read-only half of the adapter for `account`: what `recharge reconcile` holds. It cannot send a top-up.
    ///
    /// - Throws: ``ConfigurationError`` naming the missing or unusable credential or setting.
    public static func lookup(
        account: ProviderAccount, credentials: [String: Secret], client: HTTPClient, environment: AdapterEnvironment = .live
    ) throws(ConfigurationError) -> any ProviderLookup {
        try Self.make(account: account, credentials: credentials, client: client, environment: environment).lookup
    }

    /// Every provider's classification table, for documentation and tests.
    public static let classifications: [ClassificationTable] = [
        VCCClient.classification, HyperCardClient.classification, PagsmileClient.classification, UQPayClient.classification,
        PayCertifyClient.classification,
    ]
}

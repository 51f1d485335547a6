import AsyncHTTPClient
import RechargeCore

/// Makes the adapter for a provider account, through the profile of its kind (``AdapterProfiles``).
public enum ProviderClients {
    /// The adapter for `account`, with its resolved `credentials` (decoded by the profile of its kind).
    ///
    /// - Throws: ``ConfigurationError`` naming the missing or unusable credential or setting.
    public static func make(
        account: ProviderAccount, credentials: [String: Secret], client: HTTPClient, environment: AdapterEnvironment = .live
    ) throws(ConfigurationError) -> any ProviderClient {
        guard let profile = AdapterProfiles.byKind[account.kind] else {
            throw ConfigurationError(
                path: "configuration", key: "accounts.\(account.name).kind", message: "no adapter for \(account.kind.rawValue)")
        }
        return try profile.makeClient(account: account, values: credentials, client: client, environment: environment)
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

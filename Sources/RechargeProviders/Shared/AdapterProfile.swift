import AsyncHTTPClient
import RechargeCore

/// A provider's profile as the adapters use it: the ``ProviderProfile`` the validator and the configuration check
/// read, plus where the account's base URL comes from and how the adapter is built from decoded credentials.
public protocol AdapterProfile: ProviderProfile {
    /// The base URL used when the account configures none (`nil`: the account must give one).
    var defaultBaseURL: String? { get }
    /// Where to find the base URL, for the message when there is none.
    var baseURLHint: String { get }

    /// The adapter for `account` with its decoded credentials.
    func makeClient(
        account: ProviderAccount, credentials: Credentials, client: HTTPClient, environment: AdapterEnvironment
    ) throws(ConfigurationError) -> any ProviderClient
}

extension AdapterProfile {
    /// The adapter for `account` from its resolved credential values, decoded by this profile first.
    ///
    /// - Throws: ``ConfigurationError`` naming the credential or setting that is missing or unusable.
    func makeClient(
        account: ProviderAccount, values: [String: Secret], client: HTTPClient, environment: AdapterEnvironment
    ) throws(ConfigurationError) -> any ProviderClient {
        try self.makeClient(
            account: account, credentials: self.decodeCredentials(values, account: account), client: client, environment: environment)
    }

    /// The account's base URL without a trailing `/`.
    ///
    /// - Throws: ``ConfigurationError`` naming `accounts.NAME.baseURL` when the account gives none and the provider
    ///   has no default.
    func baseURL(for account: ProviderAccount) throws(ConfigurationError) -> String {
        try account.resolvedBaseURL(fallback: self.defaultBaseURL, hint: self.baseURLHint)
    }

    /// A credential that was given but cannot be used (`problem` says why).
    func unusable(_ name: String, of account: ProviderAccount, _ problem: String) -> ConfigurationError {
        .credential(name, of: account.name, problem)
    }
}

/// Every provider the processor speaks, one profile each: the single list the rest is built from.
enum AdapterProfiles {
    static let list: [any AdapterProfile] = [VCCProfile(), HyperCardProfile(), PagsmileProfile(), UQPayProfile(), PayCertifyProfile()]

    static let byKind: [ProviderKind: any AdapterProfile] = Dictionary(
        Self.list.map { ($0.kind, $0) }, uniquingKeysWith: { first, _ in first })
}

extension ProviderProfiles {
    /// The profile of every provider the processor speaks, for the batch validator and the configuration.
    public static let all = ProviderProfiles(AdapterProfiles.list.map { $0 as any ProviderProfile })
}

import AsyncHTTPClient
import RechargeCore
import _CryptoExtras

/// Pagsmile's credentials: the app and partner ids (not secret), Pagsmile's RSA public key (wraps each request's
/// AES key) and the merchant's RSA private key (unwraps each answer's).
public struct PagsmileCredentials: Sendable {
    public var appID: String
    public var partnerID: String
    // RSA keys are not Sendable; both are parsed once and never changed, and BoringSSL's RSA operations on an
    // immutable key are safe to run concurrently.
    public nonisolated(unsafe) var platformKey: _RSA.Encryption.PublicKey
    public nonisolated(unsafe) var merchantKey: _RSA.Encryption.PrivateKey

    public init(appID: String, partnerID: String, platformKey: _RSA.Encryption.PublicKey, merchantKey: _RSA.Encryption.PrivateKey) {
        self.appID = appID
        self.partnerID = partnerID
        self.platformKey = platformKey
        self.merchantKey = merchantKey
    }
}

/// What the processor knows about Pagsmile: card tokens of up to 20 letters, digits, `-` or `_`, any currency, and
/// the partner account a top-up is drawn from (`pay_account_num`, or the account's `defaultPayAccountNumber`). It
/// deduplicates by `order_no`, so the engine needs no restriction.
public struct PagsmileProfile: AdapterProfile {
    public init() {}

    public var kind: ProviderKind { .pagsmile }

    public var credentialRequirements: [CredentialRequirement] {
        [
            CredentialRequirement("appID", isSecret: false), CredentialRequirement("partnerID", isSecret: false),
            CredentialRequirement("platformPublicKey", isSecret: false), CredentialRequirement("merchantPrivateKey", isSecret: true),
        ]
    }

    public func decodeCredentials(
        _ values: [String: Secret], account: ProviderAccount
    ) throws(ConfigurationError) -> PagsmileCredentials {
        let appID = try self.credential("appID", in: values, account: account).value
        let partnerID = try self.credential("partnerID", in: values, account: account).value
        let platformPEM = try self.credential("platformPublicKey", in: values, account: account).value
        let merchantPEM = try self.credential("merchantPrivateKey", in: values, account: account).value
        guard let platformKey = try? _RSA.Encryption.PublicKey(pemRepresentation: platformPEM) else {
            throw self.unusable("platformPublicKey", of: account, "not a readable RSA public key in PEM form (2048 bits or more)")
        }
        guard let merchantKey = try? _RSA.Encryption.PrivateKey(pemRepresentation: merchantPEM) else {
            throw self.unusable("merchantPrivateKey", of: account, "not a readable RSA private key in PEM form (2048 bits or more)")
        }
        return PagsmileCredentials(appID: appID, partnerID: partnerID, platformKey: platformKey, merchantKey: merchantKey)
    }

    public var acceptedCurrencies: Set<String>? { nil }

    public func cardIDProblem(_ cardID: String) -> String? {
        cardID.utf8.count <= 20 && cardID.unicodeScalars.allSatisfy({ FieldRules.isASCIIAlphanumeric($0) || $0 == "-" || $0 == "_" })
            ? nil : "a Pagsmile card token is 1 to 20 letters, digits, '-' or '_'"
    }

    public var extras: [ProviderExtra] {
        [
            ProviderExtra(
                .payAccountNumber, usedOnlyBy: "only Pagsmile accounts use pay_account_num",
                problem: { FieldRules.textProblem($0, maximum: 48) },
                accountDefault: { $0.defaultPayAccountNumber },
                missing: {
                    "Pagsmile needs the partner account: give pay_account_num or set defaultPayAccountNumber on account '\($0.name)'"
                })
        ]
    }

    public func executionRules(for account: ProviderAccount) -> ExecutionRules { ExecutionRules() }

    public var defaultBaseURL: String? { nil }
    public var baseURLHint: String { "e.g. https://card-api-sandbox.pagsmile.com" }

    public func makeClient(
        account: ProviderAccount, credentials: PagsmileCredentials, client: HTTPClient, environment: AdapterEnvironment
    ) throws(ConfigurationError) -> any ProviderClient {
        try PagsmileClient(account: account, credentials: credentials, client: client, environment: environment)
    }
}

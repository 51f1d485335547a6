import AsyncHTTPClient
import RechargeCore
import _CryptoExtras

/// HyperCard's credentials: the merchant id (sent as the `api-key` header, not secret) and the merchant's RSA
/// signing key.
public struct HyperCardCredentials: Sendable {
    public var merchantID: String
    public var privateKey: _RSA.Signing.PrivateKey

    public init(merchantID: String, privateKey: _RSA.Signing.PrivateKey) {
        self.merchantID = merchantID
        self.privateKey = privateKey
    }
}

/// What the processor knows about HyperCard: card ids of up to 64 letters or digits, any currency, and a pay coin
/// per line (`pay_coin`, or the account's `defaultPayCoin`). It deduplicates by `mc_trade_no`, so the engine needs
/// no restriction.
public struct HyperCardProfile: AdapterProfile {
    public init() {}

    public var kind: ProviderKind { .hypercard }

    public var credentialRequirements: [CredentialRequirement] {
        [CredentialRequirement("apiKey", isSecret: false), CredentialRequirement("privateKey", isSecret: true)]
    }

    public func decodeCredentials(
        _ values: [String: Secret], account: ProviderAccount
    ) throws(ConfigurationError) -> HyperCardCredentials {
        let merchantID = try self.credential("apiKey", in: values, account: account).value
        let pem = try self.credential("privateKey", in: values, account: account).value
        // HyperCard's keys are 1024-bit, which only the unsafe initialiser accepts.
        guard let privateKey = try? _RSA.Signing.PrivateKey(unsafePEMRepresentation: pem) else {
            throw self.unusable("privateKey", of: account, "not a readable RSA private key in PEM form")
        }
        return HyperCardCredentials(merchantID: merchantID, privateKey: privateKey)
    }

    public var acceptedCurrencies: Set<String>? { nil }

    public func cardIDProblem(_ cardID: String) -> String? {
        cardID.utf8.count <= 64 && cardID.unicodeScalars.allSatisfy(FieldRules.isASCIIAlphanumeric)
            ? nil : "a HyperCard card id is 1 to 64 letters or digits"
    }

    public var extras: [ProviderExtra] {
        [
            ProviderExtra(
                .payCoin, usedOnlyBy: "only HyperCard accounts use a pay coin",
                problem: { payCoin in
                    payCoin.utf8.count > 20 || !payCoin.unicodeScalars.allSatisfy(FieldRules.isASCIIAlphanumeric)
                        ? "a pay coin is 1 to 20 letters or digits, such as usdt" : nil
                },
                accountDefault: { $0.defaultPayCoin },
                missing: { "HyperCard needs a pay coin: give pay_coin or set defaultPayCoin on account '\($0.name)'" })
        ]
    }

    public func executionRules(for account: ProviderAccount) -> ExecutionRules { ExecutionRules() }

    public var defaultBaseURL: String? { nil }
    public var baseURLHint: String { "HyperCard gives it with the merchant account" }

    public func makeClient(
        account: ProviderAccount, credentials: HyperCardCredentials, client: HTTPClient, environment: AdapterEnvironment
    ) throws(ConfigurationError) -> any ProviderClient {
        try HyperCardClient(account: account, credentials: credentials, client: client, environment: environment)
    }
}

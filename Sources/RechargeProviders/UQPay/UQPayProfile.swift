import AsyncHTTPClient
import RechargeCore

/// UQPay's credentials, exchanged for a token at `/v1/connect/token`: the client id and the API key.
public struct UQPayCredentials: Sendable {
    public var clientID: Secret
    public var apiKey: Secret

    public init(clientID: Secret, apiKey: Secret) {
        self.clientID = clientID
        self.apiKey = apiKey
    }
}

/// What the processor knows about UQPay: card ids are UUIDs, cards hold USD or SGD, a line may name the sub-account
/// it is for (`on_behalf_of`, a UUID), and an answer lost without a `card_order_id` may be learnt by replaying the
/// same key within UQPay's 24-hour dedupe window.
public struct UQPayProfile: AdapterProfile {
    /// UQPay caches the answer to an `x-idempotency-key` for 24 hours [DOC integration FAQ].
    public static let replayWindow = Duration.seconds(24 * 3600)

    public init() {}

    public var kind: ProviderKind { .uqpay }

    public var credentialRequirements: [CredentialRequirement] {
        [CredentialRequirement("clientID", isSecret: false), CredentialRequirement("apiKey", isSecret: true)]
    }

    public func decodeCredentials(_ values: [String: Secret], account: ProviderAccount) throws(ConfigurationError) -> UQPayCredentials {
        UQPayCredentials(
            clientID: try self.credential("clientID", in: values, account: account),
            apiKey: try self.credential("apiKey", in: values, account: account))
    }

    public var acceptedCurrencies: Set<String>? { ["USD", "SGD"] }

    public func cardIDProblem(_ cardID: String) -> String? {
        FieldRules.isUUID(cardID) ? nil : "a UQPay card id is a UUID such as f3703ef0-f9cb-429c-93fe-5cb435cc1d96"
    }

    public var extras: [ProviderExtra] {
        [
            ProviderExtra(
                .onBehalfOf, usedOnlyBy: "only UQPay accounts use on_behalf_of",
                problem: { FieldRules.isUUID($0) ? nil : "a UQPay sub-account id is a UUID such as 3f2b8c1e-9a4d-4c2e-8f1a-2b3c4d5e6f70" })
        ]
    }

    /// A lost answer is resolved by the order query, or within the replay window by a same-key replay.
    public func executionRules(for account: ProviderAccount) -> ExecutionRules {
        ExecutionRules(replayWindow: Self.replayWindow, oneSessionPerAccount: true)
    }

    public var defaultBaseURL: String? { nil }
    public var baseURLHint: String { "production https://api.uqpay.com/api, sandbox https://api-sandbox.uqpaytech.com/api" }

    public func makeClient(
        account: ProviderAccount, credentials: UQPayCredentials, client: HTTPClient, environment: AdapterEnvironment
    ) throws(ConfigurationError) -> any ProviderClient {
        try UQPayClient(account: account, credentials: credentials, client: client, environment: environment)
    }
}

import AsyncHTTPClient
import RechargeCore

/// PayCertify's credential: the static bearer token.
public struct PayCertifyCredentials: Sendable {
    public var token: Secret

    public init(token: Secret) {
        self.token = token
    }
}

/// What the processor knows about PayCertify: vCard ids are UUIDs, cards hold USD only, no extras; no merchant
/// reference and no dedupe, so one reload per card in flight, a card snapshot before each, and no comparison before
/// the account's time-out has passed since sending.
public struct PayCertifyProfile: AdapterProfile {
    public init() {}

    public var kind: ProviderKind { .paycertify }

    public var credentialRequirements: [CredentialRequirement] { [CredentialRequirement("token", isSecret: true)] }

    public func decodeCredentials(
        _ values: [String: Secret], account: ProviderAccount
    ) throws(ConfigurationError) -> PayCertifyCredentials {
        PayCertifyCredentials(token: try self.credential("token", in: values, account: account))
    }

    public var acceptedCurrencies: Set<String>? { ["USD"] }

    public func cardIDProblem(_ cardID: String) -> String? {
        FieldRules.isUUID(cardID) ? nil : "a PayCertify vCard id is a UUID such as 0b7e6f0e-3f4c-4d8e-9a57-7c1b2d3e4f50"
    }

    public var extras: [ProviderExtra] { [] }

    /// One reload per card in flight and a snapshot before each (the only way to resolve a lost answer), and no
    /// comparison before the time-out has passed since sending. An account that turns the snapshot off
    /// (`readCardBeforeSend: false`) sends without one: a reload whose answer is lost then ends UNKNOWN.
    public func executionRules(for account: ProviderAccount) -> ExecutionRules {
        let reads = account.readCardBeforeSend ?? true
        return ExecutionRules(
            onePerCard: true, requiresEvidence: reads, readsCardBeforeSend: reads,
            statusDelayAfterSend: .milliseconds(account.timeoutMilliseconds))
    }

    public var defaultBaseURL: String? { "https://vcard-api.paycertify.com/api" }
    public var baseURLHint: String { "" }

    public func makeClient(
        account: ProviderAccount, credentials: PayCertifyCredentials, client: HTTPClient, environment: AdapterEnvironment
    ) throws(ConfigurationError) -> any ProviderClient {
        try PayCertifyClient(account: account, credentials: credentials, client: client, environment: environment)
    }
}

import AsyncHTTPClient
import RechargeCore

/// VCC's credentials: the company id (not secret) and the API key the body `sign` is made with.
public struct VCCCredentials: Sendable {
    public var companyID: String
    public var apiKey: Secret

    public init(companyID: String, apiKey: Secret) {
        self.companyID = companyID
        self.apiKey = apiKey
    }
}

/// What the processor knows about VCC: card ids are 1 to 20 digits, any currency, no extras; no merchant key, so one
/// charge per card in flight and no status query before the account's time-out has passed since sending.
public struct VCCProfile: AdapterProfile {
    public init() {}

    public var kind: ProviderKind { .vcc }

    public var credentialRequirements: [CredentialRequirement] {
        [CredentialRequirement("companyID", isSecret: false), CredentialRequirement("apiKey", isSecret: true)]
    }

    public func decodeCredentials(_ values: [String: Secret], account: ProviderAccount) throws(ConfigurationError) -> VCCCredentials {
        VCCCredentials(
            companyID: try self.credential("companyID", in: values, account: account).value,
            apiKey: try self.credential("apiKey", in: values, account: account))
    }

    public var acceptedCurrencies: Set<String>? { nil }

    public func cardIDProblem(_ cardID: String) -> String? {
        cardID.utf8.count <= 20 && FieldRules.isDigits(cardID) ? nil : "a VCC card id is 1 to 20 digits"
    }

    public var extras: [ProviderExtra] { [] }

    /// One charge per card in flight (the balance comparison needs it), the card read before each charge unless the
    /// account turns it off (the operation query by `request_id` comes first; the balance is its fallback), and no
    /// status query before the time-out has passed since sending: an operation VCC has not recorded yet must not be
    /// read as never applied.
    public func executionRules(for account: ProviderAccount) -> ExecutionRules {
        ExecutionRules(
            onePerCard: true, requiresEvidence: false, readsCardBeforeSend: account.readCardBeforeSend ?? true,
            statusDelayAfterSend: .milliseconds(account.timeoutMilliseconds))
    }

    public var defaultBaseURL: String? { nil }
    public var baseURLHint: String {
        "VCC publishes no production URL: give the one from your account manager (sandbox: https://sandbox.vcc.top/api)"
    }

    public func makeClient(
        account: ProviderAccount, credentials: VCCCredentials, client: HTTPClient, environment: AdapterEnvironment
    ) throws(ConfigurationError) -> any ProviderClient {
        try VCCClient(account: account, credentials: credentials, client: client, environment: environment)
    }
}

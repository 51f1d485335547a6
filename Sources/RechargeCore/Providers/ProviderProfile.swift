/// What the processor knows about one provider kind before it talks to it: the credentials an account needs, which
/// currencies and card ids its lines may carry, the extra per-line fields it uses, and the rules the engine follows.
///
/// Each provider has one profile, next to its adapter (`RechargeProviders/<Provider>/<Provider>Profile.swift`); the
/// batch validator, the configuration check and the adapter all read the same one, so what a file may say, what a
/// configuration must give and what a request needs cannot drift apart. Core knows no provider: the profiles are
/// handed in as ``ProviderProfiles``.
public protocol ProviderProfile: Sendable {
    /// The credentials an adapter of this kind is built with, decoded and checked.
    associatedtype Credentials: Sendable

    var kind: ProviderKind { get }
    /// The credentials an account of this kind must configure, in the order they are checked.
    var credentialRequirements: [CredentialRequirement] { get }
    /// The account's credentials, typed, from the values resolved from their sources.
    ///
    /// - Throws: ``ConfigurationError`` naming the account and credential that is missing or unusable
    ///   (see ``ConfigurationError/credential(_:of:_:)``).
    func decodeCredentials(_ values: [String: Secret], account: ProviderAccount) throws(ConfigurationError) -> Credentials
    /// The currency codes the provider's cards can hold, or `nil` when it does not restrict them.
    var acceptedCurrencies: Set<String>? { get }
    /// Why `cardID` does not have the shape the provider uses, or `nil` when it does.
    func cardIDProblem(_ cardID: String) -> String?
    /// The extra per-line fields the provider uses; a line of this kind that gives any other extra is refused.
    var extras: [ProviderExtra] { get }
    /// What the engine must respect for this provider's resolution to be sound (the adapter reports the same).
    func executionRules(for account: ProviderAccount) -> ExecutionRules
}

extension ProviderProfile {
    /// The resolved value of the credential `name`, or the error saying it is missing.
    package func credential(_ name: String, in values: [String: Secret], account: ProviderAccount) throws(ConfigurationError) -> Secret {
        guard let value = values[name], !value.value.isEmpty else {
            throw ConfigurationError.credential(name, of: account.name, ConfigurationError.missingCredential)
        }
        return value
    }
}

/// One credential a provider kind needs, and whether it is a secret (read only from the environment or a key file,
/// and a key file holding it must not be readable by group or others).
public struct CredentialRequirement: Hashable, Sendable {
    public let name: String
    public let isSecret: Bool

    public init(_ name: String, isSecret: Bool) {
        self.name = name
        self.isSecret = isSecret
    }
}

/// An extra per-line field a provider uses (HyperCard's `pay_coin`, Pagsmile's `pay_account_num`, UQPay's
/// `on_behalf_of`): how a value is checked, where a line that gives none takes it from, and whether one is required.
public struct ProviderExtra: Sendable {
    public let field: BatchField
    /// What the validator says to a line of another provider that gives the field: `only HyperCard accounts use a
    /// pay coin`.
    public let usedOnlyBy: String
    /// Why a value is unacceptable, or `nil`.
    public let problem: @Sendable (String) -> String?
    /// The account's value for a line that gives none.
    public let accountDefault: @Sendable (ProviderAccount) -> String?
    /// When neither the line nor the account gives a value: the problem, or `nil` when the field may be left out.
    public let missing: (@Sendable (ProviderAccount) -> String)?

    public init(
        _ field: BatchField, usedOnlyBy: String, problem: @escaping @Sendable (String) -> String?,
        accountDefault: @escaping @Sendable (ProviderAccount) -> String? = { _ in nil },
        missing: (@Sendable (ProviderAccount) -> String)? = nil
    ) {
        self.field = field
        self.usedOnlyBy = usedOnlyBy
        self.problem = problem
        self.accountDefault = accountDefault
        self.missing = missing
    }
}

/// The profile of every provider kind the processor speaks, by kind: what the validator and the configuration check
/// are given. `RechargeProviders` builds the one with every provider (`ProviderProfiles.all`).
public struct ProviderProfiles: Sendable {
    private let byKind: [ProviderKind: any ProviderProfile]
    /// The profiles in the order given.
    public let list: [any ProviderProfile]

    public init(_ profiles: [any ProviderProfile]) {
        self.list = profiles
        self.byKind = Dictionary(profiles.map { ($0.kind, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The profile of `kind`, if there is one.
    public subscript(kind: ProviderKind) -> (any ProviderProfile)? {
        self.byKind[kind]
    }

    /// The first profile that uses `field` as an extra, with that extra.
    func user(of field: BatchField) -> ProviderExtra? {
        for profile in self.list {
            if let extra = profile.extras.first(where: { $0.field == field }) { return extra }
        }
        return nil
    }
}

extension ConfigurationError {
    /// A credential of the account `account` that is missing or cannot be used, named as
    /// `accounts.NAME.credentials.KEY`, with `problem` saying what is wrong and how to fix it.
    package static func credential(_ name: String, of account: String, _ problem: String) -> ConfigurationError {
        ConfigurationError(path: "configuration", key: "accounts.\(account).credentials.\(name)", message: problem)
    }

    /// What a credential that is not configured (or resolves to nothing) is told.
    package static let missingCredential = "missing; give {\"env\": NAME} or {\"file\": PATH}"
}

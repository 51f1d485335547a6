import Foundation

/// Everything the simulator is started with: credentials, cards, balances, limits and faults.
///
/// Read from a JSON file (`recharge-sim --config FILE`); every member is optional and defaults to the demo
/// values below, so `{}` is a working configuration.
public struct SimulatorConfiguration: Codable, Sendable {
    /// The seed of the random choices (fault injection, jitter), so that a run can be reproduced.
    public var seed: UInt64 = 1
    /// Create an unknown card on its first top-up (active, in the currency the request implies, balance 0).
    public var autoCards = false
    public var vcc = VCC()
    public var hypercard = HyperCard()
    public var pagsmile = Pagsmile()
    public var uqpay = UQPay()
    public var paycertify = PayCertify()
    public var cards: [Card] = []
    /// Provider → currency → the merchant's available balance (decimal). A currency not listed is unlimited.
    public var merchantBalances: [String: [String: String]] = [:]
    /// Provider → its own rate limit. A provider not listed has the default from ``defaultLimits``; in a file,
    /// `null` removes a provider's default.
    public var limits: [String: RateLimit] = SimulatorConfiguration.defaultLimits
    /// Provider → injected faults.
    public var faults: [String: Faults] = [:]

    public init() {}

    /// The documented limits where a provider documents one: PayCertify 60 requests a minute, UQPay's
    /// sandbox 500 a minute for authenticated calls. The others document none.
    public static let defaultLimits: [String: RateLimit] = [
        "paycertify": RateLimit(requestsPerSecond: 1, burst: 60),
        "uqpay": RateLimit(requestsPerSecond: 500.0 / 60.0, burst: 500),
    ]

    public struct VCC: Codable, Sendable {
        public var companyID = "4101"
        public var apiKey = "sim-vcc-api-key"

        public init() {}

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init()
            self.companyID = try c.value(.companyID, self.companyID)
            self.apiKey = try c.value(.apiKey, self.apiKey)
        }
    }

    public struct HyperCard: Codable, Sendable {
        /// The merchant id sent as the `api-key` header.
        public var apiKey = "sim-hypercard-merchant"
        /// PEM of the merchant public key that verifies request signatures.
        public var merchantPublicKeyPEM = SimulatorKeys.hyperCardMerchantPublic
        /// The fee taken from each top-up, in basis points of the requested fiat amount (50 = 0.5 %).
        public var feeBasisPoints = 50
        /// How far a request's `timestamp` may be from the simulator's clock, in seconds.
        public var timestampToleranceSeconds = 300

        public init() {}

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init()
            self.apiKey = try c.value(.apiKey, self.apiKey)
            self.merchantPublicKeyPEM = try c.value(.merchantPublicKeyPEM, self.merchantPublicKeyPEM)
            self.feeBasisPoints = try c.value(.feeBasisPoints, self.feeBasisPoints)
            self.timestampToleranceSeconds = try c.value(.timestampToleranceSeconds, self.timestampToleranceSeconds)
        }
    }

    public struct Pagsmile: Codable, Sendable {
        public var appID = "sim-pagsmile-app"
        public var partnerID = "sim-pagsmile-partner"
        /// PEM of the platform private key that unwraps a request's AES key.
        public var platformPrivateKeyPEM = SimulatorKeys.pagsmilePlatformPrivate
        /// PEM of the merchant public key that wraps a response's AES key.
        public var merchantPublicKeyPEM = SimulatorKeys.pagsmileMerchantPublic

        public init() {}

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init()
            self.appID = try c.value(.appID, self.appID)
            self.partnerID = try c.value(.partnerID, self.partnerID)
            self.platformPrivateKeyPEM = try c.value(.platformPrivateKeyPEM, self.platformPrivateKeyPEM)
            self.merchantPublicKeyPEM = try c.value(.merchantPublicKeyPEM, self.merchantPublicKeyPEM)
        }
    }

    public struct UQPay: Codable, Sendable {
        public var clientID = "sim-uqpay-client"
        public var apiKey = "sim-uqpay-api-key"
        /// Token lifetime in seconds (UQPay: 30 minutes in production).
        public var tokenLifetimeSeconds = 1_800
        /// Sub-account ids accepted in `x-on-behalf-of`.
        public var subAccounts: [String] = ["3f2b8c1e-9a4d-4c2e-8f1a-2b3c4d5e6f70"]
        /// How long a replayed idempotency key returns the cached answer, in seconds (24 h).
        public var idempotencyWindowSeconds = 86_400

        public init() {}

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init()
            self.clientID = try c.value(.clientID, self.clientID)
            self.apiKey = try c.value(.apiKey, self.apiKey)
            self.tokenLifetimeSeconds = try c.value(.tokenLifetimeSeconds, self.tokenLifetimeSeconds)
            self.subAccounts = try c.value(.subAccounts, self.subAccounts)
            self.idempotencyWindowSeconds = try c.value(.idempotencyWindowSeconds, self.idempotencyWindowSeconds)
        }
    }

    public struct PayCertify: Codable, Sendable {
        public var token = "sim-paycertify-token"

        public init() {}

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init()
            self.token = try c.value(.token, self.token)
        }
    }

    public struct Card: Codable, Sendable {
        public var provider: String
        public var id: String
        public var currency: String
        /// The starting balance as a decimal string.
        public var balance = "0"
        /// `active`, `frozen` or `cancelled`.
        public var status = "active"

        public init(provider: String, id: String, currency: String, balance: String = "0", status: String = "active") {
            self.provider = provider
            self.id = id
            self.currency = currency
            self.balance = balance
            self.status = status
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.provider = try c.decode(String.self, forKey: .provider)
            self.id = try c.decode(String.self, forKey: .id)
            self.currency = try c.decode(String.self, forKey: .currency)
            self.balance = try c.value(.balance, "0")
            self.status = try c.value(.status, "active")
        }
    }

    public struct RateLimit: Codable, Sendable, Equatable {
        public var requestsPerSecond: Double
        public var burst: Int

        public init(requestsPerSecond: Double, burst: Int) {
            self.requestsPerSecond = requestsPerSecond
            self.burst = burst
        }
    }

    /// Faults injected into a provider's answers. Probabilities are between 0 and 1.
    public struct Faults: Codable, Sendable, Equatable {
        /// Added to every answer, in milliseconds, plus up to `jitterMilliseconds` at random.
        public var latencyMilliseconds = 0
        public var jitterMilliseconds = 0
        /// Answer the provider's 5xx without doing anything.
        public var failBeforeApply = 0.0
        /// Apply the top-up, then close the connection without an answer.
        public var dropAfterApply = 0.0
        /// Apply the top-up, then answer the provider's 5xx.
        public var errorAfterApply = 0.0
        /// Apply the top-up, then answer only after `slowMilliseconds` (longer than a client's time-out).
        public var slowAfterApply = 0.0
        public var slowMilliseconds = 30_000
        /// Answer 429 with `Retry-After: retryAfterSeconds` without doing anything.
        public var throttle = 0.0
        public var retryAfterSeconds = 1

        public init() {}

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init()
            self.latencyMilliseconds = try c.value(.latencyMilliseconds, self.latencyMilliseconds)
            self.jitterMilliseconds = try c.value(.jitterMilliseconds, self.jitterMilliseconds)
            self.failBeforeApply = try c.value(.failBeforeApply, self.failBeforeApply)
            self.dropAfterApply = try c.value(.dropAfterApply, self.dropAfterApply)
            self.errorAfterApply = try c.value(.errorAfterApply, self.errorAfterApply)
            self.slowAfterApply = try c.value(.slowAfterApply, self.slowAfterApply)
            self.slowMilliseconds = try c.value(.slowMilliseconds, self.slowMilliseconds)
            self.throttle = try c.value(.throttle, self.throttle)
            self.retryAfterSeconds = try c.value(.retryAfterSeconds, self.retryAfterSeconds)
        }
    }
}

extension SimulatorConfiguration {
    /// Decodes a configuration, every member optional.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        self.seed = try container.decodeIfPresent(UInt64.self, forKey: .seed) ?? self.seed
        self.autoCards = try container.decodeIfPresent(Bool.self, forKey: .autoCards) ?? self.autoCards
        self.vcc = try container.decodeIfPresent(VCC.self, forKey: .vcc) ?? self.vcc
        self.hypercard = try container.decodeIfPresent(HyperCard.self, forKey: .hypercard) ?? self.hypercard
        self.pagsmile = try container.decodeIfPresent(Pagsmile.self, forKey: .pagsmile) ?? self.pagsmile
        self.uqpay = try container.decodeIfPresent(UQPay.self, forKey: .uqpay) ?? self.uqpay
        self.paycertify = try container.decodeIfPresent(PayCertify.self, forKey: .paycertify) ?? self.paycertify
        self.cards = try container.decodeIfPresent([Card].self, forKey: .cards) ?? self.cards
        self.merchantBalances = try container.decodeIfPresent([String: [String: String]].self, forKey: .merchantBalances) ?? [:]
        // Merged over the defaults, as documented on `limits`: a provider not listed keeps its default, null removes it.
        for (provider, limit) in try container.decodeIfPresent([String: RateLimit?].self, forKey: .limits) ?? [:] {
            self.limits[provider] = limit
        }
        self.faults = try container.decodeIfPresent([String: Faults].self, forKey: .faults) ?? [:]
    }

    /// Loads a JSON configuration file.
    public static func load(path: String) throws -> SimulatorConfiguration {
        try JSONDecoder().decode(SimulatorConfiguration.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// The simulated providers, as they appear in paths, configuration keys and the ledger.
    public static let providers = ["vcc", "hypercard", "pagsmile", "uqpay", "paycertify"]
}

extension KeyedDecodingContainer {
    /// The value for `key`, or `fallback` when the key is absent.
    func value<T: Decodable>(_ key: Key, _ fallback: T) throws -> T {
        try self.decodeIfPresent(T.self, forKey: key) ?? fallback
    }
}

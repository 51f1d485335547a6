/// One top-up as a provider adapter sees it: the stored line, its account and the key it is sent under.
public struct RechargeRequest: Hashable, Sendable {
    public var account: ProviderAccount
    public var cardID: String
    public var amount: Money
    /// The user's own line reference (sent where a provider has a free reference field).
    public var reference: String
    public var remark: String?
    public var payCoin: String?
    public var payAccountNumber: String?
    public var onBehalfOf: String?
    public var key: IdempotencyKey

    public init(
        account: ProviderAccount, cardID: String, amount: Money, reference: String, remark: String? = nil,
        payCoin: String? = nil, payAccountNumber: String? = nil, onBehalfOf: String? = nil, key: IdempotencyKey
    ) {
        self.account = account
        self.cardID = cardID
        self.amount = amount
        self.reference = reference
        self.remark = remark
        self.payCoin = payCoin
        self.payAccountNumber = payAccountNumber
        self.onBehalfOf = onBehalfOf
        self.key = key
    }
}

/// What a provider reported about an applied top-up.
public struct ProviderReceipt: Hashable, Sendable {
    /// The provider's own reference (VCC `reqNo`, HyperCard `order_no`, Pagsmile `transaction_id`,
    /// UQPay `card_order_id`, PayCertify action id).
    public var providerReference: String?
    /// What reached the card, where the provider says (HyperCard credits the amount less its fee).
    public var credited: Money?
    /// What the provider charged, in the unit it charged it in (HyperCard: the pay coin).
    public var fee: ChargedAmount?
    /// The exchange rate the provider applied, as it wrote it.
    public var exchangeRate: String?

    public init(providerReference: String?, credited: Money? = nil, fee: ChargedAmount? = nil, exchangeRate: String? = nil) {
        self.providerReference = providerReference
        self.credited = credited
        self.fee = fee
        self.exchangeRate = exchangeRate
    }
}

/// A provider's answer to a top-up, classified for the engine.
public enum RechargeOutcome: Hashable, Sendable {
    /// The provider applied it.
    case applied(ProviderReceipt)
    /// The provider refused it for good (its code and message). The line goes to FAILED.
    case rejected(code: String, message: String)
    /// It provably did not take effect (not sent, refused before any effect, rate limited); send again later
    /// under the same key, after `retryAfter` when the provider said.
    case notApplied(code: String, message: String, retryAfter: Duration?)
    /// The provider is rate limiting (HTTP 429, or its own code for it): nothing took effect. The account pauses
    /// for `retryAfter` (or the policy's pause when the provider gave none) and the line is sent again.
    case throttled(code: String, message: String, retryAfter: Duration?)
    /// It may or may not have taken effect (time-out, reset, 5xx after sending). Never re-sent blindly:
    /// resolved through the account's ``ProviderLookup``.
    case inDoubt(code: String, message: String)
    /// The provider took it and has not finished it; `reference` is what its read-only lookup follows (UQPay's
    /// `card_order_id`). Recorded at once, so that the lookup survives a crash.
    case accepted(reference: String, code: String, message: String)
}

/// What a status query established about a top-up sent earlier.
public enum StatusOutcome: Hashable, Sendable {
    case applied(ProviderReceipt)
    /// The provider definitely refused it.
    case rejected(code: String, message: String)
    /// The provider has no trace of it and says so definitely: it did not take effect.
    case notApplied
    /// The provider knows it but has not finished it; `reference` is its own id for it, when it gave one.
    case pending(reference: String?)
    /// The provider answered 429: ask again no sooner than `retryAfter` (when it said).
    case throttled(retryAfter: Duration?)
    /// The question could not be answered now (the query itself failed, or the evidence is ambiguous).
    case cannotTell(reason: String)
}

/// What the engine knows about an earlier send, for a lookup: the evidence recorded before it and the provider's
/// reference, when an answer carried one.
public struct RecordedSend: Hashable, Sendable {
    public var evidence: ResolutionEvidence?
    public var providerReference: String?

    public init(evidence: ResolutionEvidence? = nil, providerReference: String? = nil) {
        self.evidence = evidence
        self.providerReference = providerReference
    }
}

/// A card read before sending.
public enum EvidenceRead: Hashable, Sendable {
    /// The provider needs no evidence (it keeps a record by key).
    case notNeeded
    case recorded(ResolutionEvidence)
    /// The provider answered 429 to the card read: wait (`retryAfter` when it said how long) and read again.
    case throttled(retryAfter: Duration?)
    /// The card could not be read now (the request failed, or the answer was unreadable).
    case unavailable(reason: String)

    public var evidence: ResolutionEvidence? {
        if case .recorded(let evidence) = self { return evidence }
        return nil
    }
}

/// The read-only half of a provider: order, transaction and card queries. Recovery and `recharge reconcile` hold
/// only this; it has no way to send a top-up (each adapter's lookup speaks through a transport that refuses
/// every path but the provider's read endpoints).
public protocol ProviderLookup: Sendable {
    /// Evidence to record **before** sending, for providers without a merchant key (a card snapshot), so that a
    /// time-out can be resolved afterwards, even after a crash.
    func evidenceBeforeRecharge(_ request: RechargeRequest) async -> EvidenceRead

    /// Establishes by read requests only whether an earlier send under `request.key` took effect: the provider's
    /// status query by key or by its recorded reference, or a comparison of the card with the recorded evidence.
    func status(_ request: RechargeRequest, recorded: RecordedSend) async -> StatusOutcome
}

/// The send capability: what only the engine's send path (and its in-flight resolution, for a same-key replay
/// inside ``ExecutionRules/replayWindow``) holds. Adapters never throw: every failure is classified.
public protocol ProviderClient: Sendable {
    /// The read-only half, handed to recovery and reconcile.
    var lookup: any ProviderLookup { get }

    /// Sends the top-up under `request.key`. A second call under the same key is a second send.
    func recharge(_ request: RechargeRequest) async -> RechargeOutcome

    /// What the engine must respect for this provider's resolution to be sound.
    var executionRules: ExecutionRules { get }

    /// Work done once before the account's first request of a run (UQPay logs in), so that waiting for it does not
    /// hold back requests the rate limiter has already let through, which would then leave together, over the
    /// provider's limit. A failure is left for the first request to meet and report.
    func prepare() async
}

/// What an adapter recorded before sending, kept with the attempt: an opaque, adapter-defined text (JSON).
/// It holds no secrets and no card numbers.
public struct ResolutionEvidence: Hashable, Sendable, Codable {
    public var text: String

    public init(text: String) {
        self.text = text
    }
}

/// How the engine must drive one provider's adapter so that its in-doubt resolution stays sound.
public struct ExecutionRules: Hashable, Sendable {
    /// At most one recharge per card in flight: the provider has no merchant key, and an in-doubt send is
    /// resolved by comparing the card with a snapshot, which a concurrent top-up of the same card would spoil.
    public var onePerCard: Bool
    /// Send only with evidence recorded before sending (``ProviderLookup/evidenceBeforeRecharge(_:)``): without
    /// it an in-doubt send cannot be resolved at all. When the evidence cannot be had, the line waits.
    public var requiresEvidence: Bool
    /// Read the card (``ProviderLookup/evidenceBeforeRecharge(_:)``) before each send; by default where a card takes
    /// one line at a time or evidence is required. An account can turn it off (`readCardBeforeSend`).
    public var readsCardBeforeSend: Bool
    /// Ask for the status of an in-doubt send no sooner than this after sending: where "not found" is read as
    /// "not applied", the request must no longer be able to arrive at the provider.
    public var statusDelayAfterSend: Duration
    /// The provider's documented dedupe window: a same-key replay sent within this long of the **first** send
    /// under the key returns the original result and creates nothing (UQPay: 24 hours). Only then may the engine
    /// replay to learn an outcome it has no reference to look up; past it, a replay would be a new top-up.
    /// `nil`: the provider's lookup needs no reference, and a replay is never used.
    public var replayWindow: Duration?
    /// The provider keeps one session per client: a new token invalidates every older one (UQPay). On a store
    /// several runners share, one runner at a time works such an account, or their logins would knock each other's
    /// tokens out.
    public var oneSessionPerAccount: Bool

    public init(
        onePerCard: Bool = false, requiresEvidence: Bool = false, readsCardBeforeSend: Bool? = nil, statusDelayAfterSend: Duration = .zero,
        replayWindow: Duration? = nil, oneSessionPerAccount: Bool = false
    ) {
        self.onePerCard = onePerCard
        self.requiresEvidence = requiresEvidence
        self.readsCardBeforeSend = readsCardBeforeSend ?? (onePerCard || requiresEvidence)
        self.statusDelayAfterSend = statusDelayAfterSend
        self.replayWindow = replayWindow
        self.oneSessionPerAccount = oneSessionPerAccount
    }
}

extension ProviderClient {
    /// Providers that deduplicate by key need none of the restrictions.
    public var executionRules: ExecutionRules { ExecutionRules() }

    /// Most providers need nothing before their first request.
    public func prepare() async {}
}

import Foundation
import Synchronization

/// A simulated card.
struct SimCard: Sendable {
    var provider: String
    var id: String
    var currency: String
    var balanceMinor: Int64
    var status: String
    /// PayCertify's activity log.
    var actions: [PayCertifyAction] = []
    var createdAt: String
}

/// An entry of a PayCertify card's `actions[]`: a reload is `refill`, with the balance before it (documented as
/// `data.previous_amount_balance`; the element carries no amount).
struct PayCertifyAction: Sendable {
    var id: String
    var type: String
    var previousBalanceMinor: Int64
    var createdAt: String
}

/// What a top-up attempt did to the simulated world.
enum TopUpResult: Sendable {
    case applied(LedgerEntry, SimCard)
    case cardNotFound
    case cardNotActive(String)
    case currencyMismatch(card: String)
    case insufficientFunds
}

/// Everything the simulator remembers, behind one lock.
///
/// Handlers do their parsing and cryptography outside the lock and take it only for the state change itself,
/// which keeps the lock short enough for thousands of requests a second.
final class SimulatorState: Sendable {
    struct Inner {
        var configuration: SimulatorConfiguration
        var cards: [String: SimCard] = [:]
        var merchantBalances: [String: [String: Int64]] = [:]
        var ledger: [LedgerEntry] = []
        var stats: [String: ProviderStats] = [:]
        var windows: [String: [UInt64]] = [:]
        var windowStarts: [String: Int] = [:]
        var buckets: [String: (tokens: Double, at: UInt64)] = [:]
        var random: SimRandom
        var nextReference = 115_800
        // Provider records.
        var vccOperations: [String: [Int]] = [:]
        var hyperCardOrders: [String: HyperCardOrder] = [:]
        var pagsmileOrders: [String: PagsmileOrder] = [:]
        var uqpayToken: (token: String, expiresAt: Date)?
        var uqpayReplays: [String: UQPayReplay] = [:]
        var uqpayOrders: [String: UQPayOrder] = [:]
        /// Callers waiting for the ledger to reach a length (tests that must not race the simulator).
        var ledgerWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []

        init(configuration: SimulatorConfiguration, now: Date) {
            self.configuration = configuration
            self.random = SimRandom(seed: configuration.seed)
            let created = SimTime.iso(now)
            for card in configuration.cards {
                let exponent = SimAmount.exponent(card.currency)
                self.cards[Self.cardKey(card.provider, card.id)] = SimCard(
                    provider: card.provider, id: card.id, currency: card.currency,
                    balanceMinor: SimAmount.parse(card.balance, exponent: exponent) ?? 0, status: card.status, createdAt: created)
            }
            for (provider, balances) in configuration.merchantBalances {
                for (currency, text) in balances {
                    self.merchantBalances[provider, default: [:]][currency] =
                        SimAmount.parse(text, exponent: SimAmount.exponent(currency)) ?? 0
                }
            }
        }

        static func cardKey(_ provider: String, _ id: String) -> String { provider + "\u{1F}" + id.lowercased() }

        mutating func card(_ provider: String, _ id: String) -> SimCard? { self.cards[Self.cardKey(provider, id)] }

        /// Applies a top-up of `amountMinor` to a card, checking the card and the merchant's funds.
        mutating func topUp(
            provider: String, cardID: String, amountMinor: Int64, currency: String?, feeMinor: Int64 = 0,
            keys: (requestID: String?, mcTradeNo: String?, orderNo: String?, idempotencyKey: String?),
            reference: String? = nil, now: Date
        ) -> TopUpResult {
            let key = Self.cardKey(provider, cardID)
            if self.cards[key] == nil && self.configuration.autoCards {
                self.cards[key] = SimCard(
                    provider: provider, id: cardID, currency: currency ?? "USD", balanceMinor: 0, status: "active",
                    createdAt: SimTime.iso(now))
            }
            guard var card = self.cards[key] else { return .cardNotFound }
            guard card.status == "active" else { return .cardNotActive(card.status) }
            if let currency, currency != card.currency { return .currencyMismatch(card: card.currency) }
            if let available = self.merchantBalances[provider]?[card.currency] {
                guard available >= amountMinor else { return .insufficientFunds }
                self.merchantBalances[provider]![card.currency] = available - amountMinor
            }
            let credited = amountMinor - feeMinor
            let previousBalance = card.balanceMinor
            card.balanceMinor += credited
            let providerReference = reference ?? self.newReference()
            let exponent = SimAmount.exponent(card.currency)
            if provider == "paycertify" {
                card.actions.append(
                    PayCertifyAction(
                        id: providerReference, type: "refill", previousBalanceMinor: previousBalance, createdAt: SimTime.iso(now)))
            }
            self.cards[key] = card
            let entry = LedgerEntry(
                sequence: self.ledger.count + 1, provider: provider, cardID: card.id,
                amount: SimAmount.render(amountMinor, exponent: exponent), currency: card.currency,
                credited: SimAmount.render(credited, exponent: exponent), fee: SimAmount.render(feeMinor, exponent: exponent),
                requestID: keys.requestID, mcTradeNo: keys.mcTradeNo, orderNo: keys.orderNo, idempotencyKey: keys.idempotencyKey,
                providerReference: providerReference, appliedAt: SimTime.iso(now))
            self.ledger.append(entry)
            self.stats[provider, default: ProviderStats()].applied += 1
            let count = self.ledger.count
            self.ledgerWaiters.removeAll { waiter in
                guard waiter.count <= count else { return false }
                waiter.continuation.resume()
                return true
            }
            return .applied(entry, card)
        }

        mutating func newReference() -> String {
            self.nextReference += 1
            return String(self.nextReference)
        }

        mutating func reject(_ provider: String, code: String) {
            self.stats[provider, default: ProviderStats()].rejections[code, default: 0] += 1
        }
    }

    let clock: any SimulatorClock
    /// The same clock, as the admin API moves it.
    let adjustableClock: AdjustableSimulatorClock
    /// The configuration the simulator was started with, which a reset returns to.
    let initialConfiguration: SimulatorConfiguration
    private let inner: Mutex<Inner>

    init(configuration: SimulatorConfiguration, clock: any SimulatorClock) {
        let adjustable = AdjustableSimulatorClock(base: clock)
        self.clock = adjustable
        self.adjustableClock = adjustable
        self.initialConfiguration = configuration
        self.inner = Mutex(Inner(configuration: configuration, now: clock.now()))
    }

    func withLock<T: Sendable>(_ body: (inout Inner) throws -> T) rethrows -> T {
        try self.inner.withLock { try body(&$0) }
    }

    var configuration: SimulatorConfiguration { self.withLock { $0.configuration } }

    /// Forgets everything that happened: cards, balances, ledger, statistics, records, and faults and limits
    /// changed at run time, back to the configuration the simulator was started with.
    func reset() {
        let now = self.clock.now()
        self.withLock { inner in inner = Inner(configuration: self.initialConfiguration, now: now) }
    }
}

/// A small seedable generator (SplitMix64): the same seed gives the same fault sequence.
struct SimRandom: Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `probability`.
    mutating func chance(_ probability: Double) -> Bool {
        guard probability > 0 else { return false }
        return Double(self.next() >> 11) / Double(1 << 53) < probability
    }

    mutating func below(_ bound: Int) -> Int {
        bound <= 0 ? 0 : Int(self.next() % UInt64(bound))
    }

    mutating func hex(_ count: Int) -> String {
        var text = ""
        while text.count < count { text += String(self.next(), radix: 16) }
        return String(text.prefix(count))
    }
}

enum SimTime {
    static func iso(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}

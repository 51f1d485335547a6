import AsyncHTTPClient
import Foundation
import Logging
import RechargeCore
import RechargeSimulator

@testable import RechargeProviders

/// A simulator running in this process on a free loopback port, with one card per provider, and the
/// provider accounts and credentials the adapters need to talk to it.
struct SimulatorFixture: Sendable {
    let simulator: Simulator
    let port: Int
    let client: HTTPClient

    static let cards: [ProviderKind: (id: String, currency: String)] = [
        .vcc: ("100029701", "USD"),
        .hypercard: ("00003454323400000028888", "USD"),
        .pagsmile: ("CT000000880001", "BRL"),
        .uqpay: ("f3703ef0-f9cb-429c-93fe-5cb435cc1d96", "USD"),
        .paycertify: ("0b7e6f0e-3f4c-4d8e-9a57-7c1b2d3e4f50", "USD"),
    ]

    /// Runs `body` with a simulator configured by `configure` (cards for every provider are added first).
    static func with<T>(
        _ configure: (inout SimulatorConfiguration) -> Void = { _ in }, clock: any SimulatorClock = SystemSimulatorClock(),
        _ body: (SimulatorFixture) async throws -> T
    ) async throws -> T {
        var configuration = SimulatorConfiguration()
        configuration.cards = Self.cards.map {
            SimulatorConfiguration.Card(provider: $0.key.rawValue, id: $0.value.id, currency: $0.value.currency)
        }
        configuration.limits = [:]
        configure(&configuration)
        let simulator = Simulator(configuration: configuration, clock: clock)
        var logger = Logger(label: "test-simulator")
        logger.logLevel = .warning
        return try await simulator.withRunning(logger: logger) { port in
            var settings = HTTPClient.Configuration()
            settings.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 16
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: settings)
            do {
                let result = try await body(SimulatorFixture(simulator: simulator, port: port, client: client))
                try await client.shutdown()
                return result
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    /// The account of `kind`, pointing at this simulator.
    func account(_ kind: ProviderKind, timeoutMilliseconds: Int = 5_000) -> ProviderAccount {
        var account = ProviderAccount(name: kind.rawValue, kind: kind, baseURL: self.baseURL(kind))
        account.timeoutMilliseconds = timeoutMilliseconds
        account.defaultPayCoin = kind == .hypercard ? "usdt" : nil
        return account
    }

    func baseURL(_ kind: ProviderKind) -> String {
        let root = "http://127.0.0.1:\(self.port)"
        switch kind {
        case .vcc: return root + "/vcc/api"
        case .hypercard: return root + "/hypercard"
        case .pagsmile: return root + "/pagsmile"
        case .uqpay: return root + "/uqpay/api"
        case .paycertify: return root + "/paycertify/api"
        }
    }

    /// The simulator's demo credentials for `kind`.
    static func credentials(_ kind: ProviderKind) -> [String: Secret] {
        switch kind {
        case .vcc: ["companyID": Secret("4101"), "apiKey": Secret("sim-vcc-api-key")]
        case .hypercard: ["apiKey": Secret("sim-hypercard-merchant"), "privateKey": Secret(SimulatorKeys.hyperCardMerchantPrivate)]
        case .pagsmile:
            [
                "appID": Secret("sim-pagsmile-app"), "partnerID": Secret("sim-pagsmile-partner"),
                "platformPublicKey": Secret(SimulatorKeys.pagsmilePlatformPublic),
                "merchantPrivateKey": Secret(SimulatorKeys.pagsmileMerchantPrivate),
            ]
        case .uqpay: ["clientID": Secret("sim-uqpay-client"), "apiKey": Secret("sim-uqpay-api-key")]
        case .paycertify: ["token": Secret("sim-paycertify-token")]
        }
    }

    /// A request for the fixture card of `kind`.
    func request(
        _ kind: ProviderKind, amount: String, line: Int = 1, generation: Int = 0, batchUID: String = UUID().uuidString
    ) -> RechargeRequest {
        let card = Self.cards[kind]!
        let currency = Currency(code: card.currency)!
        guard let money = try? Money.parse(amount, currency: currency) else {
            preconditionFailure("the fixture amount \(amount) is not an exact \(currency.code) amount")
        }
        return RechargeRequest(
            account: self.account(kind), cardID: card.id, amount: money,
            reference: "REF-\(line)", payCoin: kind == .hypercard ? "usdt" : nil,
            payAccountNumber: kind == .pagsmile ? "PA-7700120045" : nil,
            key: IdempotencyKey(batchUID: batchUID, lineNumber: line, generation: generation))
    }

    /// The simulator's ledger.
    var ledger: [LedgerEntry] { self.simulator.ledger }
}

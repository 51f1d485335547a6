import Foundation
import RechargeSimulator
import Testing

/// The `recharge-sim --config` file: every member optional, the demo values for anything left out.
@Suite struct SimulatorConfigurationTests {
    /// Writes `json` to a temporary file and loads it as `recharge-sim` does.
    func load(_ json: String) throws -> SimulatorConfiguration {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("recharge-sim-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try SimulatorConfiguration.load(path: url.path)
    }

    @Test func emptyObjectIsTheDemoConfiguration() throws {
        let configuration = try self.load("{}")
        #expect(configuration.seed == 1 && !configuration.autoCards)
        #expect(configuration.vcc.companyID == "4101" && configuration.vcc.apiKey == "sim-vcc-api-key")
        #expect(configuration.hypercard.apiKey == "sim-hypercard-merchant")
        #expect(configuration.hypercard.feeBasisPoints == 50 && configuration.hypercard.timestampToleranceSeconds == 300)
        #expect(configuration.hypercard.merchantPublicKeyPEM == SimulatorKeys.hyperCardMerchantPublic)
        #expect(configuration.pagsmile.appID == "sim-pagsmile-app" && configuration.pagsmile.partnerID == "sim-pagsmile-partner")
        #expect(configuration.uqpay.clientID == "sim-uqpay-client" && configuration.uqpay.apiKey == "sim-uqpay-api-key")
        #expect(configuration.uqpay.tokenLifetimeSeconds == 1_800 && configuration.uqpay.idempotencyWindowSeconds == 86_400)
        #expect(configuration.paycertify.token == "sim-paycertify-token")
        #expect(configuration.cards.isEmpty && configuration.merchantBalances.isEmpty && configuration.faults.isEmpty)
        #expect(configuration.limits == SimulatorConfiguration.defaultLimits)
        #expect(configuration.limits["paycertify"] == SimulatorConfiguration.RateLimit(requestsPerSecond: 1, burst: 60))
    }

    /// A file with only cards: each card's balance defaults to 0 and its status to active, and a simulator started
    /// with it serves those cards with the demo credentials.
    @Test(.timeLimit(.minutes(1))) func fileWithOnlyCards() async throws {
        let configuration = try self.load(
            #"""
            {"cards": [
              {"provider": "vcc", "id": "100029701", "currency": "USD"},
              {"provider": "uqpay", "id": "f3703ef0-f9cb-429c-93fe-5cb435cc1d96", "currency": "SGD", "balance": "12.30", "status": "frozen"}
            ]}
            """#)
        #expect(
            configuration.cards.map { "\($0.provider)/\($0.id)/\($0.currency)/\($0.balance)/\($0.status)" } == [
                "vcc/100029701/USD/0/active", "uqpay/f3703ef0-f9cb-429c-93fe-5cb435cc1d96/SGD/12.30/frozen",
            ])
        #expect(configuration.vcc.apiKey == "sim-vcc-api-key" && configuration.limits == SimulatorConfiguration.defaultLimits)

        try await withSimulator(configuration) { sim in
            #expect(
                try await sim.cards().map { "\($0.id) \($0.balance)" } == [
                    "f3703ef0-f9cb-429c-93fe-5cb435cc1d96 12.30", "100029701 0.00",
                ])
            let json = try await sim.post(VCCWire.chargePath, body: VCCWire.charge(cardID: "100029701", amount: "1.00")).json()
            #expect(json["code"] as? Int == 0)
        }
    }

    /// Inside a member, the keys given replace the demo values and the rest keep them.
    @Test func nestedMembersArePartialToo() throws {
        let configuration = try self.load(
            #"""
            {"seed": 99, "autoCards": true,
             "hypercard": {"feeBasisPoints": 0},
             "uqpay": {"tokenLifetimeSeconds": 60},
             "merchantBalances": {"vcc": {"USD": "100.00"}},
             "faults": {"vcc": {"throttle": 0.5}}}
            """#)
        #expect(configuration.seed == 99 && configuration.autoCards)
        #expect(configuration.hypercard.feeBasisPoints == 0 && configuration.hypercard.apiKey == "sim-hypercard-merchant")
        #expect(configuration.uqpay.tokenLifetimeSeconds == 60 && configuration.uqpay.clientID == "sim-uqpay-client")
        #expect(configuration.merchantBalances == ["vcc": ["USD": "100.00"]])
        var faults = SimulatorConfiguration.Faults()
        faults.throttle = 0.5
        #expect(configuration.faults == ["vcc": faults])
        #expect(configuration.faults["vcc"]?.slowMilliseconds == 30_000 && configuration.faults["vcc"]?.retryAfterSeconds == 1)
    }

    /// A provider not listed under `limits` keeps its documented default; `null` removes a default.
    @Test func limitsAreMergedWithTheDefaults() throws {
        let configuration = try self.load(#"{"limits": {"vcc": {"requestsPerSecond": 5, "burst": 10}, "uqpay": null}}"#)
        #expect(configuration.limits["vcc"] == SimulatorConfiguration.RateLimit(requestsPerSecond: 5, burst: 10))
        #expect(configuration.limits["paycertify"] == SimulatorConfiguration.defaultLimits["paycertify"])
        #expect(configuration.limits["uqpay"] == nil)
    }

    @Test func aCardWithoutACurrencyIsAnError() throws {
        #expect(throws: DecodingError.self) { try self.load(#"{"cards": [{"provider": "vcc", "id": "100029701"}]}"#) }
    }
}

import Foundation
import RechargeSimulator
import Testing

/// `/_sim/…`: statistics, reset, cards and the ledger.
@Suite struct AdminAPITests {
    /// Requests, rejections by the provider's code, 429s and applied top-ups are counted per provider; the admin
    /// API itself is not counted.
    @Test(.timeLimit(.minutes(1))) func statsCountRequestsRejectionsAndThrottling() async throws {
        try await withSimulator(.with(cards: [ProviderKind.vcc.card, ProviderKind.hypercard.card])) { sim in
            let vcc = try await TopUpDriver(.vcc, sim)
            #expect(try await vcc.topUp().status == 200)
            _ = try await sim.post(VCCWire.chargePath, body: VCCWire.charge(cardID: ProviderKind.vcc.cardID, amount: "1.00", apiKey: "x"))
            _ = try await sim.post(VCCWire.chargePath, body: VCCWire.charge(cardID: ProviderKind.vcc.cardID, amount: "1.00", apiKey: "y"))
            _ = try await vcc.topUp(cardID: "100029777")
            try await sim.setLimits(#"{"vcc": {"requestsPerSecond": 0.001, "burst": 1}}"#)
            #expect(try await vcc.topUp().status == 200)
            #expect(try await vcc.topUp().status == 429)
            let hypercard = try await TopUpDriver(.hypercard, sim)
            _ = try await hypercard.topUp()
            _ = try await sim.ledger()

            let stats = try await sim.stats()
            let vccStats = try #require(stats["vcc"])
            #expect(vccStats.requests == 6)
            #expect(vccStats.rejections == ["1001": 2, "1003": 1])
            #expect(vccStats.throttled == 1)
            #expect(vccStats.applied == 2)
            #expect(stats["hypercard"]?.requests == 1 && stats["hypercard"]?.applied == 1)
            #expect(stats["pagsmile"] == nil)
        }
    }

    /// The most requests in any sliding second, on the simulator's clock.
    @Test(.timeLimit(.minutes(1))) func maxRequestsPerSecondIsASlidingWindow() async throws {
        try await withSimulator(.with(cards: [ProviderKind.paycertify.card])) { sim in
            let path = PayCertifyWire.cardPath(ProviderKind.paycertify.cardID)
            for _ in 0..<3 { _ = try await sim.get(path, headers: PayCertifyWire.headers()) }
            sim.clock.advance(seconds: 1)
            for _ in 0..<2 { _ = try await sim.get(path, headers: PayCertifyWire.headers()) }
            #expect(try await sim.stats()["paycertify"]?.maxRequestsPerSecond == 3)
            sim.clock.advance(seconds: 0.5)
            for _ in 0..<2 { _ = try await sim.get(path, headers: PayCertifyWire.headers()) }
            #expect(try await sim.stats()["paycertify"]?.maxRequestsPerSecond == 4)
            #expect(try await sim.stats()["paycertify"]?.requests == 7)
        }
    }

    /// Reset forgets the ledger, balances, stats, records and faults, and goes back to the configured cards.
    @Test(.timeLimit(.minutes(1))) func resetGoesBackToTheConfiguration() async throws {
        try await withSimulator(.with(cards: [.usd("vcc", ProviderKind.vcc.cardID, balance: "3.00")])) { sim in
            let requestID = VCCWire.newRequestID()
            #expect(
                try await sim.post(
                    VCCWire.chargePath, body: VCCWire.charge(cardID: ProviderKind.vcc.cardID, amount: "1.00", requestID: requestID)
                ).status == 200)
            _ = try await sim.post("/_sim/cards", body: #"[{"provider": "vcc", "id": "100029800", "currency": "USD"}]"#)
            try await sim.setFaults(#"{"vcc": {"failBeforeApply": 1}}"#)
            #expect(try await sim.ledger().count == 1)

            let reset = try await sim.post("/_sim/reset", body: "")
            #expect(reset.status == 200)
            #expect(try await sim.ledger().isEmpty)
            #expect(try await sim.stats().isEmpty)
            let cards = try await sim.cards()
            #expect(cards.map(\.id) == [ProviderKind.vcc.cardID] && cards.first?.balance == "3.00")
            let query = try await sim.post(VCCWire.operationQueryPath, body: VCCWire.operationQuery(requestID: requestID)).json()
            #expect(query["code"] as? Int == 1006)
            // The fault is gone.
            #expect(try await TopUpDriver(.vcc, sim).topUp().status == 200)
        }
    }

    /// Cards added through the API are listed (sorted by provider and id) and take top-ups; adding a card again
    /// replaces it.
    @Test(.timeLimit(.minutes(1))) func cardsCanBeAddedAndReplaced() async throws {
        try await withSimulator { sim in
            let added = try await sim.post(
                "/_sim/cards",
                body: #"""
                    [{"provider": "vcc", "id": "100029802", "currency": "USD", "balance": "1.50"},
                     {"provider": "paycertify", "id": "c1b87f1a-7323-491b-99f9-cbef0f69a4d0", "currency": "USD"},
                     {"provider": "vcc", "id": "100029801", "currency": "JPY", "balance": "500", "status": "frozen"}]
                    """#)
            #expect(added.status == 200)
            #expect(try added.json()["added"] as? Int == 3)
            let cards = try await sim.cards()
            #expect(
                cards.map { "\($0.provider)/\($0.id)/\($0.currency)/\($0.balance)/\($0.status)" } == [
                    "paycertify/c1b87f1a-7323-491b-99f9-cbef0f69a4d0/USD/0.00/active",
                    "vcc/100029801/JPY/500/frozen",
                    "vcc/100029802/USD/1.50/active",
                ])
            #expect(try await sim.post(VCCWire.chargePath, body: VCCWire.charge(cardID: "100029802", amount: "2.25")).status == 200)
            #expect(try await sim.balance("vcc", "100029802") == "3.75")

            _ = try await sim.post("/_sim/cards", body: #"[{"provider": "vcc", "id": "100029802", "currency": "USD", "balance": "9.00"}]"#)
            #expect(try await sim.balance("vcc", "100029802") == "9.00")
            #expect(try await sim.cards().count == 3)
        }
    }

    /// With `autoCards`, the first top-up of an unknown card creates it, active, in the currency the request
    /// implies (USD when it names none).
    @Test(.timeLimit(.minutes(1))) func autoCardsCreatesAnUnknownCard() async throws {
        var configuration = SimulatorConfiguration()
        configuration.autoCards = true
        try await withSimulator(configuration) { sim in
            #expect(
                try await sim.post(VCCWire.chargePath, body: VCCWire.charge(cardID: "100029900", amount: "4.20")).json()["code"] as? Int
                    == 0)
            let pagsmile = try await sim.post(
                PagsmileWire.rechargePath,
                body: PagsmileWire.envelope(
                    PagsmileWire.recharge(
                        cardToken: "CT000000889900", amount: "320.90", currency: "BRL", orderNo: PagsmileWire.newOrderNo())))
            #expect(try pagsmile.json()["code"] as? String == "10000")

            let cards = try await sim.cards()
            #expect(
                cards.map { "\($0.provider)/\($0.id)/\($0.currency)/\($0.balance)/\($0.status)" } == [
                    "pagsmile/CT000000889900/BRL/320.90/active",
                    "vcc/100029900/USD/4.20/active",
                ])
            #expect(try await sim.ledger().map(\.currency) == ["USD", "BRL"])
        }
    }

    @Test(.timeLimit(.minutes(1))) func withoutAutoCardsAnUnknownCardIsRefused() async throws {
        try await withSimulator { sim in
            let json = try await sim.post(VCCWire.chargePath, body: VCCWire.charge(cardID: "100029900", amount: "4.20")).json()
            #expect(json["code"] as? Int == 1003)
            #expect(try await sim.cards().isEmpty)
        }
    }

    /// The ledger lists every provider's top-ups in the order they were applied, numbered from 1, timed by the
    /// simulator's clock.
    @Test(.timeLimit(.minutes(1))) func ledgerIsInOrderAcrossProviders() async throws {
        try await withSimulator(.with(cards: ProviderKind.allCases.map(\.card))) { sim in
            var expected: [String] = []
            for (index, kind) in ProviderKind.allCases.enumerated() {
                let amount = "\(index + 1).0\(index)"
                let driver = try await TopUpDriver(kind, sim)
                #expect(try driver.isSuccess(try await driver.topUp(amount: amount)))
                expected.append("\(index + 1) \(kind.rawValue) \(amount)")
            }
            let ledger = try await sim.ledger()
            #expect(ledger.map { "\($0.sequence) \($0.provider) \($0.amount)" } == expected)
            let appliedAt = ISO8601DateFormatter().date(from: try #require(ledger.first?.appliedAt))
            #expect(appliedAt == sim.clock.now())
        }
    }
}

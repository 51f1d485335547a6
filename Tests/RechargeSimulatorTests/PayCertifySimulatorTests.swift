import Foundation
import RechargeSimulator
import Testing

/// PayCertify vCards: a static bearer token, reload by PUT, no merchant key and no dedupe, balances as JSON numbers.
@Suite struct PayCertifySimulatorTests {
    static let card = "c1b87f1a-7323-491b-99f9-cbef0f69a4d0"

    func reload(_ sim: SimulatorSession, _ amount: String, card: String = Self.card, path: String? = nil) async throws -> WireResponse {
        try await sim.put(
            path ?? PayCertifyWire.reloadPath(card), headers: PayCertifyWire.headers(), body: PayCertifyWire.reloadBody(amount))
    }

    /// Both accepted paths reload; the answer is the vcard with the new balance as an exact number, and the show
    /// endpoint lists the reload in `actions[]` under the id the ledger recorded.
    @Test(
        .timeLimit(.minutes(1)),
        arguments: [PayCertifyWire.reloadPath(PayCertifySimulatorTests.card), PayCertifyWire.cardPath(PayCertifySimulatorTests.card)])
    func reloadApplies(path: String) async throws {
        try await withSimulator(.with(cards: [.usd("paycertify", Self.card, balance: "100.00")])) { sim in
            let response = try await self.reload(sim, "123.45", path: path)
            #expect(response.status == 200)
            #expect(response.text.contains(#""available_amount":223.45,"#))
            #expect(response.text.contains(#""amount":223.45,"#))
            let vcard = try #require(object(try response.json()["vcard"]))
            #expect(vcard["id"] as? String == Self.card && vcard["type"] as? String == "reload")
            #expect(vcard["status"] as? String == "active")

            let shown = try await sim.get(PayCertifyWire.cardPath(Self.card), headers: PayCertifyWire.headers())
            #expect(shown.status == 200)
            #expect(shown.text.contains(#""available_amount":223.45,"#))
            let actions = try #require(object(try shown.json()["vcard"])?["actions"] as? [[String: Any]])
            #expect(actions.count == 1)
            let action = try #require(actions.first)
            // As documented (reload-card): `refill`, the balance before it in `data`, no amount.
            #expect(action["type"] as? String == "refill")
            #expect(action["amount"] == nil)
            #expect(shown.text.contains(#""previous_amount_balance":100.00"#))

            let entry = try #require(try await sim.ledger().first)
            #expect(entry.provider == "paycertify" && entry.cardID == Self.card && entry.amount == "123.45")
            #expect(entry.requestID == nil && entry.mcTradeNo == nil && entry.orderNo == nil && entry.idempotencyKey == nil)
            #expect(action["id"] as? String == entry.providerReference)
        }
    }

    /// Every route answers a missing, wrong or prefix-less token with the documented 401 body.
    @Test(
        .timeLimit(.minutes(1)),
        arguments: [[], [("Authorization", "Bearer wrong-token")], [("Authorization", PayCertifyWire.token)]] as [[(String, String)]])
    func notAuthenticated(headers: [(String, String)]) async throws {
        try await withSimulator(.with(cards: [.usd("paycertify", Self.card)])) { sim in
            let reload = try await sim.put(
                PayCertifyWire.reloadPath(Self.card), headers: headers, body: PayCertifyWire.reloadBody("1.00"))
            let show = try await sim.get(PayCertifyWire.cardPath(Self.card), headers: headers)
            for response in [reload, show] {
                #expect(response.status == 401)
                #expect(response.text == PayCertifyWire.notAuthenticated)
            }
            #expect(try await sim.ledger().isEmpty)
        }
    }

    /// No merchant key, no dedupe: the same reload twice is two reloads.
    @Test(.timeLimit(.minutes(1))) func repeatedReloadAppliesTwice() async throws {
        try await withSimulator(.with(cards: [.usd("paycertify", Self.card)])) { sim in
            #expect(try await self.reload(sim, "50").status == 200)
            let second = try await self.reload(sim, "50")
            #expect(second.status == 200)
            #expect(second.text.contains(#""available_amount":100.00,"#))
            #expect(try await sim.ledger().map(\.amount) == ["50.00", "50.00"])
            let shown = try await sim.get(PayCertifyWire.cardPath(Self.card), headers: PayCertifyWire.headers()).json()
            let actions = try #require(object(shown["vcard"])?["actions"] as? [[String: Any]])
            #expect(actions.count == 2)
        }
    }

    @Test(.timeLimit(.minutes(1))) func unknownCardIs404() async throws {
        try await withSimulator { sim in
            let reload = try await self.reload(sim, "1.00", card: "0b7d2f9e-1111-4222-8333-444455556666")
            #expect(reload.status == 404)
            let error = try #require(object(try reload.json()["error"]))
            #expect(error["status"] as? Int == 404)
            #expect(object(error["message"])?["base"] as? [String] == ["Virtual card not found"])
            let show = try await sim.get(PayCertifyWire.cardPath("0b7d2f9e-1111-4222-8333-444455556666"), headers: PayCertifyWire.headers())
            #expect(show.status == 404)
        }
    }

    @Test(.timeLimit(.minutes(1))) func insufficientFundsIs402() async throws {
        let configuration = SimulatorConfiguration.with(
            cards: [.usd("paycertify", Self.card)], merchantBalances: ["paycertify": ["USD": "20.00"]])
        try await withSimulator(configuration) { sim in
            let refused = try await self.reload(sim, "20.01")
            #expect(refused.status == 402)
            #expect(object(try refused.json()["error"])?["status"] as? Int == 402)
            #expect(try await self.reload(sim, "20.00").status == 200)
            #expect(try await sim.ledger().map(\.amount) == ["20.00"])
        }
    }

    /// An amount that is missing, not a number, not positive or finer than a cent is a 422 on `reload_amount`.
    @Test(.timeLimit(.minutes(1)), arguments: ["0", "-1.00", "1.001", "\"1.00\"", "null"])
    func invalidAmountIs422(_ amount: String) async throws {
        try await withSimulator(.with(cards: [.usd("paycertify", Self.card)])) { sim in
            let response = try await self.reload(sim, amount)
            #expect(response.status == 422)
            let error = try #require(object(try response.json()["error"]))
            #expect(error["status"] as? Int == 422)
            #expect(object(error["message"])?["reload_amount"] is [String])
            #expect(try await sim.ledger().isEmpty)
        }
    }
}

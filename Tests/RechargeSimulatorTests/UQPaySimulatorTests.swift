import Foundation
import RechargeSimulator
import Testing

/// UQPay: one active token, the required UUID v4 idempotency key with a cached replay, amounts as JSON numbers.
@Suite struct UQPaySimulatorTests {
    static let card = "f3703ef0-f9cb-429c-93fe-5cb435cc1d96"

    func recharge(
        _ sim: SimulatorSession, token: String, amount: String, key: String = UQPayWire.newIdempotencyKey(), card: String = Self.card,
        onBehalfOf: String? = nil
    ) async throws -> WireResponse {
        try await sim.post(
            UQPayWire.rechargePath(card), headers: UQPayWire.rechargeHeaders(token: token, idempotencyKey: key, onBehalfOf: onBehalfOf),
            body: UQPayWire.rechargeBody(amount))
    }

    @Test(.timeLimit(.minutes(1))) func tokenResponse() async throws {
        try await withSimulator { sim in
            let response = try await sim.post(UQPayWire.tokenPath, headers: UQPayWire.tokenHeaders(), body: "")
            #expect(response.status == 200)
            let json = try response.json()
            #expect(json["auth_token"] is String)
            // expired_at is Unix seconds, 30 minutes ahead of the simulator's clock.
            #expect(json["expired_at"] as? Int == Int(sim.clock.now().timeIntervalSince1970) + 1_800)

            let refused = try await sim.post(UQPayWire.tokenPath, headers: UQPayWire.tokenHeaders(apiKey: "wrong"), body: "")
            #expect(refused.status == 401)
            #expect(try refused.json()["type"] as? String == "unauthorized_error")
        }
    }

    /// `{"amount":100.02}` applies exactly 100.02: in the answer's text, the card, the order query and the ledger.
    @Test(.timeLimit(.minutes(1))) func rechargeAppliesTheExactAmount() async throws {
        try await withSimulator(.with(cards: [.usd("uqpay", Self.card, balance: "0.98")])) { sim in
            let token = try await UQPayWire.token(sim)
            let key = UQPayWire.newIdempotencyKey()
            let response = try await self.recharge(sim, token: token, amount: "100.02", key: key)
            #expect(response.status == 200)
            #expect(response.text.contains(#""amount":100.02,"#))
            let json = try response.json()
            #expect(json["card_id"] as? String == Self.card && json["order_type"] as? String == "CARD_RECHARGE")
            #expect(json["card_currency"] as? String == "USD" && json["order_status"] as? String == "SUCCESS")
            let orderID = try #require(json["card_order_id"] as? String)

            let card = try await sim.get(UQPayWire.cardPath(Self.card), headers: UQPayWire.authHeaders(token: token)).json()
            #expect(card["available_balance"] as? String == "101.00")
            #expect(card["card_status"] as? String == "ACTIVE")

            let entry = try #require(try await sim.ledger().first)
            #expect(entry.provider == "uqpay" && entry.cardID == Self.card && entry.idempotencyKey == key)
            #expect(entry.amount == "100.02" && entry.providerReference == orderID)
        }
    }

    /// The order query by `card_order_id` returns the same order; an unknown order id is 404.
    @Test(.timeLimit(.minutes(1))) func orderQuery() async throws {
        try await withSimulator(.with(cards: [.usd("uqpay", Self.card)])) { sim in
            let token = try await UQPayWire.token(sim)
            let recharge = try await self.recharge(sim, token: token, amount: "25.5")
            let orderID = try #require(try recharge.json()["card_order_id"] as? String)

            let order = try await sim.get(UQPayWire.orderPath(orderID), headers: UQPayWire.authHeaders(token: token))
            #expect(order.status == 200)
            #expect(order.text == recharge.text)
            #expect(order.text.contains(#""amount":25.50,"#))

            let unknown = try await sim.get(
                UQPayWire.orderPath("0b7d2f9e-1111-4222-8333-444455556666"), headers: UQPayWire.authHeaders(token: token))
            #expect(unknown.status == 404)
        }
    }

    @Test(.timeLimit(.minutes(1))) func missingTokenIs401() async throws {
        try await withSimulator(.with(cards: [.usd("uqpay", Self.card)])) { sim in
            let response = try await sim.post(
                UQPayWire.rechargePath(Self.card), headers: [("x-idempotency-key", UQPayWire.newIdempotencyKey())],
                body: UQPayWire.rechargeBody("1.00"))
            #expect(response.status == 401)
            #expect(try response.json()["type"] as? String == "unauthorized_error")
            // Without the Bearer prefix the token is not accepted either.
            let token = try await UQPayWire.token(sim)
            let raw = try await sim.post(
                UQPayWire.rechargePath(Self.card),
                headers: [("x-auth-token", token), ("x-idempotency-key", UQPayWire.newIdempotencyKey())],
                body: UQPayWire.rechargeBody("1.00"))
            #expect(raw.status == 401)
            #expect(try await sim.ledger().isEmpty)
        }
    }

    /// A new token invalidates the one before it.
    @Test(.timeLimit(.minutes(1))) func supersededTokenIs401() async throws {
        try await withSimulator(.with(cards: [.usd("uqpay", Self.card)])) { sim in
            let first = try await UQPayWire.token(sim)
            let second = try await UQPayWire.token(sim)
            #expect(first != second)
            let old = try await self.recharge(sim, token: first, amount: "1.00")
            #expect(old.status == 401)
            #expect(try old.json()["type"] as? String == "unauthorized_error")
            let current = try await self.recharge(sim, token: second, amount: "1.00")
            #expect(current.status == 200)
            #expect(try await sim.ledger().count == 1)
        }
    }

    /// The token is good until `expired_at` (30 minutes) and refused after, on the simulator's clock.
    @Test(.timeLimit(.minutes(1))) func expiredTokenIs401() async throws {
        try await withSimulator(.with(cards: [.usd("uqpay", Self.card)])) { sim in
            let token = try await UQPayWire.token(sim)
            sim.clock.advance(seconds: 1_799)
            #expect(try await self.recharge(sim, token: token, amount: "1.00").status == 200)
            sim.clock.advance(seconds: 1)
            let expired = try await self.recharge(sim, token: token, amount: "1.00")
            #expect(expired.status == 401)
            #expect(try expired.json()["type"] as? String == "unauthorized_error")
            // The SDK refreshes and retries once on a 401 whose message says the token expired.
            #expect(try (expired.json()["message"] as? String)?.contains("expired") == true)
            let card = try await sim.get(UQPayWire.cardPath(Self.card), headers: UQPayWire.authHeaders(token: token))
            #expect(card.status == 401)
            #expect(try await sim.ledger().count == 1)
            // A fresh token works again.
            #expect(try await self.recharge(sim, token: try await UQPayWire.token(sim), amount: "1.00").status == 200)
        }
    }

    /// A replay of the same key and body returns the identical cached answer and applies nothing; the same key
    /// with another amount is `idempotency_error`.
    @Test(.timeLimit(.minutes(1))) func idempotentReplay() async throws {
        try await withSimulator(.with(cards: [.usd("uqpay", Self.card)])) { sim in
            let token = try await UQPayWire.token(sim)
            let key = UQPayWire.newIdempotencyKey()
            let original = try await self.recharge(sim, token: token, amount: "100.02", key: key)
            #expect(original.status == 200)
            sim.clock.advance(seconds: 60)
            let replay = try await self.recharge(sim, token: token, amount: "100.02", key: key)
            #expect(replay.status == 200)
            #expect(replay.body == original.body)

            let mismatch = try await self.recharge(sim, token: token, amount: "100.03", key: key)
            #expect(mismatch.status == 400)
            let error = try mismatch.json()
            #expect(error["type"] as? String == "idempotency_error")

            #expect(try await sim.ledger().count == 1)
            #expect(try await sim.balance("uqpay", Self.card) == "100.02")
        }
    }

    /// The replay window is 24 hours: after it, the same key is a new request.
    @Test(.timeLimit(.minutes(1))) func replayWindowEnds() async throws {
        try await withSimulator(.with(cards: [.usd("uqpay", Self.card)])) { sim in
            let key = UQPayWire.newIdempotencyKey()
            let first = try await self.recharge(sim, token: try await UQPayWire.token(sim), amount: "3.00", key: key)
            sim.clock.advance(seconds: 86_400)
            let second = try await self.recharge(sim, token: try await UQPayWire.token(sim), amount: "3.00", key: key)
            #expect(first.status == 200 && second.status == 200)
            #expect(second.body != first.body)
            #expect(try await sim.ledger().map(\.idempotencyKey) == [key, key])
        }
    }

    @Test(
        .timeLimit(.minutes(1)),
        arguments: [nil, "", "not-a-uuid", "18523f72-f4de-1f9c-bb8e-ec7d1c4f32be", "18523f72-f4de-4f9c-cb8e-ec7d1c4f32be"] as [String?])
    func idempotencyKeyMustBeUUIDv4(_ key: String?) async throws {
        try await withSimulator(.with(cards: [.usd("uqpay", Self.card)])) { sim in
            let token = try await UQPayWire.token(sim)
            var headers = UQPayWire.authHeaders(token: token)
            if let key { headers.append(("x-idempotency-key", key)) }
            let response = try await sim.post(UQPayWire.rechargePath(Self.card), headers: headers, body: UQPayWire.rechargeBody("1.00"))
            #expect(response.status == 400)
            #expect(try response.json()["type"] as? String == "invalid_request_error")
            #expect(try await sim.ledger().isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(1))) func upperCaseIdempotencyKeyIsAccepted() async throws {
        try await withSimulator(.with(cards: [.usd("uqpay", Self.card)])) { sim in
            let token = try await UQPayWire.token(sim)
            let response = try await self.recharge(sim, token: token, amount: "1.00", key: UUID().uuidString.uppercased())
            #expect(response.status == 200)
        }
    }

    @Test(.timeLimit(.minutes(1))) func businessErrors() async throws {
        let configuration = SimulatorConfiguration.with(cards: [.usd("uqpay", Self.card)], merchantBalances: ["uqpay": ["USD": "10.00"]])
        try await withSimulator(configuration) { sim in
            let token = try await UQPayWire.token(sim)
            let unknown = try await self.recharge(sim, token: token, amount: "1.00", card: "0b7d2f9e-1111-4222-8333-444455556666")
            #expect(unknown.status == 400)
            #expect(try unknown.json()["type"] as? String == "card_error" && unknown.json()["code"] as? String == "card_not_found")

            let poor = try await self.recharge(sim, token: token, amount: "10.01")
            #expect(poor.status == 400)
            #expect(try poor.json()["type"] as? String == "account_error")

            let subAccount = try await self.recharge(sim, token: token, amount: "1.00", onBehalfOf: "0b7d2f9e-1111-4222-8333-444455556666")
            #expect(subAccount.status == 400)
            #expect(try subAccount.json()["code"] as? String == "sub_account_not_found")

            for amount in ["0", "-1", "1.001", "\"1.00\""] {
                let invalid = try await self.recharge(sim, token: token, amount: amount)
                #expect(invalid.status == 400, "amount \(amount)")
                #expect(try invalid.json()["type"] as? String == "invalid_request_error", "amount \(amount)")
            }
            #expect(try await sim.ledger().isEmpty)

            let onBehalf = try await self.recharge(sim, token: token, amount: "10.00", onBehalfOf: UQPayWire.subAccount)
            #expect(onBehalf.status == 200)
            #expect(try await sim.ledger().map(\.amount) == ["10.00"])
        }
    }
}

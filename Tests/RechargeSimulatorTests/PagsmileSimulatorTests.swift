import Foundation
import RechargeSimulator
import Testing

/// Pagsmile issuing: the hybrid-encrypted envelope both ways, 30001 `dublicate-order`, the detail query by `order_no`.
@Suite struct PagsmileSimulatorTests {
    static let card = "CT000000880025"

    func send(_ sim: SimulatorSession, _ path: String, _ biz: [String: String]) async throws -> [String: Any] {
        try await sim.post(path, body: PagsmileWire.envelope(biz)).json()
    }

    @Test(.timeLimit(.minutes(1))) func rechargeAppliesAndTheAnswerIsSealedForTheMerchant() async throws {
        try await withSimulator(.with(cards: [.usd("pagsmile", Self.card, balance: "2.00")])) { sim in
            let orderNo = PagsmileWire.newOrderNo()
            let json = try await self.send(
                sim, PagsmileWire.rechargePath, PagsmileWire.recharge(cardToken: Self.card, amount: "1.23", orderNo: orderNo))
            #expect(json["code"] as? String == "10000" && json["msg"] as? String == "Success")
            #expect(json["sign_type"] as? String == "RSA" && json["app_id"] as? String == PagsmileWire.appID)
            // `data` is a string on the wire: 16 characters of IV, then Base64.
            #expect(json["data"] is String)
            let data = try PagsmileWire.openData(json)
            let transactionID = try #require(data["transaction_id"] as? String)

            let balance = try PagsmileWire.openData(
                try await self.send(sim, PagsmileWire.balancePath, ["card_token": Self.card]))
            #expect(balance["balance"] as? String == "3.23" && balance["currency"] as? String == "USD")

            let entry = try #require(try await sim.ledger().first)
            #expect(entry.provider == "pagsmile" && entry.cardID == Self.card && entry.orderNo == orderNo)
            #expect(entry.amount == "1.23" && entry.currency == "USD")
            #expect(entry.providerReference == transactionID)
        }
    }

    /// Ways the encryption can be wrong; each is Pagsmile's `40002 invalid-signature`.
    enum BadEnvelope: String, CaseIterable, Sendable {
        case keyWrappedForTheWrongParty, bizDataUnderAnotherKey, bizDataNotBase64

        func envelope(_ biz: [String: String]) throws -> String {
            switch self {
            case .keyWrappedForTheWrongParty:
                return try PagsmileWire.envelope(biz, wrapWith: SimulatorKeys.pagsmileMerchantPublic)
            case .bizDataUnderAnotherKey:
                return try PagsmileWire.envelope(biz, aesKey: "0123456789ABCDEF", wrappedKey: "FEDCBA9876543210")
            case .bizDataNotBase64:
                var envelope = try JSONSerialization.jsonObject(with: Data(PagsmileWire.envelope(biz).utf8)) as? [String: String] ?? [:]
                envelope["biz_data"] = "0123456789ABCDEF***not base64***"
                return jsonText(envelope)
            }
        }
    }

    @Test(.timeLimit(.minutes(1)), arguments: BadEnvelope.allCases)
    func rejectsABadEnvelope(_ bad: BadEnvelope) async throws {
        try await withSimulator(.with(cards: [.usd("pagsmile", Self.card)])) { sim in
            let body = try bad.envelope(PagsmileWire.recharge(cardToken: Self.card, amount: "1.00", orderNo: PagsmileWire.newOrderNo()))
            let json = try await sim.post(PagsmileWire.rechargePath, body: body).json()
            #expect(json["code"] as? String == "40002" && json["msg"] as? String == "Business Failed")
            #expect(json["sub_code"] as? String == "invalid-signature" && json["sub_msg"] as? String == "invalid signature")
            #expect(try await sim.ledger().isEmpty)
            #expect(try await sim.stats()["pagsmile"]?.rejections["40002/invalid-signature"] == 1)
        }
    }

    /// A repeated `order_no` is 30001 `dublicate-order` (sic) and applies nothing.
    @Test(.timeLimit(.minutes(1))) func duplicateOrderNo() async throws {
        try await withSimulator(.with(cards: [.usd("pagsmile", Self.card)])) { sim in
            let orderNo = PagsmileWire.newOrderNo()
            let biz = PagsmileWire.recharge(cardToken: Self.card, amount: "5.00", orderNo: orderNo)
            let first = try await self.send(sim, PagsmileWire.rechargePath, biz)
            #expect(first["code"] as? String == "10000")
            let again = try await self.send(sim, PagsmileWire.rechargePath, biz)
            #expect(again["code"] as? String == "30001" && again["sub_code"] as? String == "dublicate-order")
            #expect(try await sim.ledger().count == 1)
            #expect(try await sim.balance("pagsmile", Self.card) == "5.00")
        }
    }

    /// The detail query by `order_no` (and by `transaction_id`) reports the top-up with status 1.
    @Test(.timeLimit(.minutes(1))) func transactionDetail() async throws {
        try await withSimulator(.with(cards: [.usd("pagsmile", Self.card, balance: "10.00")])) { sim in
            let orderNo = PagsmileWire.newOrderNo()
            let recharge = try await self.send(
                sim, PagsmileWire.rechargePath, PagsmileWire.recharge(cardToken: Self.card, amount: "320.90", orderNo: orderNo))
            let transactionID = try #require(try PagsmileWire.openData(recharge)["transaction_id"] as? String)

            for biz in [["order_no": orderNo], ["transaction_id": transactionID]] {
                let answer = try await self.send(sim, PagsmileWire.detailPath, biz)
                #expect(answer["code"] as? String == "10000")
                let detail = try PagsmileWire.openData(answer)
                #expect(detail["transaction_id"] as? String == transactionID && detail["order_no"] as? String == orderNo)
                #expect(detail["transaction_status"] as? Int == 1)
                #expect(detail["bill_amount"] as? String == "320.90" && detail["transaction_amount"] as? String == "320.90")
                #expect(detail["balance"] as? String == "330.90" && detail["transaction_currency"] as? String == "USD")
                #expect((detail["create_time"] as? String)?.count == 19 && (detail["business_date"] as? String)?.count == 10)
            }

            let unknown = try await self.send(sim, PagsmileWire.detailPath, ["order_no": "PG-never-sent"])
            #expect(unknown["code"] as? String == "40002" && unknown["sub_code"] as? String == "order-not-exist")
        }
    }

    @Test(.timeLimit(.minutes(1))) func businessErrors() async throws {
        let configuration = SimulatorConfiguration.with(
            cards: [.usd("pagsmile", Self.card)], merchantBalances: ["pagsmile": ["USD": "100.00"]])
        try await withSimulator(configuration) { sim in
            let unknown = try await self.send(
                sim, PagsmileWire.rechargePath,
                PagsmileWire.recharge(cardToken: "CT000000889999", amount: "1.00", orderNo: PagsmileWire.newOrderNo()))
            #expect(unknown["code"] as? String == "40002" && unknown["sub_code"] as? String == "card-not-exist")

            let poor = try await self.send(
                sim, PagsmileWire.rechargePath,
                PagsmileWire.recharge(cardToken: Self.card, amount: "100.01", orderNo: PagsmileWire.newOrderNo()))
            #expect(poor["code"] as? String == "30004" && poor["sub_code"] as? String == "insufficient-balance")

            let wrongCurrency = try await self.send(
                sim, PagsmileWire.rechargePath,
                PagsmileWire.recharge(cardToken: Self.card, amount: "1.00", currency: "BRL", orderNo: PagsmileWire.newOrderNo()))
            #expect(wrongCurrency["code"] as? String == "30001" && wrongCurrency["sub_code"] as? String == "invalid-currency")

            let zero = try await self.send(
                sim, PagsmileWire.rechargePath,
                PagsmileWire.recharge(cardToken: Self.card, amount: "0.00", orderNo: PagsmileWire.newOrderNo()))
            #expect(zero["code"] as? String == "30001" && zero["sub_code"] as? String == "invalid-amount")

            #expect(try await sim.ledger().isEmpty)
            // Exactly the merchant's balance goes through.
            let exact = try await self.send(
                sim, PagsmileWire.rechargePath,
                PagsmileWire.recharge(cardToken: Self.card, amount: "100.00", orderNo: PagsmileWire.newOrderNo()))
            #expect(exact["code"] as? String == "10000")
            #expect(try await sim.balance("pagsmile", Self.card) == "100.00")
        }
    }
}

import Foundation
import RechargeSimulator
import Testing

/// HyperCard: signed headers, the fee taken from the fiat amount, A0005 on a repeated `mc_trade_no`.
@Suite struct HyperCardSimulatorTests {
    static let card = "00003454323400000028888"

    /// Signs `fields` at the simulator's current time and posts them to `path`.
    func send(_ sim: SimulatorSession, _ path: String, _ fields: [String: String]) async throws -> [String: Any] {
        let request = try HyperCardWire.signed(fields, timestamp: sim.clock.now())
        return try await sim.post(path, headers: request.headerList, body: request.body).json()
    }

    /// A 100.00 recharge credits 99.50 with the default 50 bp fee; the answer, the balance query and the ledger agree.
    @Test(.timeLimit(.minutes(1))) func rechargeAppliesLessTheFee() async throws {
        try await withSimulator(.with(cards: [.usd("hypercard", Self.card, balance: "1.00")])) { sim in
            let tradeNo = HyperCardWire.newTradeNo()
            let json = try await self.send(
                sim, HyperCardWire.rechargePath, HyperCardWire.recharge(cardID: Self.card, amount: "100.00", mcTradeNo: tradeNo))
            #expect(json["code"] as? String == "00000" && json["msg"] as? String == "ok")
            let data = try #require(object(json["data"]))
            #expect(data["currency_amount"] as? String == "99.50")
            #expect(data["real_recharge_amount"] as? String == "99.50")
            #expect(data["recharge_fee_amount"] as? String == "0.50")
            #expect(data["recharge_amount"] as? String == "100.00")
            #expect(data["card_coin"] as? String == "usd" && data["pay_coin"] as? String == "usdt")
            let orderNo = try #require(data["order_no"] as? String)
            // The recharge answer carries no status: acceptance is not settlement.
            #expect(data["status"] == nil)

            let balance = try await self.send(sim, HyperCardWire.balancePath, ["card_id": Self.card])
            #expect(object(balance["data"])?["balance"] as? String == "100.50")

            let entry = try #require(try await sim.ledger().first)
            #expect(entry.provider == "hypercard" && entry.cardID == Self.card && entry.mcTradeNo == tradeNo)
            #expect(entry.amount == "100.00" && entry.credited == "99.50" && entry.fee == "0.50")
            #expect(entry.providerReference == orderNo)
        }
    }

    /// The fee is 50 bp of the requested amount, rounded half up to the cent.
    @Test(
        .timeLimit(.minutes(1)),
        arguments: [
            ("188.88", "187.94", "0.94"), ("1.00", "0.99", "0.01"), ("0.99", "0.99", "0.00"), ("0.01", "0.01", "0.00"),
            ("250000.00", "248750.00", "1250.00"),
        ])
    func feeIsFiftyBasisPoints(requested: String, credited: String, fee: String) async throws {
        try await withSimulator(.with(cards: [.usd("hypercard", Self.card)])) { sim in
            let json = try await self.send(
                sim, HyperCardWire.rechargePath,
                HyperCardWire.recharge(cardID: Self.card, amount: requested, mcTradeNo: HyperCardWire.newTradeNo()))
            let data = try #require(object(json["data"]))
            #expect(data["currency_amount"] as? String == credited)
            #expect(data["recharge_fee_amount"] as? String == fee)
            #expect(try await sim.balance("hypercard", Self.card) == credited)
        }
    }

    /// Empty values are left out of the signed string: a blank `remark` does not break the signature.
    @Test(.timeLimit(.minutes(1))) func emptyValuesAreNotSigned() async throws {
        try await withSimulator(.with(cards: [.usd("hypercard", Self.card)])) { sim in
            let fields = HyperCardWire.recharge(cardID: Self.card, amount: "5.00", mcTradeNo: HyperCardWire.newTradeNo(), remark: "")
            let request = try HyperCardWire.signed(fields, timestamp: sim.clock.now())
            #expect(!HyperCardWire.canonicalString(headers: request.headers, fields: fields).contains("remark"))
            let json = try await sim.post(HyperCardWire.rechargePath, headers: request.headerList, body: request.body).json()
            #expect(json["code"] as? String == "00000")
        }
    }

    /// Ways to break the signature after signing.
    enum Tamper: String, CaseIterable, Sendable {
        case amountChanged, nonceChanged, langChanged, signatureNotBase64, signatureMissing

        func apply(to request: inout HyperCardWire.SignedRequest) {
            switch self {
            case .amountChanged: request.fields["recharge_amount"] = "1000.00"
            case .nonceChanged: request.headers["nonce"] = "zzzzzzzzzz"
            case .langChanged: request.headers["lang"] = "zh-CN"
            case .signatureNotBase64: request.headers["signature"] = "not base64!"
            case .signatureMissing: request.headers["signature"] = nil
            }
        }
    }

    @Test(.timeLimit(.minutes(1)), arguments: Tamper.allCases)
    func rejectsABadSignature(_ tamper: Tamper) async throws {
        try await withSimulator(.with(cards: [.usd("hypercard", Self.card)])) { sim in
            var request = try HyperCardWire.signed(
                HyperCardWire.recharge(cardID: Self.card, amount: "10.00", mcTradeNo: HyperCardWire.newTradeNo()),
                timestamp: sim.clock.now())
            tamper.apply(to: &request)
            let json = try await sim.post(HyperCardWire.rechargePath, headers: request.headerList, body: request.body).json()
            #expect(json["code"] as? String == "A0001")
            #expect(try await sim.ledger().isEmpty)
            #expect(try await sim.balance("hypercard", Self.card) == "0.00")
        }
    }

    /// The timestamp may be 300 s away from the simulator's clock, in either direction; 301 s is A0002 even when
    /// the signature is good.
    @Test(.timeLimit(.minutes(1)), arguments: [(-301, "A0002"), (301, "A0002"), (-300, "00000"), (300, "00000")])
    func timestampTolerance(offset: Int, code: String) async throws {
        try await withSimulator(.with(cards: [.usd("hypercard", Self.card)])) { sim in
            let request = try HyperCardWire.signed(
                HyperCardWire.recharge(cardID: Self.card, amount: "10.00", mcTradeNo: HyperCardWire.newTradeNo()),
                timestamp: sim.clock.now().addingTimeInterval(TimeInterval(offset)))
            let json = try await sim.post(HyperCardWire.rechargePath, headers: request.headerList, body: request.body).json()
            #expect(json["code"] as? String == code)
            #expect(try await sim.ledger().count == (code == "00000" ? 1 : 0))
        }
    }

    @Test(.timeLimit(.minutes(1))) func rejectsAnUnknownMerchant() async throws {
        try await withSimulator(.with(cards: [.usd("hypercard", Self.card)])) { sim in
            let request = try HyperCardWire.signed(
                HyperCardWire.recharge(cardID: Self.card, amount: "10.00", mcTradeNo: HyperCardWire.newTradeNo()),
                timestamp: sim.clock.now(), apiKey: "someone-else")
            let json = try await sim.post(HyperCardWire.rechargePath, headers: request.headerList, body: request.body).json()
            #expect(json["code"] as? String == "A0007")
            #expect(try await sim.ledger().isEmpty)
        }
    }

    /// A repeated `mc_trade_no` is A0005 and changes nothing, even with a different amount and a fresh signature.
    @Test(.timeLimit(.minutes(1))) func duplicateTradeNo() async throws {
        try await withSimulator(.with(cards: [.usd("hypercard", Self.card)])) { sim in
            let tradeNo = HyperCardWire.newTradeNo()
            let first = try await self.send(
                sim, HyperCardWire.rechargePath, HyperCardWire.recharge(cardID: Self.card, amount: "20.00", mcTradeNo: tradeNo))
            #expect(first["code"] as? String == "00000")
            for amount in ["20.00", "30.00"] {
                let again = try await self.send(
                    sim, HyperCardWire.rechargePath, HyperCardWire.recharge(cardID: Self.card, amount: amount, mcTradeNo: tradeNo))
                #expect(again["code"] as? String == "A0005")
                #expect(again["data"] is NSNull)
            }
            #expect(try await sim.ledger().count == 1)
            #expect(try await sim.balance("hypercard", Self.card) == "19.90")
        }
    }

    /// The recharge query reports status 1 (success) with the order's fields; an unknown `mc_trade_no` answers
    /// `00000` with empty `data`.
    @Test(.timeLimit(.minutes(1))) func rechargeQuery() async throws {
        try await withSimulator(.with(cards: [.usd("hypercard", Self.card)])) { sim in
            let tradeNo = HyperCardWire.newTradeNo()
            let recharge = try await self.send(
                sim, HyperCardWire.rechargePath, HyperCardWire.recharge(cardID: Self.card, amount: "40.00", mcTradeNo: tradeNo))
            let orderNo = try #require(object(recharge["data"])?["order_no"] as? String)

            let query = try await self.send(sim, HyperCardWire.rechargeQueryPath, ["card_id": Self.card, "mc_trade_no": tradeNo])
            #expect(query["code"] as? String == "00000")
            let data = try #require(object(query["data"]))
            #expect(data["status"] as? Int == 1)
            #expect(data["mc_trade_no"] as? String == tradeNo && data["card_id"] as? String == Self.card)
            #expect(data["order_no"] as? String == orderNo)
            #expect(data["currency_amount"] as? String == "39.80" && data["recharge_fee_amount"] as? String == "0.20")
            #expect(data["fail_reason"] as? String == "")

            let unknown = try await self.send(sim, HyperCardWire.rechargeQueryPath, ["card_id": Self.card, "mc_trade_no": "mc-never-sent"])
            #expect(unknown["code"] as? String == "00000")
            #expect(try #require(object(unknown["data"])).isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(1))) func unknownCard() async throws {
        try await withSimulator { sim in
            let json = try await self.send(
                sim, HyperCardWire.rechargePath,
                HyperCardWire.recharge(cardID: "00003454323400000099999", amount: "10.00", mcTradeNo: HyperCardWire.newTradeNo()))
            #expect(json["code"] as? String == "A0004")
            #expect(try await sim.ledger().isEmpty)
        }
    }

    /// The merchant's balance pays the requested amount (fee included): 50.01 is refused against 50.00, 50.00 is not.
    @Test(.timeLimit(.minutes(1))) func insufficientMerchantBalance() async throws {
        let configuration = SimulatorConfiguration.with(
            cards: [.usd("hypercard", Self.card)], merchantBalances: ["hypercard": ["USD": "50.00"]])
        try await withSimulator(configuration) { sim in
            let refused = try await self.send(
                sim, HyperCardWire.rechargePath,
                HyperCardWire.recharge(cardID: Self.card, amount: "50.01", mcTradeNo: HyperCardWire.newTradeNo()))
            #expect(refused["code"] as? String == "A0006")
            let accepted = try await self.send(
                sim, HyperCardWire.rechargePath,
                HyperCardWire.recharge(cardID: Self.card, amount: "50.00", mcTradeNo: HyperCardWire.newTradeNo()))
            #expect(accepted["code"] as? String == "00000")
            #expect(try await sim.ledger().map(\.amount) == ["50.00"])
        }
    }
}

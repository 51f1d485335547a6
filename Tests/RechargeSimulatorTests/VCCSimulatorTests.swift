import Foundation
import RechargeSimulator
import Testing

/// VCC: the body `sign`, the `{code, msg, data}` envelope, no dedupe on `request_id`.
@Suite struct VCCSimulatorTests {
    static let card = "100029701"

    @Test(.timeLimit(.minutes(1))) func chargeAppliesAndIsRecorded() async throws {
        try await withSimulator(.with(cards: [.usd("vcc", Self.card, balance: "5.00")])) { sim in
            let requestID = VCCWire.newRequestID()
            let response = try await sim.post(
                VCCWire.chargePath, body: VCCWire.charge(cardID: Self.card, amount: "10.50", requestID: requestID))
            #expect(response.status == 200)
            let json = try response.json()
            #expect(json["code"] as? Int == 0)
            let data = try #require(object(json["data"]))
            #expect(data["status"] as? String == "1")
            // reqNo is an integer on the wire, errorMsg and groupId are null.
            #expect(response.text.contains(#""reqNo":"#) && !response.text.contains(#""reqNo":""#))
            let reqNo = try #require(data["reqNo"] as? Int)
            #expect(data["errorMsg"] is NSNull && data["groupId"] is NSNull)

            let query = try await sim.post(VCCWire.cardQueryPath, body: VCCWire.cardQuery(cardID: Self.card)).json()
            #expect(query["code"] as? Int == 0)
            #expect(object(query["data"])?["balance"] as? String == "15.50")

            let ledger = try await sim.ledger()
            #expect(ledger.count == 1)
            let entry = try #require(ledger.first)
            #expect(entry.provider == "vcc" && entry.cardID == Self.card)
            #expect(entry.amount == "10.50" && entry.credited == "10.50" && entry.currency == "USD")
            #expect(entry.requestID == requestID)
            #expect(entry.providerReference == String(reqNo))
        }
    }

    /// The sign providers.md computed for the documented example (`4101`, `100029701`, `10`) and the api key
    /// `test_api_key`.
    static let documentedSign = "E46ADBD052228D261E98EE9CF889DC43E1C7DF505338371CD5BACC4D2FE9F796"

    /// How the example sends `company_id` and `card_id` (JSON strings) and how the field table types them (numbers).
    enum IDEncoding: String, CaseIterable, Sendable {
        case strings, numbers
    }

    @Test(.timeLimit(.minutes(1)), arguments: IDEncoding.allCases)
    func acceptsTheDocumentedSignVector(_ encoding: IDEncoding) async throws {
        let quote = encoding == .strings ? "\"" : ""
        let body =
            #"{"request_id":"r-1","company_id":\#(quote)4101\#(quote),"charge_amount":"10","card_id":\#(quote)100029701\#(quote),"#
            + #""sign":"\#(Self.documentedSign)"}"#
        var configuration = SimulatorConfiguration.with(cards: [.usd("vcc", Self.card)])
        configuration.vcc.apiKey = "test_api_key"
        // The tests' own sign helper agrees with the documented vector.
        #expect(VCCWire.sign(["4101", "100029701", "10"], apiKey: "test_api_key") == Self.documentedSign)
        try await withSimulator(configuration) { sim in
            let json = try await sim.post(VCCWire.chargePath, body: body).json()
            #expect(json["code"] as? Int == 0)
            #expect(try await sim.balance("vcc", Self.card) == "10.00")
        }
    }

    /// Ways a sign can be wrong.
    enum BadSign: String, CaseIterable, Sendable {
        case wrongAPIKey, amountNotTheSignedOne, lowerCaseHex

        var body: String {
            let card = VCCSimulatorTests.card
            let good = VCCWire.sign([VCCWire.companyID, card, "10.00"])
            return switch self {
            case .wrongAPIKey: VCCWire.charge(cardID: card, amount: "10.00", apiKey: "not-the-key")
            case .amountNotTheSignedOne: jsonText(["company_id": "4101", "card_id": card, "charge_amount": "100.00", "sign": good])
            case .lowerCaseHex: jsonText(["company_id": "4101", "card_id": card, "charge_amount": "10.00", "sign": good.lowercased()])
            }
        }
    }

    @Test(.timeLimit(.minutes(1)), arguments: BadSign.allCases)
    func rejectsABadSign(_ bad: BadSign) async throws {
        try await withSimulator(.with(cards: [.usd("vcc", Self.card)])) { sim in
            let response = try await sim.post(VCCWire.chargePath, body: bad.body)
            #expect(response.status == 400)
            let json = try response.json()
            #expect(json["code"] as? Int == 1001)
            #expect(json["data"] is NSNull)
            #expect(try await sim.ledger().isEmpty)
            #expect(try await sim.balance("vcc", Self.card) == "0.00")
            #expect(try await sim.stats()["vcc"]?.rejections["1001"] == 1)
        }
    }

    /// VCC documents no dedupe: the same request_id sent twice is two top-ups, and the operation query lists both.
    @Test(.timeLimit(.minutes(1))) func repeatedRequestIDAppliesTwice() async throws {
        try await withSimulator(.with(cards: [.usd("vcc", Self.card)])) { sim in
            let requestID = VCCWire.newRequestID()
            let body = VCCWire.charge(cardID: Self.card, amount: "7.25", requestID: requestID)
            let first = try await sim.post(VCCWire.chargePath, body: body).json()
            let second = try await sim.post(VCCWire.chargePath, body: body).json()
            #expect(first["code"] as? Int == 0 && second["code"] as? Int == 0)
            let reqNos = [first, second].compactMap { object($0["data"])?["reqNo"] as? Int }
            #expect(reqNos.count == 2 && reqNos[0] != reqNos[1])

            #expect(try await sim.balance("vcc", Self.card) == "14.50")
            let ledger = try await sim.ledger()
            #expect(ledger.map(\.requestID) == [requestID, requestID])
            #expect(ledger.map(\.amount) == ["7.25", "7.25"])

            let query = try await sim.post(VCCWire.operationQueryPath, body: VCCWire.operationQuery(requestID: requestID)).json()
            #expect(query["code"] as? Int == 0)
            let operations = try #require(object(query["data"])?["operations"] as? [[String: Any]])
            #expect(operations.compactMap { $0["reqNo"] as? Int } == reqNos)
            #expect(operations.allSatisfy { $0["status"] as? String == "1" && $0["charge_amount"] as? String == "7.25" })
            #expect(operations.allSatisfy { $0["card_id"] as? String == Self.card && $0["request_id"] as? String == requestID })
        }
    }

    @Test(.timeLimit(.minutes(1))) func operationQueryForAnUnknownRequestID() async throws {
        try await withSimulator { sim in
            let json = try await sim.post(VCCWire.operationQueryPath, body: VCCWire.operationQuery(requestID: "never-sent")).json()
            #expect(json["code"] as? Int == 1006)
        }
    }

    @Test(.timeLimit(.minutes(1))) func unknownAndFrozenCards() async throws {
        try await withSimulator(.with(cards: [.usd("vcc", "100029799", status: "frozen")])) { sim in
            let unknown = try await sim.post(VCCWire.chargePath, body: VCCWire.charge(cardID: "100029702", amount: "1.00")).json()
            #expect(unknown["code"] as? Int == 1003)
            let frozen = try await sim.post(VCCWire.chargePath, body: VCCWire.charge(cardID: "100029799", amount: "1.00")).json()
            #expect(frozen["code"] as? Int == 1004)
            #expect(try await sim.ledger().isEmpty)
            #expect(try await sim.balance("vcc", "100029799") == "0.00")
        }
    }

    /// The merchant's balance is checked to the cent: 10.01 is refused, then exactly 10.00 goes through and a
    /// further 0.01 is refused.
    @Test(.timeLimit(.minutes(1))) func insufficientMerchantBalance() async throws {
        let configuration = SimulatorConfiguration.with(cards: [.usd("vcc", Self.card)], merchantBalances: ["vcc": ["USD": "10.00"]])
        try await withSimulator(configuration) { sim in
            let tooMuch = try await sim.post(VCCWire.chargePath, body: VCCWire.charge(cardID: Self.card, amount: "10.01")).json()
            #expect(tooMuch["code"] as? Int == 1005)
            let exact = try await sim.post(VCCWire.chargePath, body: VCCWire.charge(cardID: Self.card, amount: "10.00")).json()
            #expect(exact["code"] as? Int == 0)
            let more = try await sim.post(VCCWire.chargePath, body: VCCWire.charge(cardID: Self.card, amount: "0.01")).json()
            #expect(more["code"] as? Int == 1005)
            #expect(try await sim.ledger().map(\.amount) == ["10.00"])
            #expect(try await sim.balance("vcc", Self.card) == "10.00")
        }
    }

    @Test(.timeLimit(.minutes(1)), arguments: ["0", "0.00", "1.001", "-5", "abc", "1234567890.12"])
    func rejectsAnInvalidAmount(_ amount: String) async throws {
        try await withSimulator(.with(cards: [.usd("vcc", Self.card)])) { sim in
            let json = try await sim.post(VCCWire.chargePath, body: VCCWire.charge(cardID: Self.card, amount: amount)).json()
            #expect(json["code"] as? Int == 1002)
            #expect(try await sim.ledger().isEmpty)
        }
    }
}

import AsyncHTTPClient
import Foundation
import RechargeCore
import RechargeSimulator
import Testing
import _CryptoExtras

@testable import RechargeProviders

@Suite struct HyperCardWireTests {
    /// A fixed clock (2023-11-14 22:13:20 UTC) and random bytes 0, 1, 2, … so that the nonce is `0123456789`.
    static let fixed = AdapterEnvironment(
        now: { Date(timeIntervalSince1970: 1_700_000_000) }, randomBytes: { count in (0..<count).map { UInt8($0 & 0xff) } })

    static func client(
        _ credentials: [String: Secret] = SimulatorFixture.credentials(.hypercard)
    ) throws(ConfigurationError) -> HyperCardClient {
        let account = ProviderAccount(name: "hc", kind: .hypercard, baseURL: "http://127.0.0.1:1/hypercard", defaultPayCoin: "usdt")
        return try HyperCardClient(account: account, credentials: credentials, client: HTTPClient.shared, environment: Self.fixed)
    }

    static let fields = [
        ("card_id", "00003454323400000028888"),
        ("mc_trade_no", IdempotencyKey(hex: "0123456789abcdef0123456789abcdef")!.hyperCardTradeNumber),
        ("pay_coin", "usdt"), ("recharge_amount", "188.88"), ("remark", "Any remark"),
    ]

    @Test func canonicalStringAndSignatureAreKnown() throws {
        let signed = try Self.client().signedRequest(Self.fields)
        #expect(
            signed.canonical
                == "api-key=sim-hypercard-merchant&card_id=00003454323400000028888&lang=en"
                + "&mc_trade_no=rc0123456789abcdef0123456789abcdef&nonce=0123456789&pay_coin=usdt&recharge_amount=188.88"
                + "&remark=Any remark&timestamp=1700000000&version=1.0")
        // openssl dgst -sha256 -sign samples/keys/hypercard-merchant-private.pem over the string above, Base64.
        let expected =
            "aXux9dwZvZZOVF1nFpn6xHPgyejXYzOyC6fEi/lU7nDdRJ3OjVyRQ8UG8bg+bIYpw7GgcWhiQ7HAR4PC9wMyzUXh0xVR4b+Rudm6OhAv149V2wjtbfCt"
            + "qWGYbHp4ARyT+UqLHNcdJKT1GQD8+0cP81/RQIuEN4AGpJBJxpY2pMc="
        let headers = Dictionary(signed.headers, uniquingKeysWith: { a, _ in a })
        #expect(headers["signature"] == expected)
        #expect(headers["timestamp"] == "1700000000")
        #expect(headers["nonce"] == "0123456789")
        #expect(headers["api-key"] == "sim-hypercard-merchant")
        #expect(headers["version"] == "1.0")
        #expect(headers["lang"] == "en")
        #expect(
            String(decoding: signed.body, as: UTF8.self)
                == #"{"card_id":"00003454323400000028888","mc_trade_no":"rc0123456789abcdef0123456789abcdef","pay_coin":"usdt","recharge_amount":"188.88","remark":"Any remark"}"#
        )
        // And the simulator's public key verifies it.
        let publicKey = try _RSA.Signing.PublicKey(unsafePEMRepresentation: SimulatorKeys.hyperCardMerchantPublic)
        #expect(
            publicKey.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: Data(base64Encoded: expected)!), for: Data(signed.canonical.utf8),
                padding: .insecurePKCS1v1_5))
    }

    @Test func canonicalStringDropsEmptyValuesAndSignatureAndABodyFieldWinsAClash() {
        let canonical = HyperCardSignature.canonicalString(
            headers: [("timestamp", "1"), ("nonce", "n"), ("signature", "x"), ("lang", ""), ("Content-Type", "application/json")],
            body: [("nonce", "body"), ("remark", ""), ("b", "2"), ("A", "1")])
        #expect(canonical == "A=1&b=2&nonce=body&timestamp=1")
    }

    @Test func aMissingOrUnreadableCredentialIsNamed() {
        var credentials = SimulatorFixture.credentials(.hypercard)
        credentials["privateKey"] = nil
        #expect(throws: ConfigurationError.self) { try Self.client(credentials) }
        do {
            credentials["privateKey"] = Secret("-----BEGIN RSA PRIVATE KEY-----\nnope\n-----END RSA PRIVATE KEY-----")
            _ = try Self.client(credentials)
            Issue.record("an unreadable key was accepted")
        } catch {
            #expect(error.key == "accounts.hc.credentials.privateKey")
        }
        credentials = SimulatorFixture.credentials(.hypercard)
        credentials["apiKey"] = nil
        do {
            _ = try Self.client(credentials)
            Issue.record("a missing api key was accepted")
        } catch {
            #expect(error.key == "accounts.hc.credentials.apiKey")
        }
    }

    static let usd = Currency(code: "USD")!

    static func response(_ status: Int, _ json: String, headers: [(String, String)] = []) -> HTTPExchange {
        .response(status: status, headers: headers, body: Array(json.utf8))
    }

    /// Every row of the table, fed through the classifier as the provider would send it.
    @Test(arguments: HyperCardClient.classification.ownRules)
    func eachRowClassifies(_ rule: ClassificationRule) {
        let exchange: HTTPExchange
        switch rule.code {
        case "http:401": exchange = Self.response(401, "")
        case "http:429": exchange = Self.response(429, #"{"code":"A0000","msg":"slow down","data":null}"#, headers: [("Retry-After", "3")])
        case "http:5xx": exchange = Self.response(502, "<html>bad gateway</html>")
        default: exchange = Self.response(200, #"{"code":"\#(rule.code)","msg":"the message","data":null}"#)
        }
        let outcome = HyperCardClient.classify(exchange, currency: Self.usd, payCoin: "usdt")
        let message = rule.code.hasPrefix("http:") ? nil : "the message"
        switch (rule.answerClass, outcome) {
        case (.final, .rejected(let code, let text)):
            #expect(code == rule.code)
            if let message { #expect(text == message) }
        case (.retry, .notApplied(let code, _, _)):
            #expect(code == rule.code)
        case (.throttled, .throttled(let code, _, let retryAfter)):
            #expect(code == rule.code)
            if rule.code == "http:429" { #expect(retryAfter == .seconds(3)) }
        case (.inDoubt, .inDoubt(let code, _)), (.queryFirst, .inDoubt(let code, _)):
            #expect(code == rule.code)
        default:
            Issue.record("\(rule.code) (\(rule.answerClass)) gave \(outcome)")
        }
    }

    @Test func theTableCoversEveryDocumentedCode() {
        let codes = Set(HyperCardClient.classification.rules.map(\.code))
        for code in [
            "A0000", "A0001", "A0002", "A0003", "A0004", "A0005", "A0006", "A0007", "B0000", "B0001", "C0000", "http:401", "http:429",
            "http:5xx",
        ] {
            #expect(codes.contains(code), "\(code)")
        }
        #expect(HyperCardClient.classification.rules.allSatisfy { !$0.reason.isEmpty })
    }

    @Test func successReadsTheCreditedFiatNotThePayCoinAmount() {
        let exchange = Self.response(
            200,
            #"{"code":"00000","msg":"ok","data":{"card_coin":"usd","coin_exchange_usd_rate":"1","currency_amount":"188","currency_exchange_usd_rate":"1.0002","order_no":"HC1","pay_coin":"usdt","real_recharge_amount":"188","recharge_amount":"190.12","recharge_fee_amount":"0.880","recharge_fee_usdt_amount":"0.88"}}"#
        )
        let receipt = ProviderReceipt(
            providerReference: "HC1", credited: Money(minorUnits: 18_800, currency: Self.usd),
            fee: ChargedAmount(minorUnits: 88_000_000, unit: "USDT"),
            exchangeRate: "1.0002")
        #expect(HyperCardClient.classify(exchange, currency: Self.usd, payCoin: "usdt") == .applied(receipt))
    }

    /// Seed 001: `recharge_fee_amount` is "Recharge fee in payment coin". On a JPY card paid in USDT the fee is
    /// USDT, however small, and never read as yen.
    @Test func theFeeIsInThePayCoinNotTheCardCurrency() throws {
        let jpy = try #require(Currency(code: "JPY"))
        let exchange = Self.response(
            200,
            #"{"code":"00000","msg":"ok","data":{"card_coin":"jpy","currency_amount":"20000","order_no":"HC2","pay_coin":"usdt","recharge_amount":"135.40","recharge_fee_amount":"0.88","recharge_fee_usdt_amount":"0.88"}}"#
        )
        guard case .applied(let receipt) = HyperCardClient.classify(exchange, currency: jpy, payCoin: "usdt") else {
            Issue.record("not applied")
            return
        }
        #expect(receipt.credited == Money(minorUnits: 20_000, currency: jpy))
        #expect(receipt.fee == ChargedAmount(minorUnits: 88_000_000, unit: "USDT"))
        #expect(receipt.fee?.description == "0.88 USDT")
        // Without pay_coin in the answer, the coin the request named.
        let bare = Self.response(200, #"{"code":"00000","msg":"ok","data":{"order_no":"HC3","recharge_fee_amount":"400"}}"#)
        guard case .applied(let second) = HyperCardClient.classify(bare, currency: jpy, payCoin: "usdt") else {
            Issue.record("not applied")
            return
        }
        #expect(second.fee?.description == "400.00 USDT")
    }

    @Test func aZeroFeeIsAZeroAmount() {
        #expect(HyperCardWire.money("0", currency: Self.usd) == Money(minorUnits: 0, currency: Self.usd))
        #expect(HyperCardWire.money("0.00", currency: Self.usd) == Money(minorUnits: 0, currency: Self.usd))
        #expect(HyperCardWire.money("12.5", currency: Self.usd) == Money(minorUnits: 1_250, currency: Self.usd))
        #expect(HyperCardWire.money("1.234", currency: Self.usd) == nil)
        #expect(HyperCardWire.money("", currency: Self.usd) == nil)
    }

    @Test(arguments: [
        ("1", "applied"), ("0", "pending"), ("2", "pending"), ("3", "pending"), ("4", "rejected"), ("9", "cannotTell"),
    ])
    func queryStatusesMapToOutcomes(_ status: String, _ expected: String) {
        let exchange = Self.response(
            200,
            #"{"code":"00000","msg":"ok","data":{"status":\#(status),"order_no":"HC1","currency_amount":"99.5","recharge_fee_amount":"0.5","card_id":"c","mc_trade_no":"m"}}"#
        )
        let outcome = HyperCardClient.classifyStatus(exchange, currency: Self.usd, payCoin: "usdt")
        switch (expected, outcome) {
        case ("applied", .applied(let receipt)):
            #expect(receipt.providerReference == "HC1")
            #expect(receipt.credited == Money(minorUnits: 9_950, currency: Self.usd))
        case ("pending", .pending), ("rejected", .rejected), ("cannotTell", .cannotTell): break
        default: Issue.record("status \(status) gave \(outcome)")
        }
    }

    @Test func anEmptyQueryAnswerMeansNoSuchOrder() {
        #expect(
            HyperCardClient.classifyStatus(
                Self.response(200, #"{"code":"00000","msg":"ok","data":{}}"#), currency: Self.usd, payCoin: "usdt") == .notApplied
        )
        #expect(
            HyperCardClient.classifyStatus(Self.response(200, #"{"code":"00000","msg":"ok"}"#), currency: Self.usd, payCoin: "usdt")
                == .notApplied)
        if case .cannotTell = HyperCardClient.classifyStatus(Self.response(500, "oops"), currency: Self.usd, payCoin: "usdt") {
        } else {
            Issue.record("a failed query must not be read as an answer")
        }
        if case .cannotTell = HyperCardClient.classifyStatus(.failed(sent: true, reason: "reset"), currency: Self.usd, payCoin: "usdt") {
        } else {
            Issue.record("a failed query must not be read as an answer")
        }
    }
}

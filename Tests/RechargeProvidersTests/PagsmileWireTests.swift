import AsyncHTTPClient
import Foundation
import RechargeCore
import RechargeSimulator
import Testing
import _CryptoExtras

@testable import RechargeProviders

@Suite struct PagsmileWireTests {
    /// A fixed clock (2023-11-14 22:13:20 UTC) and random bytes 0, 1, 2, …: AES key `0123456789abcdef`, IV
    /// `0123456789ABCDEF`, request id `0123456789abcdef0123456789abcdef`.
    static let fixed = AdapterEnvironment(
        now: { Date(timeIntervalSince1970: 1_700_000_000) }, randomBytes: { count in (0..<count).map { UInt8($0 & 0xff) } })

    static func client(
        _ credentials: [String: Secret] = SimulatorFixture.credentials(.pagsmile)
    ) throws(ConfigurationError) -> PagsmileClient {
        let account = ProviderAccount(name: "ps", kind: .pagsmile, baseURL: "http://127.0.0.1:1/pagsmile")
        return try PagsmileClient(account: account, credentials: credentials, client: HTTPClient.shared, environment: Self.fixed)
    }

    // Immutable after initialisation; RSA keys are not Sendable.
    nonisolated(unsafe) static let merchantKey: _RSA.Encryption.PrivateKey = {
        guard let key = try? _RSA.Encryption.PrivateKey(pemRepresentation: SimulatorKeys.pagsmileMerchantPrivate) else {
            preconditionFailure("the simulator's Pagsmile merchant key does not parse")
        }
        return key
    }()
    static let brl = Currency(code: "BRL")!

    static let fields = [
        ("pay_account_num", "PA-7700120045"), ("card_token", "CT000000880001"), ("order_no", "0123456789abcdef0123456789abcdef"),
        ("amount", "100.50"), ("currency", "BRL"), ("reference", "REF-1"),
    ]

    @Test func bizDataIsKnownForAFixedKeyAndIV() throws {
        let envelope = try Self.client().envelope(Self.fields)
        #expect(envelope.aesKey == "0123456789abcdef")
        #expect(envelope.iv == "0123456789ABCDEF")
        #expect(
            String(decoding: envelope.plaintext, as: UTF8.self)
                == #"{"pay_account_num":"PA-7700120045","card_token":"CT000000880001","order_no":"0123456789abcdef0123456789abcdef","amount":"100.50","currency":"BRL","reference":"REF-1"}"#
        )
        // openssl enc -aes-128-cbc -K 30313233343536373839616263646566 -iv <hex of 0123456789ABCDEF> -base64 -A
        #expect(
            envelope.bizData
                == "0123456789ABCDEF"
                + "MeQgHECEmXFpGCAiAt0t9UKCEASm/FXwxzQCoxzxkJf1igO2bXOeZ2uiHVSWu8L+gYyJnd31svHeLWXDWejydAcRcDOkK40vC53d20pRqs7vgc0+"
                + "e1TnkwjH32u27OorzMDBD8ETgjBYlkV/Fa+Fsw0BIfy/Emn9MsTyBErXQnXRmoWKeMZM6+I0ZHB3wK3xYfivwlstKFCw/lr74OqHOTavctNOMMpyZzkzjgeYV7c="
        )
    }

    @Test func randomKeyUnwrapsWithThePlatformPrivateKey() throws {
        let envelope = try Self.client().envelope(Self.fields)
        let platform = try _RSA.Encryption.PrivateKey(pemRepresentation: SimulatorKeys.pagsmilePlatformPrivate)
        let key = try platform.decrypt(Data(base64Encoded: envelope.randomKey)!, padding: ._WEAK_AND_INSECURE_PKCS_V1_5)
        #expect(String(decoding: key, as: UTF8.self) == "0123456789abcdef")
        #expect(try PagsmileCrypto.open(envelope.bizData, key: Array(key)) == envelope.plaintext)
    }

    @Test func theEnvelopeHasEveryDocumentedMember() throws {
        let envelope = try Self.client().envelope(Self.fields)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(envelope.body)) as? [String: String])
        #expect(object["app_id"] == "sim-pagsmile-app")
        #expect(object["partner_id"] == "sim-pagsmile-partner")
        #expect(object["sub_partner_id"] == "")
        #expect(object["request_id"] == "0123456789abcdef0123456789abcdef")
        #expect(object["timestamp"] == "2023-11-14 22:13:20")
        #expect(object["format"] == "JSON")
        #expect(object["version"] == "2.0")
        #expect(object["sign_type"] == "RSA")
        #expect(object["random_key"] == envelope.randomKey)
        #expect(object["biz_data"] == envelope.bizData)
    }

    @Test func aMissingOrUnreadableCredentialIsNamed() {
        for name in ["appID", "partnerID", "platformPublicKey", "merchantPrivateKey"] {
            for value in [nil, "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----"] {
                if value != nil && !name.hasSuffix("Key") { continue }
                var credentials = SimulatorFixture.credentials(.pagsmile)
                credentials[name] = value.map(Secret.init)
                do {
                    _ = try Self.client(credentials)
                    Issue.record("\(name) = \(value ?? "nil") was accepted")
                } catch {
                    #expect(error.key == "accounts.ps.credentials.\(name)")
                }
            }
        }
    }

    static func response(_ status: Int, _ json: String, headers: [(String, String)] = []) -> HTTPExchange {
        .response(status: status, headers: headers, body: Array(json.utf8))
    }

    /// A success answer as Pagsmile seals it: `data` under a fresh AES key wrapped for the merchant.
    static func sealed(_ data: String) throws -> HTTPExchange {
        let merchantPublic = try _RSA.Encryption.PublicKey(pemRepresentation: SimulatorKeys.pagsmileMerchantPublic)
        let key = "K3yK3yK3yK3yK3yK"
        let randomKey = try PagsmileCrypto.wrapKey(key, with: merchantPublic)
        let sealed = try PagsmileCrypto.seal(Array(data.utf8), key: Array(key.utf8), iv: "FEDCBA9876543210")
        return Self.response(
            200,
            #"{"code":"10000","msg":"Success","total":1,"random_key":"\#(randomKey)","sign_type":"RSA","app_id":"a","data":"\#(sealed)"}"#)
    }

    /// Every row of the table, fed through the classifier as the provider would send it.
    @Test(arguments: PagsmileClient.classification.ownRules)
    func eachRowClassifies(_ rule: ClassificationRule) {
        let exchange: HTTPExchange
        let expectedCode: String
        switch rule.code {
        case "http:429":
            exchange = Self.response(429, #"{"code":"4004029","msg":"too many requests"}"#, headers: [("Retry-After", "4")])
            expectedCode = "http:429"
        case "http:5xx":
            exchange = Self.response(503, #"{"code":"20000","msg":"Service Currently Unavailable"}"#)
            expectedCode = "http:503"
        default:
            let parts = rule.code.split(separator: "/").map(String.init)
            // A code-only row stands for that code's other sub-codes.
            let subCode = parts.count == 2 ? parts[1] : (["40001", "40002", "30001"].contains(parts[0]) ? "some-other-reason" : nil)
            let sub = subCode.map { #","sub_code":"\#($0)","sub_msg":"the detail""# } ?? ""
            exchange = Self.response(200, #"{"code":"\#(parts[0])","msg":"the message"\#(sub)}"#)
            expectedCode = subCode.map { "\(parts[0])/\($0)" } ?? parts[0]
        }
        let outcome = PagsmileClient.classify(exchange, merchantKey: Self.merchantKey)
        switch (rule.answerClass, outcome) {
        case (.final, .rejected(let code, _)):
            #expect(code == expectedCode)
        case (.retry, .notApplied(let code, _, _)):
            #expect(code == expectedCode)
        case (.throttled, .throttled(let code, _, let retryAfter)):
            #expect(code == expectedCode)
            if rule.code == "http:429" { #expect(retryAfter == .seconds(4)) }
        case (.inDoubt, .inDoubt(let code, _)), (.queryFirst, .inDoubt(let code, _)):
            #expect(code == expectedCode)
        default:
            Issue.record("\(rule.code) (\(rule.answerClass)) gave \(outcome)")
        }
    }

    @Test func anUnknownCodeIsInDoubt() {
        let outcome = PagsmileClient.classify(Self.response(200, #"{"code":"99999","msg":"?"}"#), merchantKey: Self.merchantKey)
        #expect(outcome == .inDoubt(code: "99999", message: "?"))
    }

    @Test func successDecryptsTheTransactionID() throws {
        let outcome = PagsmileClient.classify(try Self.sealed(#"{"transaction_id":"100000076795"}"#), merchantKey: Self.merchantKey)
        #expect(outcome == .applied(ProviderReceipt(providerReference: "100000076795")))
    }

    @Test func theDetailQueryMapsToStatusOutcomes() throws {
        let applied = try Self.sealed(
            #"{"transaction_id":"100000076795","transaction_type":121,"transaction_status":1,"order_no":"o","bill_amount":"-100.50","exchange_rate":"1"}"#
        )
        #expect(
            PagsmileClient.classifyStatus(applied, merchantKey: Self.merchantKey, currency: Self.brl)
                == .applied(
                    ProviderReceipt(
                        providerReference: "100000076795", credited: Money(minorUnits: 10_050, currency: Self.brl), exchangeRate: "1")))
        let other = try Self.sealed(#"{"transaction_id":"1","transaction_status":2}"#)
        if case .cannotTell = PagsmileClient.classifyStatus(other, merchantKey: Self.merchantKey, currency: Self.brl) {
        } else {
            Issue.record("an unknown transaction_status must not be read as an answer")
        }
        let missing = Self.response(
            200, #"{"code":"40002","msg":"Business Failed","sub_code":"order-not-exist","sub_msg":"transaction not found"}"#)
        #expect(PagsmileClient.classifyStatus(missing, merchantKey: Self.merchantKey, currency: Self.brl) == .notApplied)
        for exchange in [
            Self.response(200, #"{"code":"40002","msg":"Business Failed","sub_code":"invalid-signature"}"#),
            Self.response(503, #"{"code":"20000","msg":"Service Currently Unavailable"}"#),
            HTTPExchange.failed(sent: false, reason: "refused"),
        ] {
            if case .cannotTell = PagsmileClient.classifyStatus(exchange, merchantKey: Self.merchantKey, currency: Self.brl) {
            } else {
                Issue.record("\(exchange) must not be read as an answer")
            }
        }
    }
}

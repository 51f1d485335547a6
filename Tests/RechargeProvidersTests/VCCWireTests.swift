import AsyncHTTPClient
import Foundation
import RechargeCore
import Testing

@testable import RechargeProviders

@Suite struct VCCWireTests {
    /// The self-computed test vector of providers.md.
    @Test func signKnownAnswer() {
        #expect(
            VCCWire.sign(["4101", "100029701", "10"], apiKey: "test_api_key")
                == "E46ADBD052228D261E98EE9CF889DC43E1C7DF505338371CD5BACC4D2FE9F796")
    }

    @Test func signRemovesSpaces() {
        #expect(
            VCCWire.sign(["4101 ", "1000 29701", " 10"], apiKey: "test_api_key")
                == VCCWire.sign(["4101", "100029701", "10"], apiKey: "test_api_key"))
    }

    @Test func chargeBodyBytes() {
        let body = VCCWire.chargeBody(
            requestID: "0123456789abcdef0123456789abcdef", companyID: "4101", cardID: "100029701", amount: "10", apiKey: "test_api_key")
        let expected =
            #"{"request_id":"0123456789abcdef0123456789abcdef","company_id":"4101","charge_amount":"10","card_id":"100029701","#
            + #""sign":"E46ADBD052228D261E98EE9CF889DC43E1C7DF505338371CD5BACC4D2FE9F796"}"#
        #expect(String(decoding: body, as: UTF8.self) == expected)
    }

    @Test func chargeBodyCarriesTheExactAmountText() throws {
        let amount = try Money.parse("100.02", currency: Currency(code: "USD")!)
        let body = String(
            decoding: VCCWire.chargeBody(requestID: "k", companyID: "4101", cardID: "1", amount: amount.decimalString, apiKey: "x"),
            as: UTF8.self)
        #expect(body.contains(#""charge_amount":"100.02""#))
    }

    @Test func queryBodies() {
        #expect(
            String(decoding: VCCWire.cardQueryBody(companyID: "4101", cardID: "100029701", apiKey: "k"), as: UTF8.self)
                == #"{"company_id":"4101","card_id":"100029701","sign":"\#(VCCWire.sign(["4101", "100029701"], apiKey: "k"))"}"#)
        #expect(
            String(decoding: VCCWire.operationQueryBody(companyID: "4101", requestID: "abc", apiKey: "k"), as: UTF8.self)
                == #"{"company_id":"4101","request_id":"abc","sign":"\#(VCCWire.sign(["4101", "abc"], apiKey: "k"))"}"#)
    }

    @Test func documentedSuccessIsApplied() {
        let body = #"{"code":0,"msg":{"zh-CN":"成功","en-US":"Success"},"data":{"status":"1","reqNo":115801,"errorMsg":null,"groupId":null}}"#
        #expect(
            VCCClient.classify(.response(status: 200, headers: [], body: Array(body.utf8)))
                == .applied(ProviderReceipt(providerReference: "115801")))
    }

    @Test(arguments: [
        #"{"code":0,"msg":"ok","data":{"status":"1"}}"#,
        #"{"code":0,"msg":"ok","data":{"status":"0","reqNo":1}}"#,
        #"{"code":0,"msg":"ok","data":null}"#,
    ])
    func successWithoutEvidenceIsInDoubt(_ body: String) {
        #expect(
            VCCClient.classify(.response(status: 200, headers: [], body: Array(body.utf8)))
                == .inDoubt(code: "incomplete", message: #"HTTP 200, code 0 without data.status "1" and reqNo"#))
    }

    @Test func balanceComparison() throws {
        let amount = try Money.parse("10", currency: Currency(code: "USD")!)
        #expect(
            VCCWire.compareBalances(before: "5.00", after: "15.00", amount: amount) == .applied(ProviderReceipt(providerReference: nil)))
        #expect(VCCWire.compareBalances(before: "5.00", after: "5", amount: amount) == .notApplied)
        #expect(VCCWire.compareBalances(before: "5.00", after: "25.00", amount: amount) != .notApplied)
        if case .cannotTell = VCCWire.compareBalances(before: "5.00", after: "25.00", amount: amount) {
        } else {
            Issue.record("expected cannotTell")
        }
        if case .cannotTell = VCCWire.compareBalances(before: "5.00", after: "1e3", amount: amount) {
        } else {
            Issue.record("expected cannotTell")
        }
    }

    @Test func minorUnits() {
        #expect(VCCWire.minorUnits("0", exponent: 2) == 0)
        #expect(VCCWire.minorUnits("100.02", exponent: 2) == 10002)
        #expect(VCCWire.minorUnits("99999999.99", exponent: 2) == 9_999_999_999)
        #expect(VCCWire.minorUnits("1.230", exponent: 2) == 123)
        #expect(VCCWire.minorUnits("1.234", exponent: 2) == nil)
        #expect(VCCWire.minorUnits("1.", exponent: 2) == nil)
        #expect(VCCWire.minorUnits("", exponent: 2) == nil)
        #expect(VCCWire.minorUnits("1,5", exponent: 2) == nil)
    }

    @Test func evidenceRoundTrips() {
        let snapshot = VCCWire.Snapshot(cardID: "100029701", balance: "12.34")
        let evidence = VCCWire.evidence(snapshot)
        #expect(evidence.text == #"{"balance":"12.34","cardID":"100029701"}"#)
        #expect(VCCWire.snapshot(evidence) == snapshot)
    }

    @Test func missingCredentialIsNamed() async throws {
        let client = HTTPClient.shared
        let account = ProviderAccount(name: "vcc-main", kind: .vcc, baseURL: "http://127.0.0.1:1/vcc/api")
        #expect(throws: ConfigurationError.self) {
            _ = try VCCClient(account: account, credentials: ["companyID": Secret("4101")], client: client)
        }
        do {
            _ = try VCCClient(account: account, credentials: ["companyID": Secret("4101")], client: client)
        } catch {
            #expect(error.key == "accounts.vcc-main.credentials.apiKey")
        }
    }
}

/// The classification table, row by row: a synthetic answer carrying each code gives that row's class.
@Suite struct VCCClassificationTests {
    static func exchange(for code: String) -> HTTPExchange {
        switch code {
        case "transport:not-sent": return .failed(sent: false, reason: "connection refused")
        case "transport:failed": return .failed(sent: true, reason: "deadline exceeded")
        case "malformed": return .response(status: 200, headers: [], body: Array("<html>oops</html>".utf8))
        case "incomplete": return .response(status: 200, headers: [], body: Array(#"{"code":0,"msg":"ok","data":{}}"#.utf8))
        case _ where code.hasPrefix("http:"):
            let status = Int(code.dropFirst(5))!
            return .response(status: status, headers: status == 429 ? [("Retry-After", "2")] : [], body: Array("not json".utf8))
        default:
            return .response(status: 400, headers: [], body: Array(#"{"code":\#(code),"msg":{"en-US":"m"},"data":null}"#.utf8))
        }
    }

    @Test(arguments: VCCClient.classification.ownRules)
    func row(_ rule: ClassificationRule) {
        let outcome = VCCClient.classify(Self.exchange(for: rule.code))
        switch (rule.answerClass, outcome) {
        case (.final, .rejected(let code, _)): #expect(code == rule.code)
        case (.retry, .notApplied(let code, _, _)):
            #expect(code == rule.code)
        case (.throttled, .throttled(let code, _, let retryAfter)):
            #expect(code == rule.code)
            if rule.code == "http:429" { #expect(retryAfter == .seconds(2)) }
        case (.inDoubt, .inDoubt(let code, _)), (.queryFirst, .inDoubt(let code, _)): #expect(code == rule.code)
        default: Issue.record("\(rule.code): \(rule.answerClass) but got \(outcome)")
        }
        #expect(!rule.reason.isEmpty)
    }

    @Test func everySimulatorCodeHasARow() {
        for code in [
            "1001", "1002", "1003", "1004", "1005", "1006", "1007", "http:400", "http:401", "http:404", "http:429", "http:5xx",
        ] {
            #expect(VCCClient.classification.rules.contains { $0.code == code }, "\(code)")
        }
    }

    @Test func anUnknownCodeIsInDoubt() {
        #expect(VCCClient.classify(Self.exchange(for: "4242")) == .inDoubt(code: "4242", message: "m"))
    }
}

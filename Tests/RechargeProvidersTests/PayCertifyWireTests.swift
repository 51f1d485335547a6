import AsyncHTTPClient
import Foundation
import RechargeCore
import Testing

@testable import RechargeProviders

@Suite struct PayCertifyWireTests {
    static let usd = Currency(code: "USD")!

    @Test(arguments: [
        ("0.01", #"{"vcard":{"reload_amount":0.01}}"#),
        ("0.29", #"{"vcard":{"reload_amount":0.29}}"#),
        ("1.10", #"{"vcard":{"reload_amount":1.10}}"#),
        ("100.02", #"{"vcard":{"reload_amount":100.02}}"#),
        ("99999999.99", #"{"vcard":{"reload_amount":99999999.99}}"#),
    ])
    func reloadBodyBytes(_ amount: String, _ expected: String) throws {
        let money = try Money.parse(amount, currency: Self.usd)
        #expect(PayCertifyWire.reloadBody(amount: money) == Array(expected.utf8))
    }

    static let vcardBody = #"""
        {"vcard":{"id":"0b7e","type":"reload","card_number":"4111222233334444","available_amount":100.02,"amount":100.02,
        "status":"active","actions":[{"id":"act_1","type":"create","amount":0,"created_at":"2020-04-03T09:09:53+0000"},
        {"id":"act_2","type":"reload","amount":100.02,"created_at":"2020-04-03T09:10:00+0000"}],"is_cancelable":true,
        "note":"caf\u00e9 \ud83d\ude00 \"q\""}}
        """#

    @Test func parsesTheCardKeepingNumbersExactAndDroppingThePAN() throws {
        let json = try #require(PayCertifyJSON.parse(Array(Self.vcardBody.utf8)))
        #expect(json["vcard"]?["card_number"] == nil)
        #expect(json["vcard"]?["available_amount"] == .number("100.02"))
        #expect(json["vcard"]?["note"] == .string("café 😀 \"q\""))
        let card = try #require(PayCertifyWire.card(Array(Self.vcardBody.utf8)))
        #expect(
            card
                == PayCertifyWire.Card(
                    id: "0b7e", availableAmount: "100.02",
                    actions: [
                        .init(id: "act_1", type: "create", amount: "0", createdAt: "2020-04-03T09:09:53+0000"),
                        .init(id: "act_2", type: "reload", amount: "100.02", createdAt: "2020-04-03T09:10:00+0000"),
                    ]))
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\":}", "01x", "{\"a\":1} x", "\"\\x\"", "-", "1.", "1e"])
    func parserRefusesMalformedJSON(_ text: String) {
        #expect(PayCertifyJSON.parse(Array(text.utf8)) == nil)
    }

    /// Strings with and without escapes read the same way, and a raw control character or a missing quote is refused.
    @Test func parserReadsStringsWithAndWithoutEscapes() {
        let text = #"["", "act_1", "café 😀", "a\"b", "tab\there", "x\u00e9y\ud83d\ude00", "end\\"]"#
        #expect(
            PayCertifyJSON.parse(Array(text.utf8))
                == .array([
                    .string(""), .string("act_1"), .string("café 😀"), .string("a\"b"), .string("tab\there"), .string("xéy😀"),
                    .string("end\\"),
                ]))
        #expect(PayCertifyJSON.parse(Array("[\"a\u{01}b\"]".utf8)) == nil)
        #expect(PayCertifyJSON.parse(Array("[\"a\\\"]".utf8)) == nil)
        #expect(PayCertifyJSON.parse(Array("\"open".utf8)) == nil)
        #expect(PayCertifyJSON.parse([0x22, 0x61, 0xFF, 0x62, 0x22]) == .string("a\u{FFFD}b"))
        #expect(PayCertifyJSON.parse(Array("[true,false,null]".utf8)) == .array([.bool(true), .bool(false), .null]))
        #expect(PayCertifyJSON.parse(Array("[tru]".utf8)) == nil)
    }

    @Test func parserReadsNumbersAsText() {
        #expect(
            PayCertifyJSON.parse(Array("[0.1, -2, 3e5, 99999999.99, true, null]".utf8))
                == .array([.number("0.1"), .number("-2"), .number("3e5"), .number("99999999.99"), .bool(true), .null]))
    }

    @Test func reloadSuccessIsAppliedWithTheNewestActionAndNoPAN() {
        let outcome = PayCertifyClient.classify(.response(status: 200, headers: [], body: Array(Self.vcardBody.utf8)))
        #expect(outcome == .applied(ProviderReceipt(providerReference: "act_2")))
        #expect(!"\(outcome)".contains("4111222233334444"))
    }

    @Test func errorEnvelope() {
        let body = #"{"error":{"status":402,"message":{"base":["Insufficient funds"]}}}"#
        #expect(PayCertifyWire.error(Array(body.utf8)) == .init(keys: ["base"], message: "base: Insufficient funds"))
        #expect(
            PayCertifyClient.classify(.response(status: 402, headers: [], body: Array(body.utf8)))
                == .rejected(code: "http:402", message: "base: Insufficient funds"))
    }

    @Test func fatalIsInDoubtWhateverTheStatus() {
        let body = #"{"error":{"status":422,"message":{"fatal":["boom"]}}}"#
        #expect(
            PayCertifyClient.classify(.response(status: 422, headers: [], body: Array(body.utf8)))
                == .inDoubt(code: "fatal", message: "fatal: boom"))
    }

    @Test func rateLimitWithoutRetryAfterUsesTheRemainingHeader() {
        let body = #"{"error":{"status":429,"message":{"base":["Rate limit exceeded"]}}}"#
        let outcome = PayCertifyClient.classify(.response(status: 429, headers: [("X-RateLimit-Remaining", "0")], body: Array(body.utf8)))
        #expect(
            outcome
                == .throttled(code: "http:429", message: "base: Rate limit exceeded", retryAfter: .seconds(1)))
    }

    static func snapshot(_ available: String, _ ids: [String]) -> PayCertifyWire.Snapshot {
        .init(cardID: "c", availableAmount: available, actionCount: ids.count, actionIDs: ids)
    }

    @Test func comparison() throws {
        let amount = try Money.parse("10.50", currency: Self.usd)
        let before = Self.snapshot("5.00", ["a1"])
        let unchanged = PayCertifyWire.Card(id: "c", availableAmount: "5", actions: [.init(id: "a1", type: "create", amount: "5")])
        #expect(PayCertifyWire.compare(before, now: unchanged, amount: amount) == .notApplied)
        var reloaded = unchanged
        reloaded.availableAmount = "15.50"
        reloaded.actions.append(.init(id: "a2", type: "reload", amount: "10.5"))
        #expect(PayCertifyWire.compare(before, now: reloaded, amount: amount) == .applied(ProviderReceipt(providerReference: "a2")))
        // A new reload of another amount, two new reloads, a balance moved without an action: ambiguous.
        var other = reloaded
        other.actions[1].amount = "10.51"
        var twice = reloaded
        twice.actions.append(.init(id: "a3", type: "reload", amount: "10.50"))
        twice.availableAmount = "26.00"
        var moved = unchanged
        moved.availableAmount = "4.00"
        for card in [other, twice, moved] {
            guard case .cannotTell = PayCertifyWire.compare(before, now: card, amount: amount) else { Issue.record("\(card)"); continue }
        }
    }

    /// The reload answer as PayCertify documents it (seed: reload-card): the card object's type is `reload`, each
    /// action's is `refill`, with `data.previous_amount_balance` and no amount.
    static let documentedReload = #"""
        {"vcard":{"id":"42e012cf-0000-0000-0000-8a1806bcaf6e","type":"reload","card_number":"4111111111111111",
        "amount":200.50,"status":"active","available_amount":223.95,
        "actions":[{"id":"df413355-0000-0000-0000-7f4aa8534561","virtual_card_id":"42e012cf-0000-0000-0000-8a1806bcaf6e",
        "type":"refill","data":{"previous_amount_balance":100.50,"virtual_card_previous_amount":200.50},
        "created_at":"2020-04-03 09:09:53","updated_at":"2020-04-03 09:09:53","deleted_at":""}],
        "is_cancelable":1,"meta":{},"created_at":"2020-04-03T09:09:53+0000"}}
        """#

    @Test func aLostReloadSettlesOnTheDocumentedActionShape() throws {
        let amount = try Money.parse("123.45", currency: Self.usd)
        let card = try #require(PayCertifyWire.card(Array(Self.documentedReload.utf8)))
        #expect(card.actions.first?.type == "refill")
        #expect(card.actions.first?.previousBalance == "100.50")
        #expect(card.actions.first?.amount == nil)
        let before = PayCertifyWire.Snapshot(
            cardID: "42e012cf-0000-0000-0000-8a1806bcaf6e", availableAmount: "100.50", actionCount: 0, actionIDs: [])
        #expect(
            PayCertifyWire.compare(before, now: card, amount: amount)
                == .applied(ProviderReceipt(providerReference: "df413355-0000-0000-0000-7f4aa8534561")))
        // The action must start from the snapshot's balance, and the balance must rise by exactly the amount.
        let otherStart = PayCertifyWire.Snapshot(cardID: before.cardID, availableAmount: "100.49", actionCount: 0, actionIDs: [])
        guard case .cannotTell = PayCertifyWire.compare(otherStart, now: card, amount: amount) else {
            Issue.record("a refill from another balance is not this reload")
            return
        }
        guard case .cannotTell = PayCertifyWire.compare(before, now: card, amount: try Money.parse("123.44", currency: Self.usd)) else {
            Issue.record("a balance moved by another amount is not this reload")
            return
        }
        // The reload answer itself names that action.
        #expect(
            PayCertifyClient.classify(.response(status: 200, headers: [], body: Array(Self.documentedReload.utf8)))
                == .applied(ProviderReceipt(providerReference: "df413355-0000-0000-0000-7f4aa8534561")))
    }

    @Test func evidenceRoundTripsWithoutPAN() {
        let snapshot = Self.snapshot("100.02", ["act_1", "act_2"])
        let evidence = PayCertifyWire.evidence(snapshot)
        #expect(evidence.text == #"{"actionCount":2,"actionIDs":["act_1","act_2"],"availableAmount":"100.02","cardID":"c"}"#)
        #expect(PayCertifyWire.snapshot(evidence) == snapshot)
    }

    @Test func minorUnits() {
        #expect(PayCertifyWire.minorUnits("0", exponent: 2) == 0)
        #expect(PayCertifyWire.minorUnits("1.1", exponent: 2) == 110)
        #expect(PayCertifyWire.minorUnits("99999999.99", exponent: 2) == 9_999_999_999)
        #expect(PayCertifyWire.minorUnits("1.000", exponent: 2) == 100)
        #expect(PayCertifyWire.minorUnits("1.001", exponent: 2) == nil)
        #expect(PayCertifyWire.minorUnits("1e2", exponent: 2) == nil)
        #expect(PayCertifyWire.minorUnits("-3", exponent: 2) == -300)
    }

    @Test func missingTokenIsNamed() {
        let account = ProviderAccount(name: "pc", kind: .paycertify)
        do {
            _ = try PayCertifyClient(account: account, credentials: [:], client: HTTPClient.shared)
            Issue.record("no error")
        } catch {
            #expect(error.key == "accounts.pc.credentials.token")
        }
    }
}

/// The classification table, row by row.
@Suite struct PayCertifyClassificationTests {
    static func exchange(for code: String) -> HTTPExchange {
        switch code {
        case "transport:not-sent": return .failed(sent: false, reason: "connection refused")
        case "transport:failed": return .failed(sent: true, reason: "deadline exceeded")
        case "malformed": return .response(status: 200, headers: [], body: Array("<html>".utf8))
        case "fatal":
            // Under a 5xx the shared step answers first (http:500); a `fatal` message under another status is in doubt too.
            return .response(
                status: 400, headers: [], body: Array(#"{"error":{"status":500,"message":{"fatal":["Internal server error"]}}}"#.utf8))
        default:
            let status = Int(code.dropFirst(5))!
            return .response(
                status: status, headers: status == 429 ? [("Retry-After", "2"), ("X-RateLimit-Remaining", "0")] : [],
                body: Array(#"{"error":{"status":\#(status),"message":{"base":["m"]}}}"#.utf8))
        }
    }

    @Test(arguments: PayCertifyClient.classification.ownRules)
    func row(_ rule: ClassificationRule) {
        let outcome = PayCertifyClient.classify(Self.exchange(for: rule.code))
        switch (rule.answerClass, outcome) {
        case (.final, .rejected(let code, _)): #expect(code == rule.code)
        case (.retry, .notApplied(let code, _, let retryAfter)):
            #expect(code == rule.code)
            if rule.code == "http:429" { #expect(retryAfter == .seconds(2)) }
        case (.inDoubt, .inDoubt(let code, _)), (.queryFirst, .inDoubt(let code, _)): #expect(code == rule.code)
        default: Issue.record("\(rule.code): \(rule.answerClass) but got \(outcome)")
        }
        #expect(!rule.reason.isEmpty)
    }

    @Test func everySimulatorStatusHasARow() {
        for code in ["http:401", "http:402", "http:404", "http:422", "http:429", "http:5xx", "fatal"] {
            #expect(PayCertifyClient.classification.rules.contains { $0.code == code }, "\(code)")
        }
    }
}

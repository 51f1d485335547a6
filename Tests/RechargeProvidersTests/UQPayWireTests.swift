import AsyncHTTPClient
import RechargeCore
import Testing

@testable import RechargeProviders

@Suite struct UQPayWireTests {
    @Test(arguments: [
        ("0.01", "USD"), ("0.29", "USD"), ("1.10", "USD"), ("100.02", "USD"), ("99999999.99", "USD"), ("1", "JPY"), ("1.234", "BHD"),
    ])
    func theAmountIsAJSONNumberWrittenExactly(text: String, code: String) throws {
        let amount = try Money.parse(text, currency: Currency(code: code)!)
        let expected = code == "USD" && text == "1.10" ? "1.10" : text
        #expect(String(decoding: UQPayClient.rechargeBody(amount), as: UTF8.self) == #"{"amount":\#(expected)}"#)
    }

    @Test func theKeyIsSentInUUIDv4Form() {
        let key = IdempotencyKey(batchUID: "7c9e6679-7425-40de-944b-e07fc1f90ae7", lineNumber: 1, generation: 0)
        #expect(key.uuidV4.count == 36)
        #expect(Array(key.uuidV4)[14] == "4")
    }

    static let request = RechargeRequest(
        account: ProviderAccount(name: "uqpay", kind: .uqpay), cardID: "c",
        amount: Money(minorUnits: 100, currency: Currency(code: "USD")!),
        reference: "r", key: IdempotencyKey(batchUID: "b", lineNumber: 1, generation: 0))

    /// Each row of the table produces its class when the answer carries that code.
    @Test(arguments: UQPayClient.classification.ownRules)
    func everyRowClassifiesAsWritten(_ rule: ClassificationRule) throws {
        let exchange: HTTPExchange
        if rule.code.hasPrefix("order:") {
            let status = String(rule.code.dropFirst("order:".count))
            exchange = .response(status: 200, headers: [], body: Array(#"{"card_order_id":"o-1","order_status":"\#(status)"}"#.utf8))
        } else if rule.code.hasPrefix("http:") {
            let status = rule.code == "http:5xx" ? 502 : Int(rule.code.dropFirst(5))!
            exchange = .response(status: status, headers: [], body: Array("<html>error</html>".utf8))
        } else {
            let status = rule.code == "api_error" ? 500 : (rule.code == "unauthorized_error" ? 401 : 400)
            exchange = .response(status: status, headers: [], body: Array(#"{"type":"\#(rule.code)","code":"x","message":"m"}"#.utf8))
        }
        let outcome = UQPayClient.classify(exchange, request: Self.request)
        switch (rule.answerClass, outcome) {
        case (.final, .rejected), (.retry, .notApplied), (.inDoubt, .inDoubt), (.queryFirst, .inDoubt): break
        // Taken, not finished: in doubt, with the order id its lookup follows.
        case (.inDoubt, .accepted) where rule.code.hasPrefix("order:"): break
        default: Issue.record("\(rule.code) should be \(rule.answerClass), got \(outcome)")
        }
    }

    @Test func aSuccessWithoutAnOrderIsInDoubt() throws {
        let outcome = UQPayClient.classify(.response(status: 200, headers: [], body: Array("<html>ok</html>".utf8)), request: Self.request)
        guard case .inDoubt = outcome else {
            Issue.record("\(outcome)")
            return
        }
    }
}

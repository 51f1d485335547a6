import RechargeCore
import Testing

@testable import RechargeProviders

@Suite struct ClassificationTableTests {
    let table = ClassificationTable(
        .vcc, [ClassificationRule("1001", .final, "sign error"), ClassificationRule("http:429", .throttled, "rate limited")])

    @Test func knownCodesTakeTheirClass() {
        #expect(self.table.outcome(code: "1001", message: "sign") == .rejected(code: "1001", message: "sign"))
        #expect(
            self.table.outcome(code: "http:429", message: "slow", retryAfter: .seconds(2))
                == .throttled(code: "http:429", message: "slow", retryAfter: .seconds(2)))
    }

    /// An answer nobody wrote down is never taken for a success or a failure.
    @Test func anUnknownCodeIsInDoubt() {
        #expect(self.table.rule(for: "9999").answerClass == .inDoubt)
        #expect(self.table.outcome(code: "9999", message: "?") == .inDoubt(code: "9999", message: "?"))
    }
}

/// A transport failure, a 429 and a 5xx mean the same for every provider, under the same code.
@Suite struct SharedAnswerTests {
    static let usd = Currency(code: "USD")!
    static let request = RechargeRequest(
        account: ProviderAccount(name: "u", kind: .uqpay), cardID: "f3703ef0-f9cb-429c-93fe-5cb435cc1d96",
        amount: Money(minorUnits: 100, currency: usd), reference: "r",
        key: IdempotencyKey(batchUID: "b", lineNumber: 1, generation: 0))

    static func classify(_ kind: ProviderKind, _ exchange: HTTPExchange) -> RechargeOutcome {
        switch kind {
        case .vcc: VCCClient.classify(exchange)
        case .hypercard: HyperCardClient.classify(exchange, currency: Self.usd, payCoin: "usdt")
        case .pagsmile: PagsmileClient.classify(exchange, merchantKey: PagsmileWireTests.merchantKey)
        case .uqpay: UQPayClient.classify(exchange, request: Self.request)
        case .paycertify: PayCertifyClient.classify(exchange)
        }
    }

    @Test(arguments: ProviderKind.allCases)
    func theSharedAnswersHaveOneCodeEverywhere(_ kind: ProviderKind) {
        let notSent = Self.classify(kind, .failed(sent: false, reason: "connection refused"))
        #expect(notSent == .notApplied(code: "transport:not-sent", message: "connection refused", retryAfter: nil))
        let lost = Self.classify(kind, .failed(sent: true, reason: "deadline exceeded"))
        #expect(lost == .inDoubt(code: "transport:failed", message: "deadline exceeded"))

        let throttled = Self.classify(kind, .response(status: 429, headers: [("Retry-After", "3")], body: Array("slow".utf8)))
        if case .throttled(let code, _, let retryAfter) = throttled {
            #expect(code == "http:429" && retryAfter == .seconds(3), "\(throttled)")
        } else {
            Issue.record("\(kind): a 429 is not applied, to be sent again after Retry-After: \(throttled)")
        }
        for status in [500, 502, 503, 504, 599] {
            let failed = Self.classify(kind, .response(status: status, headers: [], body: Array("<html>down</html>".utf8)))
            if case .inDoubt(let code, _) = failed {
                #expect(code == "http:\(status)", "\(kind) \(status): \(failed)")
            } else {
                Issue.record("\(kind): HTTP \(status) may have been applied, so it is in doubt: \(failed)")
            }
        }
    }

    @Test(arguments: ProviderKind.allCases)
    func everyTableCarriesTheSharedRows(_ kind: ProviderKind) {
        let table: ClassificationTable =
            switch kind {
            case .vcc: VCCClient.classification
            case .hypercard: HyperCardClient.classification
            case .pagsmile: PagsmileClient.classification
            case .uqpay: UQPayClient.classification
            case .paycertify: PayCertifyClient.classification
            }
        for shared in ClassificationTable.sharedRules {
            #expect(table.rule(for: shared.code) == shared, "\(kind) \(shared.code)")
        }
    }
}

/// `Retry-After` in each form RFC 9110 allows, and the lenient decimal one clients accept.
@Suite struct RetryAfterTests {
    static func answer(_ headers: [(String, String)]) -> HTTPExchange {
        .response(status: 429, headers: headers, body: [])
    }

    @Test func delaySecondsAndDecimalSeconds() {
        #expect(retryAfter(Self.answer([("Retry-After", "3")])) == .seconds(3))
        #expect(retryAfter(Self.answer([("retry-after", " 0 ")])) == .seconds(0))
        #expect(retryAfter(Self.answer([("Retry-After", "1.5")])) == .milliseconds(1_500))
        #expect(retryAfter(Self.answer([("Retry-After", ".25")])) == .milliseconds(250))
        #expect(retryAfter(Self.answer([("Retry-After", "2.0004")])) == .milliseconds(2_000))
    }

    /// A date is measured from the answer's own `Date`, not this machine's clock.
    @Test func anHTTPDateIsTakenRelativeToTheAnswersDate() {
        let headers = [("Date", "Sun, 06 Dec 2026 21:00:00 GMT"), ("Retry-After", "Sun, 06 Dec 2026 21:00:07 GMT")]
        #expect(retryAfter(Self.answer(headers)) == .seconds(7))
        let past = [("Date", "Sun, 06 Dec 2026 21:00:00 GMT"), ("Retry-After", "Sun, 06 Dec 2026 20:59:00 GMT")]
        #expect(retryAfter(Self.answer(past)) == .seconds(0))
        #expect(retryAfter(Self.answer([("Retry-After", "Sun, 06 Dec 2026 21:00:07 GMT")])) == nil, "no Date to measure from")
    }

    /// The two obsolete date forms RFC 9110 still asks recipients to accept.
    @Test func theObsoleteDateFormsAreReadToo() {
        let rfc850 = [("Date", "Sunday, 06-Dec-26 21:00:00 GMT"), ("Retry-After", "Sunday, 06-Dec-26 21:00:09 GMT")]
        #expect(retryAfter(Self.answer(rfc850)) == .seconds(9))
        let asctime = [("Date", "Sun Dec  6 21:00:00 2026"), ("Retry-After", "Sun Dec  6 21:00:04 2026")]
        #expect(retryAfter(Self.answer(asctime)) == .seconds(4))
    }

    /// However long a provider asks for, the account waits at most an hour before asking again.
    @Test func aWaitIsAtMostAnHour() {
        #expect(retryAfter(Self.answer([("Retry-After", "99999999999999999999999")])) == .seconds(3_600))
        #expect(retryAfter(Self.answer([("Retry-After", "7200")])) == .seconds(3_600))
        let far = [("Date", "Sun, 06 Dec 2026 21:00:00 GMT"), ("Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT")]
        #expect(retryAfter(Self.answer(far)) == .seconds(3_600))
    }

    @Test(arguments: ["", "-1", "soon", "1.", ".", "1.2.3", "1e3", "1.5\u{301}", "\u{FF11}", "+3", "3 s"])
    func anythingElseIsNoDelay(_ text: String) {
        #expect(retryAfter(Self.answer([("Date", "Sun, 06 Dec 2026 21:00:00 GMT"), ("Retry-After", text)])) == nil)
    }
}

import RechargeCore
import Testing

@testable import RechargeProviders

@Suite struct ClassificationTableTests {
    let table = ClassificationTable(
        .vcc, [ClassificationRule("1001", .final, "sign error"), ClassificationRule("http:429", .retry, "rate limited")])

    @Test func knownCodesTakeTheirClass() {
        #expect(self.table.outcome(code: "1001", message: "sign") == .rejected(code: "1001", message: "sign"))
        #expect(
            self.table.outcome(code: "http:429", message: "slow", retryAfter: .seconds(2))
                == .notApplied(code: "http:429", message: "slow", retryAfter: .seconds(2)))
    }

    /// An answer nobody wrote down is never taken for a success or a failure.
    @Test func anUnknownCodeIsInDoubt() {
        #expect(self.table.rule(for: "9999").answerClass == .inDoubt)
        #expect(self.table.outcome(code: "9999", message: "?") == .inDoubt(code: "9999", message: "?"))
    }
}

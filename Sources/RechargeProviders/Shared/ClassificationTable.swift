import Foundation
import RechargeCore

/// What a provider's answer code means for the line.
public enum AnswerClass: String, Sendable, Hashable, CaseIterable {
    /// The provider refused for good: the line is FAILED.
    case final
    /// Provably nothing was done: send again later under the same key.
    case retry
    /// The request may have been acted on: resolve by the status query, never re-send blindly.
    case inDoubt
    /// The provider says it already has this key: ask the status query what became of it.
    case queryFirst

    /// The outcome of an answer of this class; `code` is reported as it came (it may be more specific than the
    /// table's row, such as `card_error/card_not_found`).
    public func outcome(code: String, message: String, retryAfter: Duration? = nil) -> RechargeOutcome {
        switch self {
        case .final: .rejected(code: code, message: message)
        case .retry: .notApplied(code: code, message: message, retryAfter: retryAfter)
        case .inDoubt, .queryFirst: .inDoubt(code: code, message: message)
        }
    }
}

/// One row of a provider's classification table: an answer code (or `http:NNN`), its class and why.
public struct ClassificationRule: Sendable, Hashable {
    public let code: String
    public let answerClass: AnswerClass
    public let reason: String

    public init(_ code: String, _ answerClass: AnswerClass, _ reason: String) {
        self.code = code
        self.answerClass = answerClass
        self.reason = reason
    }
}

/// A provider's answer codes and HTTP statuses with their classes, as data: written down in one place per
/// provider, tested row by row, and printed in docs/providers.md.
public struct ClassificationTable: Sendable {
    public let provider: ProviderKind
    public let rules: [ClassificationRule]

    public init(_ provider: ProviderKind, _ rules: [ClassificationRule]) {
        self.provider = provider
        self.rules = rules
    }

    /// The rule for a code; an unknown code is in doubt — never a success, never a failure without the
    /// provider's word.
    public func rule(for code: String) -> ClassificationRule {
        self.rules.first { $0.code == code }
            ?? ClassificationRule(code, .inDoubt, "not in the table: treated as in doubt and resolved by the status query")
    }

    /// The outcome for an answer carrying `code` and `message`.
    public func outcome(code: String, message: String, retryAfter: Duration? = nil) -> RechargeOutcome {
        self.rule(for: code).answerClass.outcome(code: code, message: message, retryAfter: retryAfter)
    }
}

/// Reads `Retry-After` in seconds (the form these providers use); `nil` when absent or not a number.
func retryAfter(_ exchange: HTTPExchange) -> Duration? {
    guard let text = exchange.header("retry-after"), let seconds = Int(text.trimmingCharacters(in: .whitespaces)), seconds >= 0 else {
        return nil
    }
    return .seconds(seconds)
}

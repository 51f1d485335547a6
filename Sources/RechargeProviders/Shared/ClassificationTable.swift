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
    /// Rate limited: nothing was done; the account pauses (for `Retry-After` when given) and the line is sent
    /// again under the same key.
    case throttled

    /// The outcome of an answer of this class; `code` is reported as it came (it may be more specific than the
    /// table's row, such as `card_error/card_not_found`).
    public func outcome(code: String, message: String, retryAfter: Duration? = nil) -> RechargeOutcome {
        switch self {
        case .final: .rejected(code: code, message: message)
        case .retry: .notApplied(code: code, message: message, retryAfter: retryAfter)
        case .throttled: .throttled(code: code, message: message, retryAfter: retryAfter)
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

    /// The provider's own rows, followed by the rows every provider shares (`sharedRules`).
    public init(_ provider: ProviderKind, _ rules: [ClassificationRule]) {
        self.provider = provider
        let own = Set(rules.map(\.code))
        self.rules = rules + Self.sharedRules.filter { !own.contains($0.code) }
    }

    /// The provider's own rows, without the shared ones.
    public var ownRules: [ClassificationRule] {
        let shared = Set(Self.sharedRules.map(\.code))
        return self.rules.filter { !shared.contains($0.code) }
    }

    /// What every provider's answer to a send has in common, with one code and one class everywhere: a request
    /// provably never sent, a request sent and not answered, HTTP 429, and HTTP 5xx (reported as `http:503` and so
    /// on, classified by the `http:5xx` row).
    public static let sharedRules: [ClassificationRule] = [
        ClassificationRule("transport:not-sent", .retry, "no connection was ever made: provably not sent, send again"),
        ClassificationRule(
            "transport:failed", .inDoubt,
            "time-out or connection lost after sending: may have been applied; resolved by the provider's read-only lookup"),
        ClassificationRule("http:429", .throttled, "rate limited: nothing was applied; send again under the same key after Retry-After"),
        ClassificationRule(
            "http:5xx", .inDoubt,
            "a server error after the request was sent: may have been applied; resolved by the provider's read-only lookup"),
    ]

    /// The shared step every adapter takes first with the answer to a send: a transport failure, a 429 or a 5xx
    /// classified by the shared rows; `nil` when the answer is the provider's own to read.
    ///
    /// - Parameters:
    ///   - message: the provider's message in the body, when it has one (429 and 5xx bodies often do).
    ///   - wait: how long a 429 asks to wait; `Retry-After` unless the provider says it otherwise.
    func sharedOutcome(
        _ exchange: HTTPExchange, message: (_ body: [UInt8]) -> String? = { _ in nil },
        wait: (HTTPExchange) -> Duration? = retryAfter
    ) -> RechargeOutcome? {
        switch exchange {
        case .failed(let sent, let reason):
            return self.outcome(code: sent ? "transport:failed" : "transport:not-sent", message: reason)
        case .response(let status, _, let body) where status == 429:
            return self.outcome(code: "http:429", message: message(body) ?? "HTTP 429: too many requests", retryAfter: wait(exchange))
        case .response(let status, _, let body) where (500...599).contains(status):
            let detail = message(body).map { "HTTP \(status): \($0)" } ?? "HTTP \(status)"
            return self.rule(for: "http:5xx").answerClass.outcome(code: "http:\(status)", message: detail)
        case .response:
            return nil
        }
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

/// Reads `Retry-After` (RFC 9110 §10.2.3): delay-seconds, the form these providers use, or an HTTP-date, taken
/// relative to the answer's own `Date` header so that neither clock's error enters the delay (no `Date`: `nil`, and
/// the engine's default pause applies). Decimal seconds (`1.5`), which clients such as the UQPay SDK accept, are read to
/// the millisecond. `nil` when absent or unreadable; a date in the past is no wait; a wait is at most an hour (a
/// provider still refusing then answers 429 again, and the account waits again).
func retryAfter(_ exchange: HTTPExchange) -> Duration? {
    guard let text = exchange.header("retry-after")?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
    let wait: Duration
    if let milliseconds = decimalMilliseconds(text) {
        wait = .milliseconds(milliseconds)
    } else if let until = HTTPDate.parse(text), let sent = exchange.header("date").flatMap(HTTPDate.parse) {
        wait = .seconds(max(0, min(Int64(until.timeIntervalSince(sent).rounded(.up)), 86_400)))
    } else {
        return nil
    }
    return min(wait, maximumRetryAfter)
}

/// The longest wait a `Retry-After` can ask for.
let maximumRetryAfter: Duration = .seconds(3_600)

/// `"3"` as 3,000 ms, `"1.5"` as 1,500 ms (digits beyond the millisecond dropped); `nil` unless ASCII digits with at
/// most one dot between or before them.
private func decimalMilliseconds(_ text: String) -> Int64? {
    var whole: Int64 = 0
    var fraction: Int64 = 0
    var fractionDigits = 0
    var digits = 0
    var seenDot = false
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "."):
            guard !seenDot else { return nil }
            seenDot = true
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            digits += 1
            let digit = Int64(byte - UInt8(ascii: "0"))
            if seenDot {
                if fractionDigits < 3 {
                    fraction = fraction * 10 + digit
                    fractionDigits += 1
                }
            } else {
                // More than a day is capped anyway; stop before overflowing.
                whole = min(whole * 10 + digit, 86_400)
            }
        default: return nil
        }
    }
    // "1." and "." are not numbers; ".5" is read as half a second.
    guard digits > 0, !(seenDot && text.utf8.last == UInt8(ascii: ".")) else { return nil }
    while fractionDigits < 3 {
        fraction *= 10
        fractionDigits += 1
    }
    return whole * 1_000 + fraction
}

/// HTTP dates (RFC 9110 §5.6.7): IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the one a server must send, and the
/// two obsolete forms a recipient must still accept, RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime
/// (`Sun Nov  6 08:49:37 1994`).
enum HTTPDate {
    static func parse(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        // Two-digit years of RFC 850 are taken within the 50 years around now, as RFC 9110 asks.
        formatter.twoDigitStartDate = Date(timeIntervalSinceNow: -50 * 365 * 86_400)
        // asctime pads a one-digit day with a space.
        let text = text.replacingOccurrences(of: "  ", with: " ")
        for format in ["EEE, dd MMM yyyy HH:mm:ss 'GMT'", "EEEE, dd-MMM-yy HH:mm:ss 'GMT'", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}

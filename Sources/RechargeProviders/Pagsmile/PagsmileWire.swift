import Foundation
import RechargeCore

/// Pagsmile's envelope and answer shapes.
enum PagsmileWire {
    /// `yyyy-MM-dd HH:mm:ss` in UTC.
    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { let v = value ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        return "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute)):\(two(c.second))"
    }

    /// An answer: `{code, msg, sub_code?, sub_msg?}`, plus `random_key` and encrypted `data` on success.
    struct Answer {
        var code: String
        var message: String
        var subCode: String?
        var subMessage: String?
        var randomKey: String?
        var data: String?

        /// `msg: sub_msg`, or `msg` alone.
        var fullMessage: String {
            guard let subMessage, !subMessage.isEmpty else { return self.message }
            return "\(self.message): \(subMessage)"
        }
    }

    static func answer(_ body: [UInt8]) -> Answer? {
        guard let object = ExactJSON.parse(body), object.object != nil, let code = object["code"]?.text else { return nil }
        return Answer(
            code: code, message: object["msg"]?.string ?? "", subCode: object["sub_code"]?.string,
            subMessage: object["sub_msg"]?.string, randomKey: object["random_key"]?.string, data: object["data"]?.string)
    }

    /// A field as text, whether sent as a string or a number.
    static func text(_ value: ExactJSON?) -> String? {
        value?.text
    }

    /// The magnitude of an exact amount (`bill_amount` is signed: the partner-account side is negative);
    /// zero and trailing zeros beyond the currency's decimals are accepted. `nil` for anything else.
    static func money(_ text: String?, currency: Currency) -> Money? {
        guard var text = text?.trimmingCharacters(in: .whitespaces) else { return nil }
        if text.hasPrefix("-") || text.hasPrefix("+") { text.removeFirst() }
        guard let minor = Money.exactMinorUnits(text, exponent: currency.exponent) else { return nil }
        return Money(minorUnits: minor, currency: currency)
    }
}

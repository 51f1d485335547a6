import Foundation
import RechargeCore

/// HyperCard's request and response shapes.
enum HyperCardWire {
    /// The answer envelope `{code, msg, data}`; `nil` when the body is not a JSON object with a string `code`.
    struct Answer {
        var code: String
        var message: String
        /// `data` as an object; empty when absent, `null` or `{}`.
        var data: [String: ExactJSON]
    }

    static func answer(_ body: [UInt8]) -> Answer? {
        guard let object = ExactJSON.parse(body), let code = object["code"]?.string else { return nil }
        return Answer(code: code, message: object["msg"]?.string ?? "", data: object["data"]?.object ?? [:])
    }

    /// A field as text, whether the provider sent it as a string or a number.
    static func text(_ value: ExactJSON?) -> String? {
        value?.text
    }

    /// The receipt of an order object (recharge answer or query `data`) [DOC 2.1.4 Recharge]: `currency_amount`
    /// is the fiat that reached the card, in `card_coin`; `recharge_fee_amount` is the fee **in the pay coin**
    /// (`pay_coin`, else the one the request named), exact, however small.
    static func receipt(_ data: [String: ExactJSON], currency: Currency, payCoin: String?) -> ProviderReceipt {
        func nonEmpty(_ key: String) -> String? { Self.text(data[key]).flatMap { $0.isEmpty ? nil : $0 } }
        let cardCurrency = nonEmpty("card_coin").flatMap { Currency(code: $0.uppercased()) } ?? currency
        let coin = nonEmpty("pay_coin") ?? payCoin
        return ProviderReceipt(
            providerReference: nonEmpty("order_no"), credited: Self.money(nonEmpty("currency_amount"), currency: cardCurrency),
            fee: coin.flatMap { coin in nonEmpty("recharge_fee_amount").flatMap { ChargedAmount.parse($0, unit: coin) } },
            exchangeRate: nonEmpty("currency_exchange_usd_rate"))
    }

    /// An exact non-negative amount; zero (which ``Money/parse(_:currency:)`` refuses) and trailing zeros beyond
    /// the currency's decimals are accepted. `nil` for anything else.
    static func money(_ text: String?, currency: Currency) -> Money? {
        guard let text, let minor = Money.exactMinorUnits(text, exponent: currency.exponent) else { return nil }
        return Money(minorUnits: minor, currency: currency)
    }
}

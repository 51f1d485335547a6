import Foundation

/// An amount a provider reports in the unit it charged it in: an ISO 4217 currency (with its exponent) or a
/// payment coin such as HyperCard's `usdt` (kept upper-case, with ``coinExponent`` decimals). Exact integer minor
/// units, like ``Money``, but not limited to the currencies a line may be written in, and zero is allowed.
public struct ChargedAmount: Hashable, Sendable, CustomStringConvertible {
    public let minorUnits: Int64
    /// `USD`, `JPY`, or a coin such as `USDT`.
    public let unit: String

    /// Decimals kept for a unit that is not an ISO 4217 currency (a payment coin): 8, enough for USDT's 6 and
    /// BTC's 8, so small fees are never rounded away.
    public static let coinExponent = 8

    public init(minorUnits: Int64, unit: String) {
        self.minorUnits = minorUnits
        self.unit = unit
    }

    public init(_ money: Money) {
        self.init(minorUnits: money.minorUnits, unit: money.currency.code)
    }

    /// The number of decimals of `unit`'s minor unit.
    public static func exponent(of unit: String) -> Int {
        Currency(code: unit)?.exponent ?? Self.coinExponent
    }

    /// A non-negative exact decimal (`0`, `0.88`, `400`, `1.230`) in `unit` (upper-cased); trailing zeros past the
    /// unit's decimals are accepted. `nil` for anything else, or more significant decimals than the unit has.
    public static func parse(_ text: String, unit: String) -> ChargedAmount? {
        let unit = unit.uppercased()
        guard !unit.isEmpty, let minor = Money.exactMinorUnits(text, exponent: Self.exponent(of: unit)) else { return nil }
        return ChargedAmount(minorUnits: minor, unit: unit)
    }

    /// Exact text: a currency with its decimals (`400.00`); a coin with as many as it needs, at least two (`0.88`).
    public static func render(minorUnits: Int64, unit: String) -> String {
        let exponent = Self.exponent(of: unit)
        var text = Money.render(minorUnits: minorUnits, exponent: exponent)
        if Currency(code: unit) == nil, exponent > 2 {
            var trailing = 0
            while trailing < exponent - 2, text.hasSuffix("0") {
                text.removeLast()
                trailing += 1
            }
        }
        return text
    }

    public var decimalString: String { Self.render(minorUnits: self.minorUnits, unit: self.unit) }

    public var description: String { "\(self.decimalString) \(self.unit)" }
}

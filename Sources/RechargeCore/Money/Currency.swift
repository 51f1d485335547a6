/// An ISO 4217 currency: its three-letter code and the number of decimal places of its minor unit.
public struct Currency: Hashable, Sendable, CustomStringConvertible {
    /// The upper-case alphabetic code, such as `USD`.
    public let code: String
    /// The minor-unit exponent: 2 for USD (cents), 0 for JPY, 3 for BHD, 4 for CLF.
    public let exponent: Int

    /// The currency for an ISO 4217 code, or `nil` when the code is not an active currency with a minor unit.
    ///
    /// Codes are matched exactly: `usd` is not `USD`, so that a file's typo is reported rather than guessed.
    public init?(code: String) {
        guard let exponent = ISO4217.exponents[code] else { return nil }
        self.code = code
        self.exponent = exponent
    }

    /// Every known currency, sorted by code.
    public static var all: [Currency] {
        ISO4217.exponents.keys.sorted().compactMap { Currency(code: $0) }
    }

    /// 10 to the power of the exponent: the number of minor units in one major unit.
    public var minorUnitsPerMajor: Int64 {
        var result: Int64 = 1
        for _ in 0..<self.exponent { result *= 10 }
        return result
    }

    public var description: String { self.code }
}

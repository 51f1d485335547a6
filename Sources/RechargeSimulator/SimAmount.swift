/// The simulator's own exact amounts: integer minor units and decimal text, independent of the processor's
/// money code so that a mistake in one is caught by the other.
enum SimAmount {
    /// Minor-unit exponents of the currencies the simulator's cards use; anything else has 2.
    static func exponent(_ currency: String) -> Int {
        switch currency.uppercased() {
        case "JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF", "PYG", "BIF", "DJF", "GNF", "KMF", "RWF", "VUV", "XPF", "UYI": 0
        case "BHD", "KWD", "OMR", "JOD", "IQD", "LYD", "TND": 3
        case "CLF", "UYW": 4
        default: 2
        }
    }

    /// Parses `digits[.digits]` with at most `exponent` decimals into minor units; `nil` for anything else.
    static func parse(_ text: String, exponent: Int) -> Int64? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit) else { return nil }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard parts.count == 1 || !fraction.isEmpty, fraction.count <= exponent, fraction.allSatisfy(\.isASCIIDigit) else {
            return nil
        }
        let digits = whole + fraction + String(repeating: "0", count: exponent - fraction.count)
        guard digits.count <= 18 else { return nil }
        return Int64(digits)
    }

    /// Renders minor units with exactly `exponent` decimals.
    static func render(_ minor: Int64, exponent: Int) -> String {
        var digits = String(minor.magnitude)
        if exponent > 0 {
            if digits.count <= exponent { digits = String(repeating: "0", count: exponent - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -exponent))
        }
        return (minor < 0 ? "-" : "") + digits
    }
}

extension Character {
    var isASCIIDigit: Bool { self >= "0" && self <= "9" }
}

/// An exact amount of money: an integer count of minor units of a currency.
///
/// There is no floating point anywhere in this type. Text is parsed digit by digit into minor units
/// and rendered back digit by digit, so `100.02` stays `100.02` all the way to the wire.
public struct Money: Hashable, Sendable, CustomStringConvertible {
    /// The amount in minor units (cents for USD, yen for JPY, fils for BHD).
    public let minorUnits: Int64
    public let currency: Currency

    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Parses a positive decimal amount such as `120.50` in the given currency.
    ///
    /// Accepted: digits, optionally followed by `.` and at most `currency.exponent` digits.
    /// Refused, each with its own reason: empty text, signs, zero, exponents (`1e3`), thousands
    /// separators (`1,000.00`), decimal commas (`12,50`), `NaN`/`Infinity`, more decimals than the
    /// currency has, and amounts too large to count in 64-bit minor units.
    public static func parse(_ text: String, currency: Currency) throws(AmountError) -> Money {
        Money(minorUnits: try parseMinorUnits(text, exponent: currency.exponent), currency: currency)
    }

    /// The exact decimal text of the amount, with exactly `currency.exponent` decimals: `0.01`, `1`, `1.234`.
    public var decimalString: String {
        Self.render(minorUnits: self.minorUnits, exponent: self.currency.exponent)
    }

    public var description: String { "\(self.decimalString) \(self.currency.code)" }

    /// Renders minor units as an exact decimal string with `exponent` decimals.
    public static func render(minorUnits: Int64, exponent: Int) -> String {
        let negative = minorUnits < 0
        // The magnitude as decimal digits; Int64.min has no positive counterpart, so go through UInt64.
        var digits = String(minorUnits.magnitude)
        if exponent > 0 {
            if digits.count <= exponent {
                digits = String(repeating: "0", count: exponent - digits.count + 1) + digits
            }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -exponent))
        }
        return negative ? "-" + digits : digits
    }

    static func parseMinorUnits(_ text: String, exponent: Int) throws(AmountError) -> Int64 {
        let bytes = text.utf8
        guard !bytes.isEmpty else { throw .empty }
        // The common case, `digits[.digits]`, is parsed in one pass; anything else is diagnosed below.
        var units: Int64 = 0
        var decimals = 0
        var digitsBeforePoint = 0
        var seenPoint = false
        var wellFormed = true
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                if seenPoint || digitsBeforePoint == 0 {
                    wellFormed = false
                    break
                }
                seenPoint = true
                continue
            }
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else {
                wellFormed = false
                break
            }
            if seenPoint { decimals += 1 } else { digitsBeforePoint += 1 }
            guard decimals <= exponent else {
                throw .tooManyDecimals(allowed: exponent, found: Self.decimalCount(Array(bytes)))
            }
            let (times10, overflow1) = units.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int64(byte &- UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { throw .tooLarge }
            units = sum
        }
        if !wellFormed || (seenPoint && bytes.last == UInt8(ascii: ".")) {
            throw Self.malformedReason(Array(bytes)) ?? .notANumber
        }
        // Scale the parsed digits up to minor units: "12.5" USD is 1250 cents.
        for _ in decimals..<exponent {
            let (scaled, overflow) = units.multipliedReportingOverflow(by: 10)
            guard !overflow else { throw .tooLarge }
            units = scaled
        }
        guard units > 0 else { throw .notPositive }
        return units
    }

    private static func decimalCount(_ bytes: [UInt8]) -> Int {
        guard let point = bytes.firstIndex(of: UInt8(ascii: ".")) else { return 0 }
        return bytes.count - point - 1
    }

    /// The reason a text is not a plain decimal number, or `nil` when it has the form `digits[.digits]`.
    private static func malformedReason(_ bytes: [UInt8]) -> AmountError? {
        let text = String(decoding: bytes, as: UTF8.self)
        let lowered = text.lowercased()
        if ["nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"].contains(lowered) {
            return .notFinite
        }
        if bytes.first == UInt8(ascii: "-") { return .negative }
        if bytes.first == UInt8(ascii: "+") { return .signed }
        if bytes.contains(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }),
            bytes.allSatisfy({
                Self.isDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "+")
                    || $0 == UInt8(ascii: "-")
            })
        {
            return .exponent
        }
        let commas = bytes.filter { $0 == UInt8(ascii: ",") }.count
        let points = bytes.filter { $0 == UInt8(ascii: ".") }.count
        if commas > 0 {
            let onlyDigitsAndSeparators = bytes.allSatisfy {
                Self.isDigit($0) || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ".")
            }
            guard onlyDigitsAndSeparators else { return .notANumber }
            // "12,50" reads as a decimal comma; "1,000" or "1,000.00" as a thousands separator.
            if points == 0 && commas == 1, let comma = bytes.firstIndex(of: UInt8(ascii: ",")),
                bytes.count - comma - 1 != 3
            {
                return .decimalComma
            }
            return .thousandsSeparator
        }
        if bytes.contains(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "'") }),
            bytes.contains(where: Self.isDigit)
        {
            return .thousandsSeparator
        }
        guard bytes.allSatisfy({ Self.isDigit($0) || $0 == UInt8(ascii: ".") }) else { return .notANumber }
        guard points <= 1 else { return .notANumber }
        if points == 1 {
            guard let point = bytes.firstIndex(of: UInt8(ascii: ".")) else { return .notANumber }
            if point == 0 || point == bytes.count - 1 { return .missingDigits }
        }
        return nil
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}

/// Why a text is not an acceptable amount.
public enum AmountError: Error, Hashable, Sendable, CustomStringConvertible {
    case empty
    case negative
    case signed
    case notPositive
    case notANumber
    case notFinite
    case exponent
    case thousandsSeparator
    case decimalComma
    case missingDigits
    case tooManyDecimals(allowed: Int, found: Int)
    case tooLarge
    case aboveMaximum(maximum: String)

    public var description: String {
        switch self {
        case .empty: "the amount is empty"
        case .negative: "the amount is negative; a top-up must be positive"
        case .signed: "the amount has a sign; write it without '+'"
        case .notPositive: "the amount is zero; a top-up must be positive"
        case .notANumber: "the amount is not a decimal number"
        case .notFinite: "the amount is not a finite number"
        case .exponent: "the amount uses exponent notation; write it out in full digits"
        case .thousandsSeparator: "the amount has a thousands separator; write digits only, with '.' for decimals"
        case .decimalComma: "the amount uses a decimal comma; use '.' as the decimal separator"
        case .missingDigits: "the amount needs digits on both sides of the '.'"
        case .tooManyDecimals(let allowed, let found):
            allowed == 0
                ? "the currency has no decimal places, the amount has \(found)"
                : "the currency has \(allowed) decimal places, the amount has \(found)"
        case .tooLarge: "the amount is too large"
        case .aboveMaximum(let maximum): "the amount is above the per-line maximum of \(maximum)"
        }
    }
}

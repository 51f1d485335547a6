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

    /// The exact decimal text of `minorUnits` of the currency `code`; the bare integer for a code that is not ISO 4217
    /// (a stored row is shown as it is rather than hidden).
    public static func decimalString(minorUnits: Int64, currencyCode code: String) -> String {
        guard let currency = Currency(code: code) else { return String(minorUnits) }
        return Money(minorUnits: minorUnits, currency: currency).decimalString
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

    /// Exact minor units of an amount as a provider writes it (`0`, `12.5`, `100.020`, and with `signed`, `-3`):
    /// surrounding spaces are ignored, zero is accepted, decimals beyond `exponent` only when they are zeros.
    /// `nil` for anything else (exponents, separators, too many significant decimals, overflow). The one reader
    /// of provider amounts: an answer's amount is compared with the line's to the minor unit.
    public static func exactMinorUnits(_ text: some StringProtocol, exponent: Int, signed: Bool = false) -> Int64? {
        var body = Substring(text)
        while body.first == " " || body.first == "\t" { body.removeFirst() }
        while body.last == " " || body.last == "\t" { body.removeLast() }
        var negative = false
        if signed, body.first == "-" {
            negative = true
            body = body.dropFirst()
        }
        guard body.utf8.count(where: { $0 == UInt8(ascii: ".") }) <= 1 else { return nil }
        if let point = body.firstIndex(of: ".") {
            // `1.` is not a number a provider writes; refuse it rather than guess.
            guard body.index(after: point) < body.endIndex else { return nil }
            // Trailing zeros past the currency's decimals carry no value: `400.000` USD is 400.00.
            var decimals = body.distance(from: point, to: body.endIndex) - 1
            while decimals > exponent, body.last == "0" {
                body.removeLast()
                decimals -= 1
            }
            if body.last == "." { body.removeLast() }
        }
        guard !body.isEmpty, body.first != "." else { return nil }
        if body.utf8.allSatisfy({ $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: ".") }) { return 0 }
        guard let units = try? Self.parseMinorUnits(String(body), exponent: exponent) else { return nil }
        return negative ? -units : units
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
                // `1.234,56` has three "decimals" before its comma: say what is wrong with the form first.
                throw Self.malformedReason(Array(bytes)) ?? .tooManyDecimals(allowed: exponent, found: Self.decimalCount(Array(bytes)))
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
        // What a spreadsheet's currency format adds: `$12.50`, `12,50 €`, `12.50 USD`.
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .currencySymbol }) {
            return .currencySymbol
        }
        if Self.hasCurrencyCode(bytes) { return .currencyCode }
        // Digits and the separators some locale writes numbers with: `.`, `,`, space, `_`, `'`, no-break spaces.
        let scalars = text.unicodeScalars
        let isSeparator: (Unicode.Scalar) -> Bool = { ".,_' \u{00A0}\u{202F}".unicodeScalars.contains($0) }
        guard scalars.contains(where: { ("0"..."9").contains($0) }),
            scalars.allSatisfy({ ("0"..."9").contains($0) || isSeparator($0) })
        else { return .notANumber }
        let commas = bytes.filter { $0 == UInt8(ascii: ",") }.count
        let points = bytes.filter { $0 == UInt8(ascii: ".") }.count
        let grouping = scalars.contains { !("0"..."9").contains($0) && $0 != "." && $0 != "," }
        if commas == 1, let comma = bytes.lastIndex(of: UInt8(ascii: ",")) {
            // "12,50" and "1.234,56" (or "1 234,56") read as a decimal comma; "1,000" and "1,000.00" as a thousands
            // separator.
            if let lastPoint = bytes.lastIndex(of: UInt8(ascii: ".")) {
                if lastPoint < comma { return .decimalCommaAndThousandsSeparator }
            } else if bytes.count - comma - 1 != 3 {
                return grouping ? .decimalCommaAndThousandsSeparator : .decimalComma
            }
        }
        if commas > 0 || grouping { return .thousandsSeparator }
        if points > 1 {
            // "1.000.000" groups thousands with points; "1.2.3" is no number at all.
            let groups = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            return groups.dropFirst().allSatisfy { $0.count == 3 } ? .thousandsSeparator : .notANumber
        }
        guard let point = bytes.firstIndex(of: UInt8(ascii: ".")) else { return nil }
        return point == 0 || point == bytes.count - 1 ? .missingDigits : nil
    }

    /// Whether the text is a number with a three-letter code before or after it: `12.50 USD`, `EUR12,50`.
    private static func hasCurrencyCode(_ bytes: [UInt8]) -> Bool {
        func isLetter(_ byte: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) }
        let leading = bytes.prefix(while: isLetter).count
        let trailing = bytes.reversed().prefix(while: isLetter).count
        guard (leading == 3 && trailing == 0) || (leading == 0 && trailing == 3) else { return false }
        let rest = bytes.dropFirst(leading).dropLast(trailing)
        return rest.contains(where: Self.isDigit)
            && rest.allSatisfy { Self.isDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: " ") }
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
    /// `1.234,56`: a decimal comma with `.` (or a space) between thousands.
    case decimalCommaAndThousandsSeparator
    /// `$12.50`, `12,50 €`.
    case currencySymbol
    /// `12.50 USD`.
    case currencyCode
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
        case .decimalCommaAndThousandsSeparator:
            "the amount uses a decimal comma; use '.' as the decimal separator and no thousands separator"
        case .currencySymbol: "the amount has a currency symbol; remove the currency symbol, the currency belongs in the currency column"
        case .currencyCode: "the amount has a currency code; remove the currency code, it belongs in the currency column"
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

import Testing

@testable import RechargeCore

@Suite struct MoneyTests {
    /// (text, currency, minor units, the text rendered back with the currency's decimals)
    @Test(
        arguments: [
            ("0.01", "USD", 1, "0.01"),
            ("0.29", "USD", 29, "0.29"),
            ("1.10", "USD", 110, "1.10"),
            ("1.1", "USD", 110, "1.10"),
            ("100.02", "USD", 10_002, "100.02"),
            ("100", "USD", 10_000, "100.00"),
            ("99999999.99", "USD", 9_999_999_999, "99999999.99"),
            ("0.07", "EUR", 7, "0.07"),
            ("1234.56", "EUR", 123_456, "1234.56"),
            ("1", "JPY", 1, "1"),
            ("5000", "JPY", 5_000, "5000"),
            ("1500000", "KRW", 1_500_000, "1500000"),
            ("1.234", "BHD", 1_234, "1.234"),
            ("0.001", "BHD", 1, "0.001"),
            ("12.5", "KWD", 12_500, "12.500"),
            ("1.2345", "CLF", 12_345, "1.2345"),
            ("0.0001", "CLF", 1, "0.0001"),
            ("92233720368547758.07", "USD", Int64.max, "92233720368547758.07"),
        ] as [(String, String, Int64, String)])
    func parsesToMinorUnitsAndRendersBack(text: String, code: String, minorUnits: Int64, rendered: String) throws {
        let currency = try #require(Currency(code: code))
        let money = try Money.parse(text, currency: currency)
        #expect(money.minorUnits == minorUnits)
        #expect(money.currency == currency)
        #expect(money.decimalString == rendered)
        #expect(money.description == "\(rendered) \(code)")
        // What is rendered parses back to the same amount.
        #expect(try Money.parse(money.decimalString, currency: currency) == money)
    }

    @Test(
        arguments: [
            ("", "USD", AmountError.empty),
            ("0", "USD", .notPositive),
            ("0.00", "USD", .notPositive),
            ("0", "JPY", .notPositive),
            ("-5", "USD", .negative),
            ("-0.01", "USD", .negative),
            ("+5", "USD", .signed),
            ("10.001", "USD", .tooManyDecimals(allowed: 2, found: 3)),
            ("10.000", "USD", .tooManyDecimals(allowed: 2, found: 3)),
            ("1.5", "JPY", .tooManyDecimals(allowed: 0, found: 1)),
            ("1.2345", "BHD", .tooManyDecimals(allowed: 3, found: 4)),
            ("1.23456", "CLF", .tooManyDecimals(allowed: 4, found: 5)),
            ("1e3", "USD", .exponent),
            ("1E+2", "USD", .exponent),
            ("2.5e-1", "USD", .exponent),
            ("1,000.00", "USD", .thousandsSeparator),
            ("1,000", "USD", .thousandsSeparator),
            ("1 000", "USD", .thousandsSeparator),
            ("1'000", "USD", .thousandsSeparator),
            ("12,50", "EUR", .decimalComma),
            ("NaN", "USD", .notFinite),
            ("nan", "USD", .notFinite),
            ("Infinity", "USD", .notFinite),
            ("-Infinity", "USD", .notFinite),
            ("inf", "USD", .notFinite),
            (".5", "USD", .missingDigits),
            ("5.", "USD", .missingDigits),
            ("1.2.3", "USD", .notANumber),
            ("abc", "USD", .notANumber),
            ("12a", "USD", .notANumber),
            ("$12", "USD", .currencySymbol),
            ("١٢", "USD", .notANumber),
            ("99999999999999999999", "USD", .tooLarge),
            ("123456789012345678901234", "JPY", .tooLarge),
            ("92233720368547758.08", "USD", .tooLarge),
            ("92233720368547759", "USD", .tooLarge),
        ] as [(String, String, AmountError)])
    func refusesWithItsReason(text: String, code: String, error: AmountError) throws {
        let currency = try #require(Currency(code: code))
        #expect(throws: error) { try Money.parse(text, currency: currency) }
    }

    @Test func amountErrorsExplainThemselves() {
        #expect(AmountError.tooManyDecimals(allowed: 2, found: 3).description == "the currency has 2 decimal places, the amount has 3")
        #expect(AmountError.tooManyDecimals(allowed: 0, found: 1).description == "the currency has no decimal places, the amount has 1")
        #expect(AmountError.aboveMaximum(maximum: "500.00 USD").description.hasSuffix("500.00 USD"))
    }

    @Test(
        arguments: [
            (0, 2, "0.00"),
            (1, 2, "0.01"),
            (100, 2, "1.00"),
            (-5, 2, "-0.05"),
            (-12_345, 2, "-123.45"),
            (7, 0, "7"),
            (1, 3, "0.001"),
            (1_000, 3, "1.000"),
            (12_345, 4, "1.2345"),
            (Int64.max, 2, "92233720368547758.07"),
            (Int64.min, 2, "-92233720368547758.08"),
        ] as [(Int64, Int, String)])
    func rendersMinorUnits(minorUnits: Int64, exponent: Int, text: String) {
        #expect(Money.render(minorUnits: minorUnits, exponent: exponent) == text)
    }
}

import Testing

@testable import RechargeCore

@Suite struct CurrencyTableTests {
    @Test(
        arguments: [
            ("JPY", 0, 1), ("KRW", 0, 1), ("CLP", 0, 1), ("VND", 0, 1),
            ("USD", 2, 100), ("EUR", 2, 100), ("BRL", 2, 100), ("SGD", 2, 100),
            ("BHD", 3, 1_000), ("KWD", 3, 1_000), ("JOD", 3, 1_000), ("TND", 3, 1_000),
            ("CLF", 4, 10_000), ("UYW", 4, 10_000),
        ] as [(String, Int, Int64)])
    func knowsTheMinorUnitExponent(code: String, exponent: Int, perMajor: Int64) throws {
        let currency = try #require(Currency(code: code))
        #expect(currency.code == code)
        #expect(currency.exponent == exponent)
        #expect(currency.minorUnitsPerMajor == perMajor)
    }

    /// Lower case is not guessed, and codes without a minor unit (metals, SDR, test codes) or withdrawn are not currencies.
    @Test(arguments: ["usd", "Usd", "", "US", "USDT", "XAU", "XDR", "XTS", "XXX", "HRK", "ZWL", "ABC"])
    func refusesCodesThatAreNotCardCurrencies(code: String) {
        #expect(Currency(code: code) == nil)
    }

    @Test func listsEveryCurrencySortedByCode() {
        let codes = Currency.all.map(\.code)
        #expect(codes == codes.sorted())
        #expect(Set(codes).count == codes.count)
        #expect(codes.contains("USD") && codes.contains("JPY") && codes.contains("CLF"))
        #expect(Currency.all.allSatisfy { [0, 2, 3, 4].contains($0.exponent) })
        #expect(codes.allSatisfy { $0.utf8.count == 3 && $0.utf8.allSatisfy { (0x41...0x5A).contains($0) } })
    }
}

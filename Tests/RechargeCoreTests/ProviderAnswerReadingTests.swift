import Testing

@testable import RechargeCore

/// The one way provider answers are read: exact numbers, exact amounts.
@Suite struct ProviderAnswerReadingTests {
    @Test func numbersKeepTheirExactText() throws {
        let answer = try #require(ExactJSON.parse(Array(#"{"amount":100.02,"big":12345678901234567.89,"code":1006}"#.utf8)))
        #expect(answer["amount"]?.text == "100.02")
        #expect(answer["big"]?.text == "12345678901234567.89")
        #expect(answer["code"]?.integer == 1006)
        #expect(answer["amount"]?.integer == nil)
        #expect(answer["missing"] == nil)
    }

    @Test func aRepeatedKeyKeepsItsFirstValue() throws {
        let answer = try #require(ExactJSON.parse(Array(#"{"status":"1","status":"0"}"#.utf8)))
        #expect(answer["status"]?.string == "1")
    }

    @Test(arguments: [#"{"a":1} trailing"#, #"{"a":"#, "", #"{"a":1}{"b":2}"#, "\u{FF}\u{FE}"])
    func anythingButOneJSONValueIsRefused(_ text: String) {
        #expect(ExactJSON.parse(Array(text.utf8)) == nil)
    }

    @Test func deepNestingIsRefused() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(ExactJSON.parse(Array(deep.utf8)) == nil)
    }

    /// (text, exponent, signed, minor units)
    @Test(
        arguments: [
            ("0", 2, false, Int64(0)), ("0.00", 2, false, 0), ("100.02", 2, false, 10002), ("1.230", 2, false, 123),
            (" 12.5 ", 2, false, 1250), ("-3", 2, true, -300), ("400.000", 0, false, 400), ("0.00000088", 8, false, 88),
        ] as [(String, Int, Bool, Int64)])
    func providerAmountsAreExact(_ text: String, _ exponent: Int, _ signed: Bool, _ minor: Int64) {
        #expect(Money.exactMinorUnits(text, exponent: exponent, signed: signed) == minor)
    }

    @Test(arguments: ["1.234", "1.", ".5", "", "1,5", "1e3", "-3", "+3", "NaN", "99999999999999999999", "1.2.3", "0.0.0"])
    func anythingElseIsNoAmount(_ text: String) {
        #expect(Money.exactMinorUnits(text, exponent: 2) == nil)
    }
}

import RechargeProviders
import Testing

@testable import RechargeCore

@Suite struct ControlTotalsTests {
    /// Two USD lines adding up to 150.00 and one EUR line of 12.50.
    static let batch = csvBatch(
        ValidLine.vcc("R-1", amount: "100.00"), ValidLine.vcc("R-2", amount: "50.00"),
        ValidLine.vcc("R-3", amount: "12.50", currency: "EUR"))

    func messages(_ control: ControlTotals) throws -> [String] {
        try readBatch(Self.batch, control: control).errors.map(\.message)
    }

    @Test func matchingTotalsPass() throws {
        #expect(try self.messages(ControlTotals(lineCount: 3, sums: ["USD": "150.00", "EUR": "12.5"])) == [])
        #expect(try self.messages(ControlTotals(lineCount: 3)) == [])
    }

    @Test func theSamplesMatchTheirTotals() throws {
        let control = ControlTotals(
            lineCount: 50,
            sums: ["BRL": "1105.90", "EUR": "385.50", "JPY": "10000", "MXN": "2450.50", "SGD": "415.80", "USD": "4911.20"])
        let path = samplePath("monthly-2026-11.csv")
        let result = try BatchReader(configuration: .builtInDefault, profiles: .all, control: control).read(path: path)
        #expect(result.diagnostics.errors.map(\.description) == [])
        #expect(result.isValid)
    }

    @Test func lineCountMismatch() throws {
        #expect(
            try self.messages(ControlTotals(lineCount: 4))
                == ["control totals (given on the command line): 4 lines expected, the file has 3"])
    }

    @Test func sumMismatchShowsTheDifference() throws {
        #expect(
            try self.messages(ControlTotals(sums: ["USD": "150.01", "EUR": "10.00"])) == [
                "control totals (given on the command line): EUR lines add up to 12.50, expected 10.00 (difference 2.50)",
                "control totals (given on the command line): USD lines add up to 150.00, expected 150.01 (difference -0.01)",
            ])
    }

    @Test func aCurrencyInTheFileNeedsAnExpectedTotal() throws {
        #expect(
            try self.messages(ControlTotals(sums: ["USD": "150.00"])) == [
                "control totals (given on the command line): the file has EUR lines adding up to 12.50 but no expected total for EUR"
            ])
    }

    @Test func anExpectedCurrencyMissingFromTheFile() throws {
        #expect(
            try self.messages(ControlTotals(sums: ["USD": "150.00", "EUR": "12.50", "JPY": "9000"])) == [
                "control totals (given on the command line): JPY lines add up to 0, expected 9000 (difference -9000)"
            ])
    }

    @Test(arguments: [
        ("usd", "150.00", "'usd' is not an ISO 4217 currency code"),
        ("XYZ", "150.00", "'XYZ' is not an ISO 4217 currency code"),
        ("USD", "150,00", "expected total USD 150,00: " + AmountError.decimalComma.description),
        ("USD", "150.001", "expected total USD 150.001: " + AmountError.tooManyDecimals(allowed: 2, found: 3).description),
    ])
    func badExpectedTotals(code: String, amount: String, message: String) throws {
        let messages = try self.messages(ControlTotals(sums: [code: amount, "EUR": "12.50"]))
        #expect(messages.contains("control totals (given on the command line): " + message), "\(messages)")
    }

    @Test func totalsInTheJSONBatchObjectAndOnTheCommandLineAreBothChecked() throws {
        let batch = #"{"expected_line_count": 2, "expected_totals": {"USD": "200.00"}}"#
        let text = jsonBatch(vccItem("R-1"), vccItem("R-2"), batch: batch)
        #expect(try readBatch(text, format: .json).errorMessages == [])

        let outcome = try readBatch(text, format: .json, control: ControlTotals(lineCount: 3, sums: ["USD": "200.00"]))
        #expect(outcome.errors.map(\.message) == ["control totals (given on the command line): 3 lines expected, the file has 2"])

        let wrongInFile = jsonBatch(vccItem("R-1"), batch: batch)
        #expect(
            try readBatch(wrongInFile, format: .json).errors.map(\.message) == [
                "control totals (in the file): 2 lines expected, the file has 1",
                "control totals (in the file): USD lines add up to 100.00, expected 200.00 (difference -100.00)",
            ])
    }

    @Test func sumsCountOnlyValidLinesButTheCountHasEveryLine() throws {
        let text = csvBatch(ValidLine.vcc("R-1", amount: "100.00"), ValidLine.vcc("R-2", amount: "-5"))
        let outcome = try readBatch(text, control: ControlTotals(lineCount: 2, sums: ["USD": "100.00"]))
        #expect(outcome.result.lineCount == 2)
        #expect(outcome.result.sums == ["USD": 10_000])
        #expect(outcome.errors.map(\.line) == [3])
    }

    @Test(arguments: [
        ("USD=1234.56", "USD", "1234.56"),
        (" USD = 5 ", "USD", "5"),
        ("JPY=1=2", "JPY", "1=2"),
    ])
    func parsesExpectTotalArguments(text: String, code: String, amount: String) throws {
        let parsed = try #require(ControlTotals.parseSum(text))
        #expect(parsed.currency == code)
        #expect(parsed.amount == amount)
    }

    @Test(arguments: ["USD", "=5", "USD=", ""])
    func refusesMalformedExpectTotalArguments(text: String) {
        #expect(ControlTotals.parseSum(text) == nil)
    }
}

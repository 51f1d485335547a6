import Testing

@testable import RechargeCore

@Suite struct NDJSONReaderTests {
    @Test func aBadLineIsReportedAndLaterLinesAreStillRead() throws {
        let text =
            [
                vccItem("R-1"),
                #"{"provider": "vcc", "card_id": "100029775""#,  // cut short
                vccItem("R-3"),
                #"{"provider": "vcc", "remark": "line"#,  // a line break inside a string
                vccItem("R-5"),
                #"{"provider": "vcc", oops}"#,
                vccItem("R-7", amount: #""1,5""#),
                #"{"provider": "vcc", "remark": tru"#,
                vccItem("R-9"),
                vccItem("R-10") + " " + vccItem("R-11"),
                vccItem("R-12"),
            ].joined(separator: "\n") + "\n"
        let outcome = try readBatch(text, format: .ndjson)
        #expect(outcome.errors.map(\.line) == [2, 4, 6, 7, 8, 10], "\(outcome.errorMessages)")
        #expect(outcome.errors.first { $0.line == 7 && $0.column == "amount" }?.value == "1,5")
        #expect(
            outcome.errors.last?.message == "more than one JSON value on the line; NDJSON has one object per line")
        // Every well-formed line was validated, with its own line number.
        #expect(outcome.result.lineCount == 6)
        #expect(outcome.lines.map(\.reference) == ["R-1"])
        #expect(outcome.warnings.map(\.line) == [3, 5, 9, 11])
    }

    @Test func blankLinesAndCRLFAreAllowed() throws {
        let text = "\n" + vccItem("R-1") + "\r\n\r\n" + vccItem("R-2", amount: #""5.00""#) + "\r\n\n"
        let outcome = try readBatch(text, format: .ndjson)
        #expect(outcome.errorMessages == [])
        #expect(outcome.lines.map(\.lineNumber) == [2, 4])
    }

    @Test func diagnosticsGiveThePhysicalLineAndNoItemIndex() throws {
        let text = [vccItem("R-1"), vccItem("R-2", amount: #""0""#)].joined(separator: "\n")
        let outcome = try readBatch(text, format: .ndjson)
        let error = try #require(outcome.errors.first)
        #expect(error.line == 2)
        #expect(error.item == nil)
        #expect(error.column == "amount")
    }

    @Test func firstLineMayDescribeTheBatch() throws {
        let batch = #"{"batch": {"name": "nov", "reference": "FIN-1", "expected_line_count": 2, "expected_totals": {"USD": "150.00"}}}"#
        let outcome = try readBatch(
            [batch, vccItem("R-1"), vccItem("R-2", amount: #""50.00""#)].joined(separator: "\n"), format: .ndjson)
        #expect(outcome.errorMessages == [])
        #expect(outcome.result.metadata.name == "nov")
        #expect(outcome.result.metadata.reference == "FIN-1")
        #expect(outcome.result.metadata.control == ControlTotals(lineCount: 2, sums: ["USD": "150.00"]))
        #expect(outcome.lines.map(\.lineNumber) == [2, 3])
    }

    @Test func batchTotalsOnTheFirstLineAreChecked() throws {
        let batch = #"{"batch": {"expected_line_count": 3, "expected_totals": {"USD": "150.00"}}}"#
        let outcome = try readBatch([batch, vccItem("R-1"), vccItem("R-2")].joined(separator: "\n"), format: .ndjson)
        #expect(
            outcome.errors.map(\.message) == [
                "control totals (in the file): 3 lines expected, the file has 2",
                "control totals (in the file): USD lines add up to 200.00, expected 150.00 (difference 50.00)",
            ])
    }

    @Test func aBatchLineAfterTheFirstIsAnItemWithAnUnknownField() throws {
        let outcome = try readBatch(
            [vccItem("R-1"), #"{"batch": {"name": "nov"}}"#].joined(separator: "\n"), format: .ndjson)
        #expect(outcome.errors.first?.column == "batch")
        #expect(outcome.errors.first?.line == 2)
        #expect(outcome.result.metadata.name == nil)
    }
}

import Foundation
import TestSupport
import Testing

/// The files in `samples/invalid/` (shown in the documentation) report exactly their intended problems.
@Suite(.ownThread)
struct InvalidSampleTests {
    struct Expected: Sendable {
        let line: Int?
        let column: String?
        let value: String?
        let message: String
    }

    struct Sample: Sendable, CustomTestStringConvertible {
        let file: String
        let lines: Int
        let errors: [Expected]
        var warnings: [String] = []
        var testDescription: String { self.file }
    }

    static let samples: [Sample] = [
        Sample(
            file: "bad-amounts.csv", lines: 11,
            errors: [
                Expected(line: 3, column: "amount", value: "200,00", message: "the amount uses a decimal comma"),
                Expected(line: 5, column: "amount", value: "80.005", message: "the currency has 2 decimal places, the amount has 3"),
                Expected(line: 7, column: "amount", value: "-320.90", message: "the amount is negative"),
                Expected(line: 9, column: "amount", value: "0.00", message: "the amount is zero"),
                Expected(line: 11, column: "amount", value: "5,000", message: "the amount has a thousands separator"),
                Expected(line: 12, column: "amount", value: "1 000.00", message: "the amount has a thousands separator"),
            ]),
        Sample(
            file: "unknown-column.csv", lines: 0,
            errors: [Expected(line: 1, column: "memo", value: nil, message: "unknown column; the columns are: provider, card_id")]),
        Sample(
            file: "duplicate-reference.csv", lines: 9,
            errors: [
                Expected(line: 9, column: "reference", value: "TOPUP-2026-11-0016", message: "the reference is already used by line 3")
            ]),
        Sample(
            file: "unterminated-quote.csv", lines: 2,
            errors: [Expected(line: 4, column: nil, value: nil, message: "a quoted field opened on line 4 is never closed")]),
        Sample(
            file: "semicolon-export.csv", lines: 0,
            errors: [Expected(line: 1, column: nil, value: nil, message: "the separator looks like ';'")]),
        Sample(
            file: "spreadsheet-export.csv", lines: 6,
            errors: [
                Expected(
                    line: 3, column: "amount", value: "12.50 USD", message: "remove the currency code, it belongs in the currency column"),
                Expected(
                    line: 4, column: "amount", value: "1.234,56",
                    message: "the amount uses a decimal comma; use '.' as the decimal separator and no thousands separator"),
                Expected(line: 5, column: "amount", value: "$200.00", message: "remove the currency symbol"),
                Expected(
                    line: 6, column: "card_id", value: "1.00030E+08",
                    message:
                        "the spreadsheet wrote the card id in scientific notation (its digits are lost): format the column as text and export again"
                ),
                Expected(
                    line: 7, column: "remark", value: "Caf\u{FFFD} Lisboa",
                    message:
                        "the text is not UTF-8 (byte 0xE9 at line 7, character 68); the file is probably Windows-1252 or Latin-1 text: "
                        + "save it from the spreadsheet as \"CSV UTF-8 (Comma delimited)\""),
            ],
            warnings: [
                "ignored as empty spreadsheet cells: columns #10 to #12 (no name, no values) and 2 rows of only commas (lines 8 to 9)"
            ]),
        Sample(
            file: "tab-separated.csv", lines: 0,
            errors: [Expected(line: 1, column: nil, value: nil, message: "the separator looks like a tab (a tab-separated file)")]),
        Sample(
            file: "control-total-mismatch.json", lines: 50,
            errors: [
                Expected(
                    line: nil, column: nil, value: nil,
                    message: "control totals (in the file): USD lines add up to 4641.20, expected 4911.20 (difference -270.00)")
            ]),
        Sample(
            file: "bad-items.ndjson", lines: 6,
            errors: [
                Expected(line: 3, column: nil, value: nil, message: "expected a quoted member name"),
                Expected(line: 4, column: "currency", value: nil, message: "must be a string, this is a number"),
                Expected(line: 6, column: "note", value: nil, message: "unknown field; the fields are: provider"),
            ]),
    ]

    @Test(arguments: samples)
    func reportsExactlyTheIntendedProblems(sample: Sample) throws {
        let path = Recharge.sample("invalid/" + sample.file)
        let result = try Recharge.run(["validate", "--json", path])
        #expect(result.status == 65, "\(result)")
        let report = try result.json()
        #expect(report["valid"] as? Bool == false)
        #expect(report["lines"] as? Int == sample.lines)
        #expect(report["errorCount"] as? Int == sample.errors.count, "\(result)")
        #expect(report["warningCount"] as? Int == sample.warnings.count, "\(result)")
        let warnings = try #require(report["warnings"] as? [[String: Any]])
        #expect(warnings.compactMap { $0["message"] as? String } == sample.warnings, "\(result)")
        let errors = try #require(report["errors"] as? [[String: Any]])
        try #require(errors.count == sample.errors.count, "\(result)")
        for (error, expected) in zip(errors, sample.errors) {
            #expect(error["line"] as? Int == expected.line, "\(error)")
            #expect(error["column"] as? String == expected.column, "\(error)")
            #expect(error["value"] as? String == expected.value, "\(error)")
            #expect((error["message"] as? String)?.contains(expected.message) == true, "\(error)")
        }
    }

    @Test(arguments: samples)
    func textOutputNamesFileAndLine(sample: Sample) throws {
        let path = Recharge.sample("invalid/" + sample.file)
        let result = try Recharge.run(["validate", path])
        #expect(result.status == 65, "\(result)")
        let errors = result.stdoutLines.filter { $0.contains(": error: ") }
        #expect(errors.count == sample.errors.count, "\(result)")
        for (line, expected) in zip(errors, sample.errors) {
            // `FILE:LINE: error:`, or `FILE:LINE:CHARACTER: error:` where the place on the line is known.
            let location = try Regex(expected.line.map { #"^\Q\#(path):\#($0)\E(:\d+)?: error: "# } ?? #"^\Q\#(path)\E: error: "#)
            #expect(line.firstMatch(of: location) != nil, "\(line)")
            if let column = expected.column { #expect(line.contains("column '\(column)'"), "\(line)") }
            #expect(line.contains(expected.message), "\(line)")
        }
        #expect(
            result.stdoutLines.last
                == "invalid: \(path): \(Self.counted(sample.errors.count, "error")) in \(Self.counted(sample.lines, "line")); nothing would be imported"
        )
    }

    private static func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}

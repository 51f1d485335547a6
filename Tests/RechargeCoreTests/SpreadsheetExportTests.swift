import Foundation
import Testing

@testable import RechargeCore

/// What spreadsheets write when they export CSV: empty columns and rows, `sep=` lines, other separators, currency
/// formats, scientific notation and Windows-1252 text. Each is accepted as the empty cells it is, or refused with
/// a message that says what the spreadsheet did and how to export the file instead.
@Suite
struct SpreadsheetExportTests {
    @Test func trailingEmptyColumnsAndRowsOfOnlyCommasAreAcceptedWithOneWarning() throws {
        let text =
            fullHeader + ",,,\n" + ValidLine.vcc("R-1") + ",,,\n" + ValidLine.hypercard("R-2") + ",,,\n"
            + String(repeating: ",", count: 11) + "\n" + String(repeating: ",", count: 11) + "\n"
        let outcome = try readBatch(text)
        #expect(outcome.errors.isEmpty, "\(outcome.errorMessages)")
        #expect(outcome.lines.map(\.reference) == ["R-1", "R-2"])
        #expect(outcome.result.lineCount == 2)
        #expect(outcome.warnings.count == 1)
        let warning = try #require(outcome.warnings.first)
        #expect(warning.line == 1)
        #expect(
            warning.message
                == "ignored as empty spreadsheet cells: columns #10 to #12 (no name, no values) and 2 rows of only commas (lines 4 to 5)")
    }

    @Test func rowsOfOnlyCommasWithoutEmptyColumnsAreOneWarning() throws {
        let empty = String(repeating: ",", count: 8)
        let outcome = try readBatch(csvBatch(ValidLine.vcc("R-1"), empty, ValidLine.vcc("R-2", amount: "5.00"), empty, empty))
        #expect(outcome.errors.isEmpty, "\(outcome.errorMessages)")
        #expect(outcome.lines.count == 2)
        #expect(outcome.warnings.map(\.line) == [3])
        #expect(
            outcome.warnings.first?.message
                == "ignored as empty spreadsheet cells: 3 rows of only commas (the first on line 3, the last on line 6)")
    }

    @Test func aLineMayLackTheEmptyColumnsWithNoName() throws {
        let outcome = try readBatch(fullHeader + ",,\n" + ValidLine.vcc("R-1") + "\n")
        #expect(outcome.errors.isEmpty, "\(outcome.errorMessages)")
        #expect(outcome.lines.count == 1)
    }

    @Test func aValueInATrailingColumnWithNoNameIsAnErrorOnItsLine() throws {
        let outcome = try readBatch(fullHeader + ",,\n" + ValidLine.vcc("R-1") + ",,\n" + ValidLine.vcc("R-2") + ",,checked\n")
        #expect(outcome.errors.count == 1, "\(outcome.errorMessages)")
        let error = try #require(outcome.errors.first)
        #expect(error.line == 3)
        #expect(error.column == "#11")
        #expect(error.value == "checked")
        #expect(error.message.hasPrefix("this column has no name in the header, so its value cannot be read; delete the value"))
        #expect(outcome.lines.count <= 1, "a file with an error hands no line on after it")
        #expect(!outcome.result.isValid)
    }

    @Test func extraFieldsWithValuesStillCountAsTooMany() throws {
        let outcome = try readBatch(csvBatch(ValidLine.vcc("R-1") + ",x"))
        #expect(
            outcome.errors.map(\.message) == ["the line has 10 fields, the header has 9; a value with a comma must be in double quotes"])
    }

    @Test func anExcelSepLineForCommasIsHonoured() throws {
        let outcome = try readBatch("sep=,\r\n" + fullHeader + "\r\n" + ValidLine.vcc("R-1") + "\r\n")
        #expect(outcome.errors.isEmpty, "\(outcome.errorMessages)")
        #expect(outcome.lines.map(\.lineNumber) == [3], "line numbers stay physical")
        #expect(outcome.warnings.isEmpty)
    }

    @Test(arguments: [
        ("sep=;\nprovider;card_id;amount;currency;reference\n", "the first line 'sep=;' says the fields are separated by ';'"),
        ("sep=\t\nprovider\tcard_id\tamount\tcurrency\treference\n", "the first line 'sep=\\u{9}' says the fields are separated by tabs"),
    ])
    func anExcelSepLineForAnotherSeparatorIsRefusedSayingHowToFixIt(text: String, message: String) throws {
        let outcome = try readBatch(text)
        #expect(outcome.errors.count == 1, "\(outcome.errorMessages)")
        let error = try #require(outcome.errors.first)
        #expect(error.line == 1)
        #expect(error.message == message + "; save the file as CSV with ',' separators (and '.' decimals)")
    }

    @Test func aTabSeparatedFileIsNamedAsOne() throws {
        let outcome = try readBatch("provider\tcard_id\tamount\tcurrency\treference\nvcc\t100029775\t1.00\tUSD\tR-1\n")
        #expect(outcome.errors.count == 1, "\(outcome.errorMessages)")
        #expect(
            outcome.errors.first?.message
                == "the header has one column; the separator looks like a tab (a tab-separated file). "
                + "Save the file as CSV with ',' separators (and '.' decimals)")
        #expect(outcome.errors.first?.line == 1)
    }

    @Test(arguments: [
        ("12.50 USD", "the amount has a currency code; remove the currency code, it belongs in the currency column"),
        ("USD 12.50", "the amount has a currency code; remove the currency code, it belongs in the currency column"),
        ("$12.50", "the amount has a currency symbol; remove the currency symbol, the currency belongs in the currency column"),
        ("12,50 €", "the amount has a currency symbol; remove the currency symbol, the currency belongs in the currency column"),
        ("1.234,56", "the amount uses a decimal comma; use '.' as the decimal separator and no thousands separator"),
        ("1.234.567,89", "the amount uses a decimal comma; use '.' as the decimal separator and no thousands separator"),
        ("1 234,56", "the amount uses a decimal comma; use '.' as the decimal separator and no thousands separator"),
        ("12,50", "the amount uses a decimal comma; use '.' as the decimal separator"),
        ("1,234.56", "the amount has a thousands separator; write digits only, with '.' for decimals"),
        ("12.345", "the currency has 2 decimal places, the amount has 3"),
    ])
    func spreadsheetAmountFormatsSayWhatToRemove(amount: String, message: String) throws {
        let outcome = try readBatch(csvBatch(#"vcc,100029775,"\#(amount)",USD,R-1,,,,"#))
        #expect(outcome.errors.count == 1, "\(outcome.errorMessages)")
        let error = try #require(outcome.errors.first)
        #expect(error.column == "amount")
        #expect(error.value == amount)
        #expect(error.message == message)
    }

    @Test(arguments: ["1.00030E+08", "1,00030E+08", "1E+19", "2.5e+11"])
    func aCardIdInScientificNotationSaysToFormatTheColumnAsText(cardID: String) throws {
        let outcome = try readBatch(csvBatch(#"vcc,"\#(cardID)",10.00,USD,R-1,,,,"#))
        #expect(outcome.errors.count == 1, "\(outcome.errorMessages)")
        let error = try #require(outcome.errors.first)
        #expect(error.column == "card_id")
        #expect(error.value == cardID)
        #expect(
            error.message
                == "the spreadsheet wrote the card id in scientific notation (its digits are lost): format the column as text and export again"
        )
    }

    @Test func aCardIdThatOnlyLooksLikeAnExponentIsValidWhereItsShapeIs() throws {
        // HyperCard ids are letters and digits: `1E5` is one.
        let outcome = try readBatch(csvBatch("hypercard,1E5,200.00,USD,R-1,,usdt,,"))
        #expect(outcome.errors.isEmpty, "\(outcome.errorMessages)")
    }

    @Test func windows1252TextShowsTheBytesWhereTheyAreAndSaysToSaveAsCSVUTF8() throws {
        // "Café" and "Zürich" as Windows-1252 writes them: é is 0xE9, ü is 0xFC.
        let bytes =
            Array(csvBatch().utf8) + Array("vcc,100029775,1.00,USD,R-1,Caf".utf8) + [0xE9] + Array(" Lisboa,,,\n".utf8)
            + Array("vcc,100029776,1.00,USD,R-2,\"Z".utf8) + [0xFC] + Array("rich\",,,\n".utf8)
        let outcome = try readBatch(bytes: bytes)
        #expect(outcome.errors.count == 2, "\(outcome.errorMessages)")
        let (first, second) = (outcome.errors[0], outcome.errors[1])
        #expect(first.line == 2)
        #expect(first.character == 31)
        #expect(first.column == "remark")
        #expect(first.value == "Caf\u{FFFD} Lisboa")
        #expect(
            first.message
                == "the text is not UTF-8 (byte 0xE9 at line 2, character 31); the file is probably Windows-1252 or Latin-1 text: "
                + "save it from the spreadsheet as \"CSV UTF-8 (Comma delimited)\" and use that file")
        #expect(first.description.hasPrefix("batch.csv:2:31: error: column 'remark', value \"Caf\u{FFFD} Lisboa\": "))
        #expect(second.line == 3)
        #expect(second.character == 30, "the place in the line, counting the opening quote")
        #expect(second.message.hasPrefix("the text is not UTF-8 (byte 0xFC at line 3, character 30)"))
        #expect(outcome.lines.isEmpty)
    }

    @Test func aHeaderThatIsNotUTF8IsReportedAsSuchNotAsAnUnknownColumn() throws {
        let bytes = Array("provider,card_id,amount,currency,reference,r".utf8) + [0xE9] + Array("f\n".utf8)
        let outcome = try readBatch(bytes: bytes)
        #expect(outcome.errors.count == 1, "\(outcome.errorMessages)")
        #expect(outcome.errors.first?.column == "#6")
        #expect(outcome.errors.first?.message.hasPrefix("the text is not UTF-8 (byte 0xE9 at line 1, character 45)") == true)
    }
}

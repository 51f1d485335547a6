import Testing

@testable import RechargeCore

/// CSV batches through `BatchReader`: header mapping and the diagnostics a user sees.
@Suite struct CSVBatchReaderTests {
    @Test func headerNamesIgnoreCaseAndSpacesAndColumnOrder() throws {
        let outcome = try readBatch(" Reference ,CURRENCY, Amount,Card_ID ,PROVIDER\r\nR-1,USD,12.50,100029775,vcc\r\n")
        #expect(outcome.errorMessages == [])
        let line = try #require(outcome.lines.first)
        #expect(line.lineNumber == 2)
        #expect(line.account == "vcc")
        #expect(line.cardID == "100029775")
        #expect(line.amount.minorUnits == 1_250)
        #expect(line.amount.currency.code == "USD")
        #expect(line.reference == "R-1")
        #expect(line.remark == nil)
    }

    @Test func quotedValuesReachTheLine() throws {
        let outcome = try readBatch(
            csvBatch("vcc,100029775,\"1000.00\",USD,R-1,\"Team offsite \"\"Lisbon\"\", Q4\",,,", ValidLine.vcc("R-2")))
        #expect(outcome.errorMessages == [])
        #expect(outcome.lines.map(\.remark) == ["Team offsite \"Lisbon\", Q4", nil])
        #expect(outcome.lines.first?.amount.minorUnits == 100_000)
    }

    @Test func lineNumbersAfterAnEmbeddedLineBreakAreTheEditorsLines() throws {
        let text = csvBatch(
            "vcc,100029775,10.00,USD,R-1,\"first\nsecond\nthird\",,,",
            ValidLine.vcc("R-2"),
            ValidLine.vcc("R-3"),
            "vcc,100029775,12.345,USD,R-4,,,,")
        let outcome = try readBatch(text)
        // A remark may not hold a line break, but the CSV record does, and the lines after it are numbered as an editor shows them.
        #expect(outcome.errors.map(\.line) == [2, 7])
        #expect(outcome.errors.map(\.column) == ["remark", "amount"])
        #expect(outcome.errors.map(\.value) == ["first\nsecond\nthird", "12.345"])
        #expect(outcome.warnings.map(\.line) == [6])
        #expect(outcome.warnings.first?.message.contains("as line 5;") == true)
    }

    @Test func byteOrderMarkCRLFAndNoTrailingNewline() throws {
        let text = "\u{FEFF}" + fullHeader + "\r\n" + ValidLine.vcc("R-1") + "\r\n\r\n" + ValidLine.uqpay("R-2")
        let outcome = try readBatch(text)
        #expect(outcome.errorMessages == [])
        #expect(outcome.lines.map(\.reference) == ["R-1", "R-2"])
        #expect(outcome.lines.map(\.lineNumber) == [2, 4])
    }

    @Test func unknownColumnIsNamed() throws {
        let outcome = try readBatch("provider,card_id,amount,currency,reference,Colour\n" + ValidLine.vcc("R-1") + "\n")
        let error = try #require(outcome.errors.first)
        #expect(outcome.errors.count == 1)
        #expect(error.line == 1)
        #expect(error.column == "Colour")
        #expect(error.message.hasPrefix("unknown column"))
        #expect(outcome.lines.isEmpty)
    }

    @Test func duplicateColumn() throws {
        let outcome = try readBatch("provider,card_id,amount,currency,reference,AMOUNT\n")
        #expect(outcome.errors.map(\.column) == ["amount"])
        #expect(outcome.errors.first?.message == "the column appears twice")
    }

    @Test func missingRequiredColumns() throws {
        let outcome = try readBatch("provider,card_id,amount,remark\nvcc,100029775,1.00,x\n")
        #expect(outcome.errors.map(\.column) == ["currency", "reference"])
        #expect(outcome.errors.allSatisfy { $0.line == 1 && $0.message == "a required column is missing" })
        #expect(outcome.result.lineCount == 0)
    }

    @Test func aValueInAColumnWithNoNameIsAnError() throws {
        let outcome = try readBatch("provider,card_id,,amount,currency,reference\nvcc,100029775,note,1.00,USD,R-1\n")
        #expect(outcome.errors.map(\.column) == ["#3"])
        #expect(outcome.errors.first?.value == "note")
        #expect(outcome.errors.first?.message.hasPrefix("this column has no name in the header") == true)
        #expect(outcome.lines.isEmpty)
    }

    @Test func tooManyFieldsHintsAtQuoting() throws {
        let outcome = try readBatch("provider,card_id,amount,currency,reference\nvcc,100029775,1,000.00,USD,R-1\n")
        let error = try #require(outcome.errors(line: 2).first { $0.column == nil })
        #expect(error.message == "the line has 6 fields, the header has 5; a value with a comma must be in double quotes")
        #expect(!outcome.result.isValid)
    }

    @Test func tooFewFields() throws {
        let outcome = try readBatch(csvBatch("vcc,100029775,1.00,USD,R-1", ValidLine.vcc("R-2")))
        #expect(outcome.errors.map(\.message) == ["the line has 5 fields, the header has 9"])
        #expect(outcome.errors.first?.line == 2)
        #expect(outcome.result.lineCount == 2)
    }

    @Test func tooFewFieldsStillReportsTheMissingValues() throws {
        let outcome = try readBatch(csvBatch("vcc,100029775"))
        #expect(outcome.errors.compactMap(\.column) == ["amount", "currency", "reference"])
    }

    @Test func unterminatedQuoteAtEndOfFileNamesTheOpeningLine() throws {
        let outcome = try readBatch(csvBatch(ValidLine.vcc("R-1"), "vcc,100029775,1.00,USD,R-2,\"never closed,,,", "vcc"))
        let error = try #require(outcome.errors.first)
        #expect(outcome.errors.count == 1)
        #expect(error.line == 3)
        #expect(error.message == "a quoted field opened on line 3 is never closed")
        #expect(outcome.result.lineCount == 1)
    }

    @Test func textAfterAClosingQuote() throws {
        let outcome = try readBatch(csvBatch("vcc,100029775,1.00,USD,R-1,\"Team\" offsite,,,", ValidLine.vcc("R-2")))
        #expect(outcome.errors.map(\.line) == [2])
        #expect(outcome.errors.first?.message.contains("a quote inside a field must be doubled") == true)
    }

    @Test func bareQuoteInsideAnUnquotedField() throws {
        let outcome = try readBatch(csvBatch("vcc,100029775,1.00,USD,R-1,5\" screen,,,", ValidLine.vcc("R-2")))
        let error = try #require(outcome.errors.first)
        #expect(outcome.errors.count == 1)
        #expect(error.line == 2)
        #expect(error.column == "remark")
        #expect(error.message.hasPrefix("a quote inside an unquoted field"))
    }

    @Test func invalidUTF8IsReportedOnceWithItsColumn() throws {
        let bytes = Array(csvBatch().utf8) + Array("vcc,1000".utf8) + [0xFF] + Array("29775,1.00,USD,R-1,,,,\n".utf8)
        let outcome = try readBatch(bytes: bytes)
        #expect(outcome.errorMessages.count == 1)
        let error = try #require(outcome.errors.first)
        #expect(error.line == 2)
        #expect(error.character == 9)
        #expect(error.column == "card_id")
        #expect(error.message.hasPrefix("the text is not UTF-8 (byte 0xFF at line 2, character 9)"), "\(error)")
    }

    @Test func nulByteIsReportedWithItsColumn() throws {
        let bytes = Array(csvBatch().utf8) + Array("vcc,100029775,1.00,USD,R-1,a".utf8) + [0x00] + Array("b,,,\n".utf8)
        let outcome = try readBatch(bytes: bytes)
        #expect(outcome.errors.map(\.column) == ["remark"])
        #expect(outcome.errors.first?.message == "the field contains a NUL byte")
    }

    @Test func aFieldOver64KiBIsReportedNotStored() throws {
        let long = String(repeating: "x", count: 65_537)
        let outcome = try readBatch(csvBatch("vcc,100029775,1.00,USD,R-1,\(long),,,", ValidLine.vcc("R-2")))
        let error = try #require(outcome.errors.first)
        #expect(outcome.errors.count == 1)
        #expect(error.column == "remark")
        #expect(error.value == nil)
        #expect(error.message == "the field is longer than 65536 bytes")
        #expect(outcome.result.lineCount == 2)
    }

    @Test func semicolonSeparatedExportGetsAHint() throws {
        let outcome = try readBatch("provider;card_id;amount;currency;reference\nvcc;100029775;12,50;USD;R-1\n")
        let error = try #require(outcome.errors.first)
        #expect(outcome.errors.count == 1)
        #expect(error.line == 1)
        #expect(error.message.contains("the separator looks like ';'"))
    }

    @Test func utf16FileIsRefused() throws {
        var bytes: [UInt8] = [0xFF, 0xFE]
        for byte in fullHeader.utf8 { bytes += [byte, 0] }
        let outcome = try readBatch(bytes: bytes)
        #expect(outcome.errors.map(\.message) == ["the file is UTF-16 encoded; save it as UTF-8"])
    }

    @Test(arguments: ["", "\u{FEFF}"])
    func emptyFile(text: String) throws {
        let outcome = try readBatch(text)
        #expect(outcome.errors.map(\.message) == ["the file is empty; a CSV batch starts with a header row"])
        #expect(outcome.result.lineCount == 0)
    }

    @Test(arguments: [fullHeader, fullHeader + "\n", fullHeader + "\r\n\r\n\n"])
    func headerOnlyFileHasNoLines(text: String) throws {
        let outcome = try readBatch(text)
        #expect(outcome.errors.map(\.message) == ["the file has no lines"])
        #expect(outcome.errors.first?.line == nil)
        #expect(!outcome.result.isValid)
    }

    @Test func diagnosticDescriptionLocatesTheProblem() throws {
        let outcome = try readBatch(csvBatch(ValidLine.vcc("R-1", amount: "12.345")))
        #expect(
            outcome.errors.first?.description
                == "batch.csv:2: error: column 'amount', value \"12.345\": the currency has 2 decimal places, the amount has 3")
    }
}

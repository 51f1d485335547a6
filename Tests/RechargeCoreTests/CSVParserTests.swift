import Testing

@testable import RechargeCore

/// Record splitting and physical line numbers, on the parser itself.
@Suite struct CSVParserTests {
    /// Every record of `bytes`, or the structure error that stopped the parse.
    func records(_ bytes: [UInt8], maximumFieldBytes: Int = 65_536) throws(CSVStructureError) -> [CSVRecord] {
        var parser = CSVParser(input: ByteInput(bytes: bytes), maximumFieldBytes: maximumFieldBytes)
        var records: [CSVRecord] = []
        while let record = try parser.nextRecord() { records.append(record) }
        return records
    }

    func records(_ text: String) throws(CSVStructureError) -> [CSVRecord] {
        try self.records(Array(text.utf8))
    }

    func structureError(_ bytes: [UInt8]) -> CSVStructureError? {
        do {
            _ = try self.records(bytes)
            return nil
        } catch {
            return error
        }
    }

    func structureError(_ text: String) -> CSVStructureError? {
        self.structureError(Array(text.utf8))
    }

    @Test func quotedFieldsWithDoubledQuotesCommasAndLineBreaks() throws {
        let parsed = try self.records("a,\"b, c\",\"say \"\"hi\"\"\",\"two\nlines\",\"\"\nnext,row\n")
        #expect(parsed.count == 2)
        #expect(parsed[0].fields == ["a", "b, c", "say \"hi\"", "two\nlines", ""])
        #expect(parsed[0].fieldCount == 5)
        #expect(parsed[0].line == 1)
        // The record after one with an embedded line break starts on physical line 3.
        #expect(parsed[1].fields == ["next", "row"])
        #expect(parsed[1].line == 3)
    }

    @Test func lineNumbersCountLineBreaksInsideQuotes() throws {
        let text = "h1,h2\n\"a\r\nb\r\nc\",x\r\nd,\"lone\rcr\"\ne,f"
        let parsed = try self.records(text)
        #expect(parsed.map(\.line) == [1, 2, 5, 7])
        #expect(parsed[1].fields == ["a\r\nb\r\nc", "x"])
        #expect(parsed[2].fields == ["d", "lone\rcr"])
        #expect(parsed[3].fields == ["e", "f"])
    }

    @Test(arguments: [
        ("LF", "h\n1\n2\n3\n"),
        ("CRLF", "h\r\n1\r\n2\r\n3\r\n"),
        ("CR", "h\r1\r2\r3\r"),
        ("mixed", "h\r\n1\n2\r3"),
        ("no trailing newline", "h\n1\n2\n3"),
    ])
    func lineEnds(_ name: String, text: String) throws {
        let parsed = try self.records(text)
        #expect(parsed.map(\.fields) == [["h"], ["1"], ["2"], ["3"]])
        #expect(parsed.map(\.line) == [1, 2, 3, 4])
    }

    @Test func blankLinesAreSkippedButCounted() throws {
        let parsed = try self.records("h\n\n1\r\n\r\n\n2\n\n")
        #expect(parsed.map(\.fields) == [["h"], ["1"], ["2"]])
        #expect(parsed.map(\.line) == [1, 3, 6])
    }

    @Test func utf8ByteOrderMarkIsSkipped() throws {
        let parsed = try self.records([0xEF, 0xBB, 0xBF] + Array("provider,x\n1,2\n".utf8))
        #expect(parsed.first?.fields == ["provider", "x"])
        #expect(parsed.map(\.line) == [1, 2])
    }

    @Test(arguments: [[UInt8]([0xFF, 0xFE, 0x70, 0x00]), [0xFE, 0xFF, 0x00, 0x70]])
    func utf16IsRefused(bytes: [UInt8]) throws {
        let error = try #require(self.structureError(bytes))
        #expect(error.line == 1)
        #expect(error.message == "the file is UTF-16 encoded; save it as UTF-8")
    }

    @Test func unterminatedQuoteNamesTheLineItOpenedOn() throws {
        let error = try #require(self.structureError("h1,h2\na,b\nc,\"open\nmore\nstill open"))
        #expect(error.line == 3)
        #expect(error.message == "a quoted field opened on line 3 is never closed")
    }

    @Test func textAfterAClosingQuoteIsAStructureError() throws {
        let error = try #require(self.structureError("h1,h2\na,\"b\"c\n"))
        #expect(error.line == 2)
        #expect(error.message.contains("closing quote"))
    }

    @Test func bareQuoteInAnUnquotedFieldIsAFieldProblem() throws {
        let parsed = try self.records("h1,h2\na,5\" screen\n")
        #expect(parsed[1].fields == ["a", "5\" screen"])
        #expect(parsed[1].fieldProblems.map(\.index) == [1])
        #expect(parsed[1].fieldProblems.first?.problem.contains("quote") == true)
    }

    @Test func invalidUTF8AndNULAreFieldProblems() throws {
        let bytes = Array("h1,h2,h3\n".utf8) + [0x61, 0xC3, 0x28] + Array(",ok,".utf8) + [0x62, 0x00, 0x63] + [0x0A]
        let parsed = try self.records(bytes)
        #expect(parsed[1].fields.count == 3)
        #expect(parsed[1].fields[1] == "ok")
        let problems = parsed[1].fieldProblems
        #expect(problems.map(\.index) == [0, 2])
        #expect(problems.first?.problem.hasPrefix("the text is not UTF-8 (byte 0xC3 at line 2, character 2)") == true)
        #expect(problems.last?.problem == "the field contains a NUL byte")
    }

    @Test(arguments: [false, true])
    func aFieldOverTheLimitIsReportedNotStored(quoted: Bool) throws {
        let long = String(repeating: "x", count: 70_000)
        let field = quoted ? "\"\(long)\"" : long
        let parsed = try self.records("h1,h2,h3\na,\(field),c\nd,e,f\n")
        #expect(parsed.count == 3)
        #expect(parsed[1].fields == ["a", "", "c"])
        #expect(parsed[1].fieldProblems.map(\.index) == [1])
        #expect(parsed[1].fieldProblems.first?.problem == "the field is longer than 65536 bytes")
        #expect(parsed[2].fields == ["d", "e", "f"])
        #expect(parsed[2].line == 3)
    }

    @Test func aFieldExactlyAtTheLimitIsKept() throws {
        let parsed = try self.records(Array(String(repeating: "y", count: 16).utf8) + [0x0A], maximumFieldBytes: 16)
        #expect(parsed.first?.fields == [String(repeating: "y", count: 16)])
        #expect(parsed.first?.fieldProblems.isEmpty == true)
    }

    @Test func emptyInputHasNoRecords() throws {
        #expect(try self.records("").isEmpty)
        #expect(try self.records([0xEF, 0xBB, 0xBF]).isEmpty)
    }
}

import Foundation
import RechargeProviders
import Testing

@testable import RechargeCore

@Suite struct JSONReaderTests {
    static let sampleSums: [String: Int64] = [
        "BRL": 110_590, "EUR": 38_550, "JPY": 10_000, "MXN": 245_050, "SGD": 41_580, "USD": 491_120,
    ]

    func readSample(_ name: String) throws -> ReadOutcome {
        var lines: [BatchLine] = []
        let path = samplePath(name)
        let result = try BatchReader(configuration: .builtInDefault, profiles: .all).read(path: path, displayName: name) {
            lines.append($0)
        }
        return ReadOutcome(result: result, lines: lines)
    }

    @Test func samplesGiveTheSameLinesAndSumsInEveryFormat() throws {
        let csv = try self.readSample("monthly-2026-11.csv")
        let json = try self.readSample("monthly-2026-11.json")
        let ndjson = try self.readSample("monthly-2026-11.ndjson")
        #expect(csv.result.format == .csv && json.result.format == .json && ndjson.result.format == .ndjson)
        for outcome in [csv, json, ndjson] {
            #expect(outcome.errorMessages == [])
            #expect(outcome.warnings.isEmpty)
            #expect(outcome.result.lineCount == 50)
            #expect(outcome.lines.count == 50)
            #expect(outcome.result.sums == Self.sampleSums)
        }
        // The line number is the physical line for CSV and NDJSON, the item index for JSON.
        #expect(csv.lines.map(\.lineNumber) == Array(2...51))
        #expect(ndjson.lines.map(\.lineNumber) == Array(2...51))
        #expect(json.lines.map(\.lineNumber) == Array(1...50))
        func withoutPosition(_ lines: [BatchLine]) -> [BatchLine] {
            lines.map { line in
                var line = line
                line.lineNumber = 0
                return line
            }
        }
        #expect(withoutPosition(json.lines) == withoutPosition(csv.lines))
        #expect(withoutPosition(ndjson.lines) == withoutPosition(csv.lines))
        #expect(csv.lines.contains { $0.remark == "Team offsite \"Lisbon\"" })

        for outcome in [json, ndjson] {
            let metadata = outcome.result.metadata
            #expect(metadata.name == "monthly-2026-11")
            #expect(metadata.reference == "FIN-OPS-2026-11")
            #expect(metadata.control.lineCount == 50)
            #expect(metadata.control.sums["USD"] == "4911.20")
        }
    }

    @Test(
        arguments: [
            ("100.02", 10_002), ("0.29", 29), ("1.10", 110), ("0.01", 1), ("99999999.99", 9_999_999_999), ("7", 700),
        ] as [(String, Int64)])
    func amountsWrittenAsJSONNumbersAreExact(number: String, minorUnits: Int64) throws {
        let configuration = RechargeConfiguration(
            accounts: RechargeConfiguration.builtInDefault.accounts, defaultMaximumMajorUnits: 1_000_000_000)
        for format in [BatchFormat.json, .ndjson] {
            let text = format == .json ? jsonBatch(vccItem("R-1", amount: number)) : vccItem("R-1", amount: number) + "\n"
            let outcome = try readBatch(text, format: format, configuration: configuration)
            #expect(outcome.errorMessages == [])
            #expect(outcome.lines.first?.amount.minorUnits == minorUnits)
            #expect(outcome.lines.first?.amount.decimalString == (number.contains(".") ? number : number + ".00"))
        }
    }

    @Test(arguments: [
        ("1e2", AmountError.exponent.description),
        ("-5", AmountError.negative.description),
        ("0", AmountError.notPositive.description),
        ("100.001", AmountError.tooManyDecimals(allowed: 2, found: 3).description),
        (String(repeating: "9", count: 400), "the amount is too large"),
    ])
    func badJSONNumberAmounts(number: String, message: String) throws {
        let outcome = try readBatch(jsonBatch(vccItem("R-1", amount: number)), format: .json)
        #expect(outcome.errors.map(\.message) == [message])
        #expect(outcome.errors.first?.column == "amount")
        #expect(outcome.errors.first?.value == number)
    }

    @Test func cardIDMayBeAJSONNumber() throws {
        let item = #"{"provider": "vcc", "card_id": 100029775, "amount": "1.00", "currency": "USD", "reference": "R-1"}"#
        let outcome = try readBatch(jsonBatch(item), format: .json)
        #expect(outcome.errorMessages == [])
        #expect(outcome.lines.first?.cardID == "100029775")
    }

    @Test func diagnosticsGiveItemIndexAndPhysicalLine() throws {
        let multiLineItem = """
            {
              "provider": "vcc",
              "card_id": "100029775",
              "amount": "12,50",
              "currency": "USD",
              "reference": "R-3"
            }
            """
        let text = jsonBatch(vccItem("R-1"), vccItem("R-2", amount: #""0.00""#), multiLineItem, vccItem("R-4", amount: #""1e3""#))
        let outcome = try readBatch(text, format: .json)
        #expect(outcome.errors.map(\.item) == [2, 3, 4])
        #expect(outcome.errors.map(\.line) == [3, 4, 11])
        #expect(outcome.errors.map(\.value) == ["0.00", "12,50", "1e3"])
        #expect(outcome.errors.first?.description.hasPrefix("batch.json:3: error: item 2, column 'amount', value \"0.00\"") == true)
        #expect(outcome.result.lineCount == 4)
    }

    @Test func fieldsAreMatchedIgnoringCaseAndUnknownFieldsAreNamed() throws {
        let item = #"{"Provider": "vcc", "CARD_ID": "100029775", "amount": "1.00", "currency": "USD", "reference": "R-1", "colour": "red"}"#
        let outcome = try readBatch(jsonBatch(item), format: .json)
        #expect(outcome.errors.map(\.column) == ["colour"])
        #expect(outcome.errors.first?.message.hasPrefix("unknown field; the fields are: provider, card_id") == true)
        #expect(outcome.errors.first?.item == 1)
    }

    @Test func duplicateFieldIsReportedOnce() throws {
        let outcome = try readBatch(jsonBatch(vccItem("R-1", extra: #", "amount": "2.00""#)), format: .json)
        #expect(outcome.errors.map(\.column) == ["amount"])
        #expect(outcome.errors.first?.message == "the field appears twice in the item")
    }

    @Test(arguments: [
        (#""reference": {"id": 1}"#, "reference", "an object"),
        (#""remark": true"#, "remark", "a boolean"),
        (#""currency": 840"#, "currency", "a number"),
        (#""provider": ["vcc"]"#, "provider", "an array"),
    ])
    func valuesOfTheWrongType(member: String, column: String, typeName: String) throws {
        let values = [
            "provider": #""provider": "vcc""#, "card_id": #""card_id": "100029775""#, "amount": #""amount": "1.00""#,
            "currency": #""currency": "USD""#, "reference": #""reference": "R-1""#, "remark": #""remark": "x""#,
        ]
        var members = values.filter { $0.key != column }.sorted { $0.key < $1.key }.map(\.value)
        members.append(member)
        let outcome = try readBatch(jsonBatch("{" + members.joined(separator: ", ") + "}"), format: .json)
        #expect(outcome.errors.map(\.column) == [column])
        #expect(outcome.errors.first?.message == "must be a string, this is \(typeName)")
    }

    @Test func nullIsAnAbsentValue() throws {
        let outcome = try readBatch(
            jsonBatch(
                vccItem("R-1", extra: #", "remark": null, "pay_coin": null"#),
                vccItem("R-2").replacingOccurrences(of: #""R-2""#, with: "null")),
            format: .json)
        #expect(outcome.lines.map(\.remark) == [nil])
        #expect(outcome.errors.map(\.column) == ["reference"])
        #expect(outcome.errors.first?.message == "a value is required")
        #expect(outcome.errors.first?.item == 2)
    }

    @Test func anItemThatIsNotAnObjectIsReportedOnce() throws {
        let outcome = try readBatch(jsonBatch(vccItem("R-1"), #""vcc,100029775,1.00,USD,R-2""#), format: .json)
        #expect(outcome.errors.map(\.message) == ["an item must be a JSON object, this is a string"])
        #expect(outcome.errors.first?.item == 2)
        #expect(outcome.result.lineCount == 2)
    }

    @Test func unknownTopLevelMember() throws {
        let text = #"{"version": 2, "items": ["# + "\n" + vccItem("R-1") + "\n]}"
        let outcome = try readBatch(text, format: .json)
        #expect(outcome.errors.map(\.column) == ["version"])
        #expect(outcome.errors.first?.line == 1)
        #expect(outcome.errors.first?.message.hasPrefix("unknown member") == true)
    }

    @Test func missingItems() throws {
        let outcome = try readBatch(#"{"batch": {"name": "november"}}"#, format: .json)
        #expect(outcome.errors.map(\.message) == [#"the batch object has no "items" array"#])
    }

    @Test(arguments: [
        (String(jsonBatch(vccItem("R-1")).dropLast(4)) + ",\n", "the file ends where a value was expected"),
        (String(jsonBatch(vccItem("R-1")).dropLast(3)), "the file ends inside the items array"),
        (jsonBatch(vccItem("R-1")) + "x\n", "text after the end of the JSON document"),
        (jsonBatch(vccItem("R-1")) + "{}", "text after the end of the JSON document"),
        (#"{"items": {}}"#, #"expected '[' ("items" is an array), found '{'"#),
        (
            "[]",
            #"expected '{' (a JSON batch is an object with "batch" and "items"), found '['; put the array in an object: {"items": [...]}"#
        ),
        (#"{"items": [{"provider": "vcc" "card_id": "1"}]}"#, "expected ',' or '}' in an object, found '\"'"),
    ])
    func syntaxErrors(text: String, message: String) throws {
        let outcome = try readBatch(text, format: .json)
        #expect(outcome.errors.map(\.message).contains(message), "\(outcome.errorMessages)")
        #expect(!outcome.result.isValid)
    }

    @Test func syntaxErrorGivesTheLine() throws {
        let text = jsonBatch(vccItem("R-1"), vccItem("R-2"), #"{"provider": "vcc", "amount": 1.}"#)
        let outcome = try readBatch(text, format: .json)
        #expect(outcome.errors.map(\.line) == [4])
        #expect(outcome.errors.first?.message == "'1.' is not a valid JSON number")
    }

    @Test func stringEscapesAreDecoded() throws {
        let outcome = try readBatch(
            jsonBatch(vccItem("R-1", extra: #", "remark": "caf\u00e9 \ud83d\ude00 \"q\" a\/b""#)), format: .json)
        #expect(outcome.lines.first?.remark == "café 😀 \"q\" a/b")
        let unpaired = try readBatch(jsonBatch(vccItem("R-1", extra: #", "remark": "\ud83d""#)), format: .json)
        #expect(unpaired.errors.map(\.message) == ["an unpaired surrogate escape in a string"])
    }

    @Test func deepNestingIsAnErrorNotACrash() throws {
        let deep = String(repeating: "[", count: 10_000)
        for text in [#"{"items": "# + deep, #"{"batch": "# + String(repeating: #"{"a": "#, count: 10_000)] {
            let outcome = try readBatch(text, format: .json)
            #expect(outcome.errors.map(\.message) == ["values are nested more than 32 levels deep"])
        }
        // The NDJSON line after the deep one is still read.
        let ndjson = try readBatch(deep + "\n" + vccItem("R-1", amount: "0") + "\n", format: .ndjson)
        #expect(ndjson.errors.map(\.message) == ["values are nested more than 32 levels deep", AmountError.notPositive.description])
        #expect(ndjson.errors.map(\.line) == [1, 2])
    }

    @Test func emptyDocuments() throws {
        #expect(try readBatch("", format: .json).errors.map(\.message) == ["the file is empty"])
        #expect(try readBatch(" \n", format: .json).errors.map(\.message) == ["the file is empty"])
        #expect(try readBatch(#"{"items": []}"#, format: .json).errors.map(\.message) == ["the file has no lines"])
        #expect(try readBatch("", format: .ndjson).errors.map(\.message) == ["the file has no lines"])
        #expect(try readBatch(#"{"batch": {"name": "x"}}"#, format: .ndjson).errors.map(\.message) == ["the file has no lines"])
    }

    @Test func batchObjectMembersAreChecked() throws {
        let batch = #"{"name": "nov", "expected_line_count": "1", "colour": "red", "expected_totals": {"USD": 100.00}}"#
        let outcome = try readBatch(jsonBatch(vccItem("R-1"), batch: batch), format: .json)
        #expect(outcome.errors.map(\.column) == ["batch.expected_line_count", "batch.colour", "batch.expected_totals.USD"])
        #expect(outcome.errors.map(\.line) == [1, 1, 1])
        #expect(outcome.errors[0].message == "has the wrong type (a string)")
        #expect(outcome.errors[1].message.hasPrefix("unknown member"))
        #expect(outcome.errors[2].message == #"must be a decimal string such as "1234.56", this is a number"#)
        #expect(outcome.result.metadata.name == "nov")
    }
}

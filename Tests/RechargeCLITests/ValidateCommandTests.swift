import Foundation
import TestSupport
import Testing

/// `recharge validate`: exit 0 and a `valid:` summary for a good file; every error with file, line and column otherwise.
@Suite(.ownThread)
struct ValidateCommandTests {
    static let totals = "totals BRL 1105.90, EUR 385.50, JPY 10000, MXN 2450.50, SGD 415.80, USD 4911.20"

    @Test(arguments: ["csv", "json", "ndjson"])
    func aValidSampleExitsZeroAndSaysValid(format: String) throws {
        let file = Recharge.sample("monthly-2026-11.\(format)")
        let result = try Recharge.run(["validate", file])
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.isEmpty, "\(result)")
        let summary = try #require(result.stdoutLines.last)
        #expect(summary.hasPrefix("valid: \(file): 50 lines (\(format), sha256 "), "\(result)")
        #expect(summary.hasSuffix("; " + Self.totals), "\(result)")
    }

    @Test func anInvalidFileExitsSixtyFiveListingEachErrorWithFileLineAndColumn() throws {
        let file = Recharge.sample("invalid/bad-amounts.csv")
        let result = try Recharge.run(["validate", file])
        #expect(result.status == 65, "\(result)")

        let lines = result.stdoutLines
        let errors = lines.filter { $0.contains(": error: ") }
        #expect(errors.count == 6, "\(result)")
        let pattern = try Regex(#"^samples/invalid/bad-amounts\.csv:(\d+): error: column 'amount', value "[^"]+": .+$"#)
        for error in errors {
            #expect(error.wholeMatch(of: pattern) != nil, "not file:line: error: column …: \(error)")
        }
        #expect(errors.map { $0.split(separator: ":")[1] } == ["3", "5", "7", "9", "11", "12"])
        #expect(lines.last == "invalid: \(file): 6 errors in 11 lines; nothing would be imported")
    }

    @Test func jsonOutputOfAValidFile() throws {
        let result = try Recharge.run(["validate", "--json", Recharge.sample("monthly-2026-11.csv")])
        #expect(result.status == 0, "\(result)")
        let report = try result.json()
        #expect(report["valid"] as? Bool == true)
        #expect((report["errors"] as? [Any])?.isEmpty == true)
        #expect(report["errorCount"] as? Int == 0)
        #expect(report["lines"] as? Int == 50)
        #expect(report["format"] as? String == "csv")
        #expect(report["sha256"] as? String == "bcff8479fbe84396ca4d4fd2457d16c961671b6847a25726f12736eaf6b056ab")
        let sums = try #require(report["sums"] as? [String: Any])
        #expect(sums["USD"] as? String == "4911.20")
        #expect(sums["JPY"] as? String == "10000")
    }

    @Test func jsonOutputOfAnInvalidFile() throws {
        let result = try Recharge.run(["validate", "--json", Recharge.sample("invalid/bad-amounts.csv")])
        #expect(result.status == 65, "\(result)")
        let report = try result.json()
        #expect(report["valid"] as? Bool == false)
        #expect(report["errorCount"] as? Int == 6)
        let errors = try #require(report["errors"] as? [[String: Any]])
        #expect(errors.count == 6)
        #expect(errors.compactMap { $0["line"] as? Int } == [3, 5, 7, 9, 11, 12])
        #expect(errors.allSatisfy { $0["column"] as? String == "amount" && $0["severity"] as? String == "error" })
        #expect(errors.compactMap { $0["value"] as? String } == ["200,00", "80.005", "-320.90", "0.00", "5,000", "1 000.00"])
        #expect(errors.allSatisfy { ($0["message"] as? String)?.isEmpty == false })
    }

    @Test(.timeLimit(.minutes(1)), arguments: [[], ["--format", "csv"], ["--format", "json"], ["--format", "ndjson"]])
    func aDeviceIsRefusedAtOnceAsNotARegularFile(format: [String]) throws {
        let result = try Recharge.run(["validate"] + format + ["/dev/zero"])
        #expect(result.status == 66, "\(result)")
        #expect(
            result.stderr.contains(
                "/dev/zero: is not a regular file (a character device); give the path of a batch file (.csv, .json or .ndjson)"),
            "\(result)")
    }

    @Test func aFileOverTheConfiguredByteLimitIsRefusedAsADataError() throws {
        try withTemporaryDirectory { directory in
            let config = directory.appendingPathComponent("recharge.json")
            try Data(#"{"accounts": [{"name": "vcc", "kind": "vcc"}], "maximumFileBytes": 1024}"#.utf8).write(to: config)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: config.path)
            let file = Recharge.sample("monthly-2026-11.csv")
            let result = try Recharge.run(["validate", "--config", config.path, file])
            #expect(result.status == 65, "\(result)")
            #expect(
                result.stderr.contains(
                    "\(file): refused: the file is larger than 1 KiB (1024 bytes), the most one batch file may have; split it into smaller batches"
                ),
                "\(result)")
        }
    }

    @Test func aSpreadsheetExportWithEmptyColumnsAndRowsIsValidWithOneWarning() throws {
        try withTemporaryDirectory { directory in
            let lines = try String(
                contentsOfFile: Recharge.packageRoot.appendingPathComponent(Recharge.sample("monthly-2026-11.csv")).path, encoding: .utf8
            )
            .split(separator: "\r\n").map { String($0) + ",,," }
            let file = directory.appendingPathComponent("export.csv").path
            try Data((lines + [String(repeating: ",", count: 11)]).map { $0 + "\r\n" }.joined().utf8).write(to: URL(fileURLWithPath: file))
            let result = try Recharge.run(["validate", file])
            #expect(result.status == 0, "\(result)")
            #expect(
                result.stdoutLines.first
                    == "\(file):1: warning: ignored as empty spreadsheet cells: columns #10 to #12 (no name, no values) and 1 row of only commas (line 52)",
                "\(result)")
            #expect(result.stdoutLines.last?.hasPrefix("valid: \(file): 50 lines") == true, "\(result)")
        }
    }
}

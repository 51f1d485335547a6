import Foundation
import RechargeCore
import RechargeProviders
import RechargeStore
import TestSupport
import Testing

@testable import RechargeReport

/// What an accountant relies on when signing a report: every failed line with its reason, control totals that
/// say when they were not given, one receipt row per provider and currency, line numbers as people count them,
/// the forced flag as stored, escaped text on the terminal, and a SHA-256 anyone can recompute.
@Suite struct SignedReportTests {
    // MARK: Failed lines

    @Test func failedLinesAreListedUnderDiscrepanciesWithTheirReason() throws {
        let (database, batch) = try GoldenBatch.make()
        let summary = try ReconciliationReport.summary(batchID: batch.id, from: database, generatedAt: at())
        #expect(summary.discrepancies.failed == 1)

        let json = try JSONSerialization.jsonObject(with: Data(try render(database, batch, .json).utf8)) as? [String: Any]
        let discrepancies = try #require(json?["discrepancies"] as? [String: Any])
        #expect((discrepancies["counts"] as? [String: Int])?["failed"] == 1)
        let failed = try #require(discrepancies["failed"] as? [[String: Any]])
        #expect(failed.count == 1)
        #expect(failed.first?["reference"] as? String == "TOPUP-0004")
        #expect(failed.first?["detail"] as? String == #"1005: Card "frozen", contact issuer"#)

        let html = try render(database, batch, .html)
        #expect(html.contains("<h3>Failed lines (1)</h3>"))
        #expect(html.contains("<td>1005: Card &quot;frozen&quot;, contact issuer</td>"))
        let text = try render(database, batch, .text)
        #expect(text.contains("Failed lines (1)"))
        #expect(text.contains(#"1005: Card "frozen", contact issuer"#))
        let csv = parseCSV(try render(database, batch, .csv))
        #expect(csv.contains { $0.first == "failed" && $0.contains("TOPUP-0004") && $0.contains(#"1005: Card "frozen", contact issuer"#) })
    }

    // MARK: Control totals

    @Test func absentControlTotalsShowAsNotGiven() throws {
        let database = try RechargeDatabase.inMemory()
        let batch = try importBatch(
            "provider,card_id,amount,currency,reference\nvcc,100030108904,120.00,USD,R-1\n", name: "no-control", into: database)

        let text = try render(database, batch, .text)
        #expect(text.contains("Control line count: not given"), "\(text)")
        #expect(text.contains("Control totals:     not given"), "\(text)")
        let usd = try #require(text.split(separator: "\n").first { $0.hasPrefix("  USD") })
        #expect(usd.hasSuffix("not given"), "\(usd)")

        let csv = parseCSV(try render(database, batch, .csv))
        let row = try #require(csv.first { $0.first == "USD" && $0.count > 14 })
        #expect(row[13] == "not given" && row[14] == "not given", "\(row)")
        #expect(csv.contains { $0.prefix(2) == ["Control line count", "not given"] })

        let html = try render(database, batch, .html)
        #expect(html.contains(#"<td class="not-given">not given</td><td class="not-given">no control total</td>"#))
        #expect(html.contains(#"<th>Control line count</th><td><span class="not-given">not given</span></td>"#))
    }

    // MARK: Receipts

    @Test func receiptsHaveOneRowPerProviderAndCurrency() throws {
        // HyperCard charges its fee in the pay coin; UQPay reports what it credited and no fee. Both are USD lines.
        let database = try RechargeDatabase.inMemory()
        let batch = try importBatch(
            """
            provider,card_id,amount,currency,reference,pay_coin
            hypercard,00003454323400000028904,200.00,USD,R-1,usdt
            uqpay,c1acc990-6424-450a-a36b-f9b3ddcb369d,50.00,USD,R-2,
            uqpay,f3703ef0-f9cb-429c-93fe-5cb435cc1d96,25.00,USD,R-3,

            """, name: "receipts", into: database)
        let usd = Currency(code: "USD")!
        try settle(
            database, batch, row: 1, .applied,
            receipt: ProviderReceipt(
                providerReference: "HC-1", credited: Money(minorUnits: 19_700, currency: usd),
                fee: ChargedAmount(minorUnits: 300_000_000, unit: "USDT")),
            sentAt: at(1), doneAt: at(2))
        for row in [2, 3] {
            try settle(
                database, batch, row: row, .applied,
                receipt: ProviderReceipt(
                    providerReference: "CO-\(row)", credited: Money(minorUnits: row == 2 ? 5_000 : 2_500, currency: usd)),
                sentAt: at(1), doneAt: at(3))
        }

        let summary = try ReconciliationReport.summary(batchID: batch.id, from: database, generatedAt: at())
        #expect(summary.receiptTotals.count == 1)
        let all = try #require(summary.receiptTotals.first)
        #expect(all.lines == 3 && all.requestedMinor == 27_500)
        #expect(all.credited == [UnitSum(unit: "USD", minor: 27_200)])
        #expect(all.fees == [UnitSum(unit: "USDT", minor: 300_000_000)])
        #expect(summary.receipts.map(\.account) == ["hypercard", "uqpay"])
        #expect(summary.receipts.last?.credited == [UnitSum(unit: "USD", minor: 7_500)])

        let text = try render(database, batch, .text)
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("  all providers") }.count == 1, "\(text)")
        let html = try render(database, batch, .html)
        #expect(html.components(separatedBy: "<td>All providers</td><td>USD</td>").count == 2)
        #expect(html.contains(#"<td class="n">272.00 USD</td><td class="n">3.00 USDT</td>"#))
    }

    // MARK: Line numbers

    @Test func linesShowTheirPositionBesideTheirFileLine() throws {
        // The header is line 1 and a blank line follows the first record, so the second record is on line 4:
        // item 2 of 2.
        let database = try RechargeDatabase.inMemory()
        let batch = try importBatch(
            """
            provider,card_id,amount,currency,reference,remark
            vcc,100030108904,120.00,USD,R-1,Monthly

            vcc,100030182311,5.00,USD,R-2,Per diem

            """, name: "positions", into: database)
        let lines = try database.lines(batchID: batch.id)
        #expect(lines.map(\.lineNumber) == [2, 4])
        #expect(lines.map(\.itemNumber) == [1, 2])
        // Keys still derive from the physical line number, as for every batch imported before.
        #expect(IdempotencyKey(batchUID: batch.uid, lineNumber: 4, generation: 0).hex.count == 32)

        let json = try JSONSerialization.jsonObject(with: Data(try render(database, batch, .json).utf8)) as? [String: Any]
        let items = try #require(json?["lines"] as? [[String: Any]])
        #expect(items.map { $0["item"] as? Int } == [1, 2])
        #expect(items.map { $0["line"] as? Int } == [2, 4])
        #expect(items.map { $0["remark"] as? String } == ["Monthly", "Per diem"])

        let csv = parseCSV(try render(database, batch, .csv))
        let header = try #require(csv.firstIndex { $0.prefix(4) == ["item", "line", "reference", "remark"] })
        #expect(csv[header + 2].prefix(4) == ["2", "4", "R-2", "Per diem"])

        let html = try render(database, batch, .html)
        #expect(html.contains(#"<tr><td class="n">2</td><td class="n">4</td><td>R-2</td><td>Per diem</td>"#))
    }

    // MARK: Forced import

    @Test(arguments: [false, true])
    func forcedImportIsShownAsStored(force: Bool) throws {
        let database = try RechargeDatabase.inMemory()
        let batch = try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("forced.csv").path
            try Data("provider,card_id,amount,currency,reference\nvcc,100030108904,1.00,USD,R-1\n".utf8).write(
                to: URL(fileURLWithPath: path))
            let outcome = try database.importBatch(
                ImportRequest(path: path, name: "forced", force: force),
                reader: BatchReader(configuration: .builtInDefault, profiles: .all), now: at())
            guard case .imported(let batch, _) = outcome else { throw ReportError("not imported: \(outcome)") }
            return batch
        }
        #expect(batch.forced == force)
        let text = try render(database, batch, .text)
        #expect(text.contains(force ? "Forced import:      yes (imported with --force)" : "Forced import:      no\n"), "\(text)")
        let json = try render(database, batch, .json)
        #expect(json.contains(#""forced": \#(force)"#))
    }

    // MARK: Text on the terminal

    @Test func theTextReportEscapesControlAndBidiCharactersFromOutside() throws {
        let database = try RechargeDatabase.inMemory()
        let batch = try importBatch(
            "provider,card_id,amount,currency,reference\nvcc,100030108904,1.00,USD,R-1\nvcc,100030108905,2.00,USD,R-2\n",
            name: "hostile", into: database)
        try settle(
            database, batch, row: 1, .rejected, errorCode: "E\u{1B}[2J", errorMessage: "frozen\r\nline 3 FORGED\u{202E}txt.exe\u{9B}",
            sentAt: at(1), doneAt: at(2))
        try settle(database, batch, row: 2, .unresolvable, errorCode: "timeout", sentAt: at(1), doneAt: at(2))
        try database.resolveUnknown(
            batchID: batch.id, lineNumber: lineNumber(row: 2), succeeded: false, note: "portal\u{1B}]0;owned\u{07}",
            actor: "operator:alice", now: at(9))

        let text = try render(database, batch, .text)
        #expect(!text.unicodeScalars.contains { $0 != "\n" && TerminalText.isUnsafe($0) }, "\(text.debugDescription)")
        #expect(text.contains(#"E\u{1B}[2J: frozen\u{D}\u{A}line 3 FORGED\u{202E}txt.exe\u{9B}"#), "\(text)")
        #expect(text.contains(#"portal\u{1B}]0;owned\u{7}"#), "\(text)")
        // HTML keeps the characters (a browser does not interpret them) and escapes markup as before.
        let html = try render(database, batch, .html)
        #expect(html.contains("frozen\r\nline 3 FORGED"))
    }

    // MARK: Sign-off and SHA-256

    @Test(arguments: [(ReportFormat.html, "report.html"), (.csv, "report.csv"), (.text, "report.txt")])
    func theSignOffHashIsWhatTheDocumentedCommandPrints(format: ReportFormat, name: String) throws {
        let (database, batch) = try GoldenBatch.make()
        let output = ReportOutput()
        try ReconciliationReport.write(batchID: batch.id, from: database, format: format, to: output, generatedAt: at(3_600))
        let report = output.text
        #expect(report.contains("Prepared by") && report.contains("Approved by"))
        let printed = try #require(Self.printedHash(report), "no SHA-256 in the sign-off block")

        try withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent(name)
            try Data(output.bytes).write(to: file)
            let command = try #require(ReportSignature.checkCommand(format, file: name))
            #expect(
                report.contains(
                    format == .html
                        ? command.replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
                            .replacingOccurrences(of: "'", with: "&#39;") : command))
            #expect(try Self.shell(command, in: directory) == printed, "the documented check prints another hash")

            // Any change above the marker (here one digit of an amount) gives another hash.
            let tampered = report.replacingOccurrences(of: "12.345", with: "12.346")
            #expect(tampered != report)
            try Data(tampered.utf8).write(to: file)
            #expect(try Self.shell(command, in: directory) != printed)
        }
        // Writing the same report again at the same time gives the same bytes and the same hash.
        let again = ReportOutput()
        try ReconciliationReport.write(batchID: batch.id, from: database, format: format, to: again, generatedAt: at(3_600))
        #expect(again.bytes == output.bytes)
    }

    @Test func theHTMLReportPrintsOnA4LandscapeWithPageNumbers() throws {
        let (database, batch) = try GoldenBatch.make()
        let html = try render(database, batch, .html)
        let print = try #require(html.range(of: "@media print {").map { String(html[$0.lowerBound...]) })
        #expect(print.contains("size: A4 landscape;"))
        #expect(print.contains(#"content: "Page " counter(page) " of " counter(pages);"#))
        #expect(html.contains(#"table.lines, table.items { width: 100%; table-layout: fixed;"#))
        // The widths of the line table's columns add up to the page.
        #expect(HTMLReport.lineColumns.map(\.1).reduce(0, +) == 100)
        #expect(HTMLReport.discrepancyColumns.map(\.1).reduce(0, +) == 100)
        #expect(html.contains(#"<section id="sign-off">"#))
    }

    /// The first 64 hex digits in the sign-off block (the last "Sign-off" of the report).
    static func printedHash(_ report: String) -> String? {
        guard let signOff = report.range(of: "Sign-off", options: .backwards) else { return nil }
        let tail = report[signOff.upperBound...]
        return tail.firstMatch(of: /[0-9a-f]{64}/).map { String($0.output) }
    }

    /// Runs `command` with `/bin/sh` in `directory`; returns the first word of its output (`sha256sum`'s hash).
    static func shell(_ command: String, in directory: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }
}

import Foundation
import RechargeCore
import RechargeStore
import Testing

@testable import RechargeReport

/// The four formats of the golden batch, compared byte for byte with `Golden/report.{csv,json,html,txt}`.
///
/// After an intended change of a format, regenerate the files and review the diff before committing:
///
///     RECHARGE_UPDATE_GOLDEN=1 swift test --filter GoldenReportTests
///
/// The batch (see ``GoldenBatch``) is built through the store's public API with fixed times; only the batch uid
/// is random, and it is replaced by a placeholder before comparing.
@Suite struct GoldenReportTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static let update = ProcessInfo.processInfo.environment["RECHARGE_UPDATE_GOLDEN"] == "1"

    @Test(arguments: [(ReportFormat.csv, "csv"), (.json, "json"), (.html, "html"), (.text, "txt")])
    func matchesTheGoldenFile(format: ReportFormat, fileExtension: String) throws {
        let (database, batch) = try GoldenBatch.make()
        let report = try render(database, batch, format)
        let url = Self.directory.appendingPathComponent("report.\(fileExtension)")
        if Self.update {
            try Data(report.utf8).write(to: url)
        }
        let golden = try String(contentsOf: url, encoding: .utf8)
        #expect(Array(report.utf8) == Array(golden.utf8), "report.\(fileExtension) differs; see the comment above to regenerate")
        if report != golden {
            let reportLines = report.split(separator: "\n", omittingEmptySubsequences: false)
            let goldenLines = golden.split(separator: "\n", omittingEmptySubsequences: false)
            if let first = zip(reportLines, goldenLines).enumerated().first(where: { $0.element.0 != $0.element.1 }) {
                Issue.record("first difference at line \(first.offset + 1):\n  got:    \(first.element.0)\n  golden: \(first.element.1)")
            }
        }
    }

    @Test func theGoldenBatchHasEveryStateAndItsTotalsAddUp() throws {
        let (database, batch) = try GoldenBatch.make()
        let lines = try database.lines(batchID: batch.id)
        #expect(Set(lines.map(\.state)) == Set(LineState.allCases))
        let summary = try ReconciliationReport.summary(batchID: batch.id, from: database, generatedAt: at())
        let usd = try #require(summary.currencies.first { $0.currency == "USD" })
        #expect(usd.outcomes.requested == Amounts(lines: 4, minor: 44_525))
        #expect(usd.outcomes.succeeded == Amounts(lines: 3, minor: 37_000))
        #expect(usd.outcomes.cancelled == Amounts(lines: 1, minor: 7_525))
        #expect(usd.matchesControl == true)
        let bhd = try #require(summary.currencies.first { $0.currency == "BHD" })
        #expect(bhd.outcomes.failed == Amounts(lines: 1, minor: 12_345))
        #expect(bhd.outcomes.unknown == Amounts(lines: 1, minor: 1_500))
        let jpy = try #require(summary.currencies.first { $0.currency == "JPY" })
        #expect(jpy.outcomes.succeeded == Amounts(lines: 1, minor: 5_000))
        #expect(jpy.outcomes.pending == Amounts(lines: 1, minor: 2_500))
        for total in summary.currencies {
            #expect(try total.outcomes.settledPlusPending() == total.outcomes.requested)
        }
        #expect(summary.discrepancies == DiscrepancyCounts(unknown: 1, failed: 1, operatorResolved: 1, creditedDiffers: 1, mismatches: 1))
        let hypercard = try #require(summary.receipts.first { $0.account == "hypercard" })
        #expect(hypercard.requestedMinor == 20_000)
        #expect(hypercard.credited == [UnitSum(unit: "USD", minor: 19_700)])
        #expect(hypercard.fees == [UnitSum(unit: "USDT", minor: 300_000_000)])
        #expect(summary.matchesControlLineCount == true)
        #expect(summary.runs.map(\.outcome) == ["interrupted"])
    }

    @Test func theJSONReportIsValidJSONWithExactAmounts() throws {
        let (database, batch) = try GoldenBatch.make()
        let text = try render(database, batch, .json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let lines = try #require(object["lines"] as? [[String: Any]])
        #expect(lines.count == 10)
        #expect(
            lines.map { $0["amount"] as? String } == [
                "120.00", "5000", "200.00", "12.345", "1.500", "50.00", "75.25", "300.00", "2500", "10.00",
            ])
        let discrepancies = try #require(object["discrepancies"] as? [String: Any])
        #expect(
            (discrepancies["operator-resolved"] as? [[String: Any]])?.first?["detail"] as? String
                == "UQPay portal shows order CO-88 applied")
    }
}

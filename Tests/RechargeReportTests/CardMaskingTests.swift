import Foundation
import RechargeCore
import RechargeStore
import Testing

@testable import RechargeReport

/// Card ids appear with their last four characters only, in every format.
@Suite struct CardMaskingTests {
    @Test(arguments: [
        ("00003454323400000028904", "****8904"), ("100030108904", "****8904"),
        ("c1acc990-6424-450a-a36b-f9b3ddcb369d", "****369d"), ("12345678", "****5678"), ("1234567", "****"), ("42", "****"),
        ("", "****"),
    ])
    func keepsOnlyTheLastFour(cardID: String, masked: String) {
        #expect(CardMask.mask(cardID) == masked)
    }

    @Test(arguments: ReportFormat.allCases)
    func noFormatShowsAFullCardID(format: ReportFormat) throws {
        let (database, batch) = try GoldenBatch.make()
        let report = try render(database, batch, format)
        for line in try database.lines(batchID: batch.id) {
            #expect(!report.contains(line.cardID), "\(format) shows the card id \(line.cardID)")
            // Nor the part before the last four, which would give the id away with the masked form.
            #expect(!report.contains(String(line.cardID.dropLast(4))), "\(format) shows most of \(line.cardID)")
        }
        if format != .text {
            #expect(report.contains("****8904"))
        }
    }
}

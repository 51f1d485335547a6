import Foundation
import RechargeCore
import RechargeStore
import TestSupport
import Testing

@testable import RechargeReport

/// Seeded random mixes of states and amounts: whatever happens to the lines, the totals add up.
@Suite struct TotalsPropertyTests {

    static let currencies = [("USD", 2), ("JPY", 0), ("BHD", 3)]

    @Test(arguments: [1, 2, 3, 5, 8, 13, 21, 34] as [UInt64])
    func totalsAddUpForAnyMixOfStates(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let lineCount = 40 + random.below(80)
        var csv = "provider,card_id,amount,currency,reference,remark,pay_coin,pay_account_num,on_behalf_of\n"
        var expected: [String: Int64] = [:]
        for number in 1...lineCount {
            let (code, exponent) = Self.currencies[random.below(Self.currencies.count)]
            let minor = Int64(1 + random.below(1_000_000))
            expected[code, default: 0] += minor
            csv += "vcc,\(100_000_000 + number),\(Money.render(minorUnits: minor, exponent: exponent)),\(code),R-\(number),,,,\n"
        }
        let database = try RechargeDatabase.inMemory()
        let batch = try importBatch(csv, name: "random-\(seed)", into: database)

        // Claim lines in random order and give each a random outcome; some stay untouched, some stay in flight.
        var unknownLines: [Int] = []
        for number in 1...lineCount where random.below(5) > 0 {
            let line = try #require(try database.line(batchID: batch.id, lineNumber: lineNumber(row: number)))
            guard let claim = try database.claim([(line.id, nil)], now: at(number)).first else { continue }
            let event: LineEvent? = [.applied, .rejected, .unresolvable, .notApplied, nil][random.below(5)]
            guard let event else { continue }
            let credited =
                event == .applied && random.below(3) == 0
                ? Money(minorUnits: max(1, line.amountMinor - Int64(random.below(100))), currency: Currency(code: line.currency)!) : nil
            try database.recordOutcome(
                lineID: line.id, attemptNumber: claim.attemptNumber, event: event, outcome: "\(event)",
                receipt: credited.map { ProviderReceipt(providerReference: nil, credited: $0) }, now: at(number + 1))
            if event == .unresolvable { unknownLines.append(number) }
        }
        if random.below(2) == 0 { try database.cancelPending(batchID: batch.id, actor: "test", now: at(1_000)) }
        for number in unknownLines where random.below(2) == 0 {
            try database.resolveUnknown(
                batchID: batch.id, lineNumber: lineNumber(row: number), succeeded: random.below(2) == 0, note: "seed \(seed)",
                actor: "test", now: at(2_000))
        }

        let summary = try ReconciliationReport.summary(batchID: batch.id, from: database, generatedAt: at())
        let lines = try database.lines(batchID: batch.id)
        #expect(summary.lineCount == lineCount)
        for total in summary.currencies {
            // requested = succeeded + failed + cancelled + unknown + pending, in lines and in minor units…
            #expect(try total.outcomes.settledPlusPending() == total.outcomes.requested, "seed \(seed), \(total.currency)")
            // …and requested is what the file asked for.
            #expect(total.outcomes.requested.minor == expected[total.currency], "seed \(seed), \(total.currency)")
            // Each bucket matches the lines in those states.
            let ofCurrency = lines.filter { $0.currency == total.currency }
            func sum(_ states: Set<LineState>) -> Amounts {
                let chosen = ofCurrency.filter { states.contains($0.state) }
                return Amounts(lines: chosen.count, minor: chosen.reduce(0) { $0 + $1.amountMinor })
            }
            #expect(total.outcomes.succeeded == sum([.success]))
            #expect(total.outcomes.failed == sum([.failed]))
            #expect(total.outcomes.cancelled == sum([.cancelled]))
            #expect(total.outcomes.unknown == sum([.unknown]))
            #expect(total.outcomes.pending == sum([.pending, .processing]))
            // The providers' rows add up to the currency's grand total.
            let providers = summary.providers.filter { $0.currency == total.currency }
            #expect(providers.reduce(0) { $0 + $1.outcomes.requested.minor } == total.outcomes.requested.minor)
        }
        #expect(summary.discrepancies.unknown == lines.filter { $0.state == .unknown }.count)
        #expect(
            summary.discrepancies.creditedDiffers == lines.filter { $0.creditedMinor != nil && $0.creditedMinor != $0.amountMinor }.count)

        // The CSV's grand totals say the same, as exact decimal strings.
        let rows = parseCSV(try render(database, batch, .csv))
        let header = try #require(rows.firstIndex { $0.first == "currency" && $0.dropFirst().first == "requested_lines" })
        for row in rows[(header + 1)...].prefix(while: { !($0.first ?? "").isEmpty }) {
            let code = row[0]
            let exponent = Currency(code: code)!.exponent
            #expect(row[2] == Money.render(minorUnits: expected[code] ?? 0, exponent: exponent), "seed \(seed), \(code)")
        }
    }
}

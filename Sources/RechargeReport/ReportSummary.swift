import Foundation
import RechargeCore
import RechargeStore

/// A number of lines and their exact sum in minor units.
package struct Amounts: Hashable, Sendable {
    package var lines: Int
    package var minor: Int64

    package init(lines: Int = 0, minor: Int64 = 0) {
        self.lines = lines
        self.minor = minor
    }

    static func + (left: Amounts, right: Amounts) throws(ReportError) -> Amounts {
        let (sum, overflow) = left.minor.addingReportingOverflow(right.minor)
        guard !overflow else { throw ReportError("a total is too large to count in 64-bit minor units") }
        return Amounts(lines: left.lines + right.lines, minor: sum)
    }
}

/// Where the lines of one group ended: the requested total and its split by outcome.
///
/// `requested` always equals `succeeded + failed + cancelled + unknown + pending`, in lines and in minor units.
package struct Outcomes: Hashable, Sendable {
    package var requested = Amounts()
    package var succeeded = Amounts()
    package var failed = Amounts()
    package var cancelled = Amounts()
    package var unknown = Amounts()
    /// Not settled yet: PENDING and PROCESSING lines.
    package var pending = Amounts()

    package init() {}

    /// The outcome buckets in report order, with their names.
    package var buckets: [(name: String, amounts: Amounts)] {
        [
            ("succeeded", self.succeeded), ("failed", self.failed), ("cancelled", self.cancelled), ("unknown", self.unknown),
            ("pending", self.pending),
        ]
    }

    /// The sum of the outcome buckets; equal to `requested` in every report.
    package func settledPlusPending() throws(ReportError) -> Amounts {
        try self.succeeded + self.failed + self.cancelled + self.unknown + self.pending
    }

    mutating func add(_ state: LineState, _ amounts: Amounts) throws(ReportError) {
        self.requested = try self.requested + amounts
        switch state {
        case .success: self.succeeded = try self.succeeded + amounts
        case .failed: self.failed = try self.failed + amounts
        case .cancelled: self.cancelled = try self.cancelled + amounts
        case .unknown: self.unknown = try self.unknown + amounts
        case .pending, .processing: self.pending = try self.pending + amounts
        }
    }
}

/// The totals of one provider account in one currency.
package struct ProviderTotals: Hashable, Sendable {
    package var account: String
    package var currency: String
    package var outcomes: Outcomes
}

/// The grand totals of one currency, over every provider, beside the control total given with the file.
package struct CurrencyTotals: Hashable, Sendable {
    package var currency: String
    package var outcomes: Outcomes
    /// The sum the batch file said this currency must have, in minor units.
    package var control: Int64?

    /// `nil` without a control total; otherwise whether the requested sum equals it.
    package var matchesControl: Bool? { self.control.map { $0 == self.outcomes.requested.minor } }
}

/// An exact sum in one unit: an ISO 4217 currency, or a payment coin (HyperCard's pay coin, 8 decimals).
package struct UnitSum: Hashable, Sendable {
    package var unit: String
    package var minor: Int64
}

/// What providers reported for a group of lines: the requested sum beside what reached the cards and the fees.
///
/// One per provider account and line currency, and one per line currency over all accounts: lines whose
/// provider reports no fee and lines charged in a pay coin fall in the same row. What reached the cards and the
/// fees are sums per unit, each in the unit the provider named; usually there is one of each.
package struct ReceiptTotals: Hashable, Sendable {
    /// The provider account; `nil` in the grand totals.
    package var account: String?
    package var currency: String
    package var lines: Int
    /// The requested sum of these lines, in `currency`.
    package var requestedMinor: Int64
    /// What reached the cards, per unit, by unit.
    package var credited: [UnitSum]
    /// What the providers charged, per unit, by unit.
    package var fees: [UnitSum]

    /// Adds the sums of `row` (a group of the same account, or of any account for the grand totals).
    mutating func add(_ row: ReceiptTotalRow) throws(ReportError) {
        self.lines += row.count
        self.requestedMinor = try ReportSummary.add(self.requestedMinor, row.requestedMinor) ?? 0
        if let minor = row.creditedMinor, let unit = row.creditedCurrency { try Self.add(minor, unit, to: &self.credited) }
        if let minor = row.feeMinor, let unit = row.feeCurrency { try Self.add(minor, unit, to: &self.fees) }
    }

    private static func add(_ minor: Int64, _ unit: String, to sums: inout [UnitSum]) throws(ReportError) {
        if let index = sums.firstIndex(where: { $0.unit == unit }) {
            sums[index].minor = try ReportSummary.add(sums[index].minor, minor) ?? 0
        } else {
            sums.append(UnitSum(unit: unit, minor: minor))
            sums.sort { $0.unit < $1.unit }
        }
    }
}

/// Everything a report shows before its lists: the batch, its runs, the totals and how many discrepancies there are.
package struct ReportSummary: Hashable, Sendable {
    package var batch: BatchRecord
    package var runs: [RunRecord]
    /// The control totals given with the file, by currency code.
    package var controlTotals: [String: Int64]
    package var providers: [ProviderTotals]
    package var currencies: [CurrencyTotals]
    package var receipts: [ReceiptTotals]
    package var receiptTotals: [ReceiptTotals]
    package var discrepancies: DiscrepancyCounts
    /// When the report was written (ISO 8601, UTC).
    package var generatedAt: String

    /// The number of lines in the batch, from the lines themselves.
    package var lineCount: Int { self.currencies.reduce(0) { $0 + $1.outcomes.requested.lines } }

    /// `nil` without a control line count; otherwise whether the batch has that many lines.
    package var matchesControlLineCount: Bool? { self.batch.controlLineCount.map { $0 == self.lineCount } }

    /// Reads the summary of a batch from a snapshot.
    static func read(batch: BatchRecord, from snapshot: ReportSnapshot, generatedAt: String) throws -> ReportSummary {
        var providers: [ProviderTotals] = []
        for row in try snapshot.stateTotals(batchID: batch.id) {
            if providers.last?.account != row.account || providers.last?.currency != row.currency {
                providers.append(ProviderTotals(account: row.account, currency: row.currency, outcomes: Outcomes()))
            }
            try providers[providers.count - 1].outcomes.add(row.state, Amounts(lines: row.count, minor: row.sumMinor))
        }

        let controls = try snapshot.controlTotals(batchID: batch.id)
        let controlTotals = Dictionary(controls.map { ($0.currency, $0.minor) }, uniquingKeysWith: { first, _ in first })
        var byCurrency: [String: Outcomes] = [:]
        for provider in providers {
            var outcomes = byCurrency[provider.currency] ?? Outcomes()
            for (state, amounts) in [
                (LineState.success, provider.outcomes.succeeded), (.failed, provider.outcomes.failed),
                (.cancelled, provider.outcomes.cancelled), (.unknown, provider.outcomes.unknown), (.pending, provider.outcomes.pending),
            ] where amounts.lines > 0 {
                try outcomes.add(state, amounts)
            }
            byCurrency[provider.currency] = outcomes
        }
        // The requested totals are counted again straight from the lines: the split by outcome must add up to them.
        for requested in try snapshot.requestedTotals(batchID: batch.id) {
            let outcomes = byCurrency[requested.currency] ?? Outcomes()
            let split = try outcomes.settledPlusPending()
            guard outcomes.requested == Amounts(lines: requested.count, minor: requested.minor), split == outcomes.requested else {
                throw ReportError("the totals of \(requested.currency) do not add up; the database may be damaged")
            }
        }
        let currencies = Set(byCurrency.keys).union(controlTotals.keys).sorted().map { code in
            CurrencyTotals(currency: code, outcomes: byCurrency[code] ?? Outcomes(), control: controlTotals[code])
        }

        // One row per account and line currency, and one per line currency over all accounts, whatever units the
        // providers named for what they credited and charged.
        var receipts: [ReceiptTotals] = []
        var receiptTotals: [String: ReceiptTotals] = [:]
        for row in try snapshot.receiptTotals(batchID: batch.id) {
            if receipts.last?.account != row.account || receipts.last?.currency != row.currency {
                receipts.append(
                    ReceiptTotals(account: row.account, currency: row.currency, lines: 0, requestedMinor: 0, credited: [], fees: []))
            }
            try receipts[receipts.count - 1].add(row)
            var total =
                receiptTotals[row.currency]
                ?? ReceiptTotals(account: nil, currency: row.currency, lines: 0, requestedMinor: 0, credited: [], fees: [])
            try total.add(row)
            receiptTotals[row.currency] = total
        }

        return ReportSummary(
            batch: batch, runs: try snapshot.runs(batchID: batch.id), controlTotals: controlTotals, providers: providers,
            currencies: currencies, receipts: receipts, receiptTotals: receiptTotals.keys.sorted().map { receiptTotals[$0]! },
            discrepancies: try snapshot.discrepancyCounts(batchID: batch.id), generatedAt: generatedAt)
    }

    static func add(_ left: Int64?, _ right: Int64?) throws(ReportError) -> Int64? {
        guard let left, let right else { return left ?? right }
        let (sum, overflow) = left.addingReportingOverflow(right)
        guard !overflow else { throw ReportError("a total is too large to count in 64-bit minor units") }
        return sum
    }
}

/// Renders minor units in a currency's exponent, remembering each currency looked up.
struct AmountRenderer {
    private var exponents: [String: Int] = [:]

    mutating func render(_ minor: Int64, _ currency: String) -> String {
        let exponent: Int
        if let known = self.exponents[currency] {
            exponent = known
        } else {
            // Lines hold ISO 4217 codes; a fee may be in a payment coin (HyperCard's pay coin), kept with 8 decimals.
            exponent = ChargedAmount.exponent(of: currency)
            self.exponents[currency] = exponent
        }
        if Currency(code: currency) == nil { return ChargedAmount.render(minorUnits: minor, unit: currency) }
        return Money.render(minorUnits: minor, exponent: exponent)
    }

    /// Sums in several units, each followed by its unit: `197.00 USD`, `3.00 USDT + 0.10 USDC`; empty for none.
    mutating func render(_ sums: [UnitSum]) -> String {
        sums.map { self.render($0.minor, $0.unit) + " " + $0.unit }.joined(separator: " + ")
    }

    mutating func render(_ minor: Int64?, _ currency: String?) -> String {
        guard let minor, let currency else { return "" }
        return self.render(minor, currency)
    }
}

/// Timestamps as the store writes them: ISO 8601 in UTC with milliseconds.
enum ReportTimestamp {
    static func string(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T\(pad(parts.tm_hour, 2)):"
            + "\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(milliseconds % 1000), 3))Z"
    }
}

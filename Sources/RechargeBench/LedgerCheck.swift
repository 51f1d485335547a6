import RechargeCore
import RechargeSimulator
import RechargeStore

/// Exactly once, checked against the simulator's ledger: for every card, the amounts the simulator applied must be
/// the amounts of the card's SUCCESS lines, as multisets.
///
/// A ledger entry beyond the SUCCESS lines of its card and amount is *extra* (applied twice, or applied for a line
/// recorded FAILED) unless an UNKNOWN line of that card and amount accounts for it: an UNKNOWN line is one the
/// engine could not resolve and leaves to an operator, and it may or may not have been applied.
struct LedgerCheck: Sendable {
    var ledgerEntries = 0
    var successLines = 0
    /// Ledger entries not accounted for by a SUCCESS or UNKNOWN line.
    var extra = 0
    /// SUCCESS lines with no ledger entry.
    var missing = 0
    /// UNKNOWN lines the ledger shows applied, and not applied.
    var unknownApplied = 0
    var unknownNotApplied = 0
    /// The first few cards that do not match, for the report.
    var examples: [String] = []

    var isExact: Bool { self.extra == 0 && self.missing == 0 }

    /// Compares `ledger` with `lines`; `kinds` maps an account name to its provider kind.
    init(ledger: [LedgerEntry], lines: [LineRecord], kinds: [String: String]) {
        self.ledgerEntries = ledger.count
        var applied: [String: [Int64: Int]] = [:]
        for entry in ledger {
            let key = entry.provider + "/" + entry.cardID.lowercased()
            guard let currency = Currency(code: entry.currency), let money = try? Money.parse(entry.amount, currency: currency) else {
                self.extra += 1
                self.note("\(key): ledger amount \(entry.amount) \(entry.currency) unreadable")
                continue
            }
            applied[key, default: [:]][money.minorUnits, default: 0] += 1
        }
        var succeeded: [String: [Int64: Int]] = [:]
        var unknown: [String: [Int64: Int]] = [:]
        for line in lines {
            let key = (kinds[line.account] ?? line.account) + "/" + line.cardID.lowercased()
            switch line.state {
            case .success:
                self.successLines += 1
                succeeded[key, default: [:]][line.amountMinor, default: 0] += 1
            case .unknown:
                unknown[key, default: [:]][line.amountMinor, default: 0] += 1
            default:
                break
            }
        }
        for key in Set(applied.keys).union(succeeded.keys).union(unknown.keys).sorted() {
            let amounts = Set(applied[key, default: [:]].keys).union(succeeded[key, default: [:]].keys).union(
                unknown[key, default: [:]].keys)
            for amount in amounts.sorted() {
                let inLedger = applied[key]?[amount] ?? 0
                let success = succeeded[key]?[amount] ?? 0
                let undecided = unknown[key]?[amount] ?? 0
                if inLedger < success {
                    self.missing += success - inLedger
                    self.note("\(key): \(success) SUCCESS lines of \(amount) minor units, \(inLedger) in the ledger")
                }
                let beyond = max(0, inLedger - success)
                let explained = min(beyond, undecided)
                self.unknownApplied += explained
                self.unknownNotApplied += undecided - explained
                if beyond > explained {
                    self.extra += beyond - explained
                    self.note(
                        "\(key): \(inLedger) ledger entries of \(amount) minor units, \(success) SUCCESS and \(undecided) UNKNOWN lines")
                }
            }
        }
    }

    private mutating func note(_ text: String) {
        if self.examples.count < 10 { self.examples.append(text) }
    }
}

import Foundation
import Synchronization

/// Live counts of a run per provider account, for the progress line and the end summary.
package final class RunProgress: Sendable {
    /// One account's counts.
    package struct Account: Hashable, Sendable {
        package var name: String
        /// Lines to do when the run started (pending or in flight, in the run's scope).
        package var total = 0
        package var succeeded = 0
        package var failed = 0
        package var unknown = 0
        /// Lines sent back to PENDING for a retry (each time).
        package var retried = 0
        /// In-doubt answers (each one is resolved by status queries).
        package var inDoubt = 0
        /// Requests sent: recharges, status queries and evidence reads.
        package var requests = 0
        /// Requests refused with 429.
        package var throttled = 0
        /// Lines claimed whose first send has not finished, and lines being resolved.
        package var inFlight = 0
        package var resolving = 0

        /// Lines that reached a final state in this run.
        package var settled: Int { self.succeeded + self.failed + self.unknown }
    }

    /// What the progress line shows.
    package struct Snapshot: Sendable {
        package var accounts: [Account]
        package var elapsed: Duration

        package var total: Int { self.accounts.reduce(0) { $0 + $1.total } }
        package var settled: Int { self.accounts.reduce(0) { $0 + $1.settled } }

        /// Settled lines per second since the start.
        package var linesPerSecond: Double {
            let seconds = self.elapsed.timeInterval
            return seconds > 0 ? Double(self.settled) / seconds : 0
        }
    }

    private let accounts: Mutex<[String: Account]>
    private let order: [String]
    private let started = ContinuousClock.now

    package init(accounts names: [String]) {
        self.order = names
        self.accounts = Mutex(Dictionary(uniqueKeysWithValues: names.map { ($0, Account(name: $0)) }))
    }

    package func update(_ name: String, _ change: (inout Account) -> Void) {
        self.accounts.withLock { accounts in
            if accounts[name] == nil { accounts[name] = Account(name: name) }
            change(&accounts[name]!)
        }
    }

    package func snapshot() -> Snapshot {
        let accounts = self.accounts.withLock { $0 }
        return Snapshot(accounts: self.order.compactMap { accounts[$0] }, elapsed: ContinuousClock.now - self.started)
    }
}

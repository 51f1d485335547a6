import Foundation
import Synchronization

/// Live counts of a run per provider account, for the progress display and the end summary.
///
/// Rates are recent: each account counts the lines it settles in one-second buckets over the last ``window``
/// (a ring of `window` buckets, allocated once), so a provider that slows down (throttled, failing) shows it within
/// seconds, and its ETA moves with it. Time comes from the clock the runner was given, so tests drive it.
/// Recording a settled line is O(1) and allocates nothing: one clock read, one lock, one bucket.
package final class RunProgress: Sendable {
    /// How far back the recent rates look, by default: about the last 20 seconds.
    package static let defaultWindow: Duration = .seconds(20)

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
        /// Lines settled per second over the recent window (filled in by ``RunProgress/snapshot()``).
        package var recentRate: Double = 0
        /// Set when the account's lanes were stopped because its provider stayed unreachable (its breaker open):
        /// how long it had been unreachable then. Its unsent lines stay PENDING for the next run.
        package var unreachableFor: Duration?

        package init(name: String) {
            self.name = name
        }

        /// Lines that reached a final state in this run.
        package var settled: Int { self.succeeded + self.failed + self.unknown }

        /// Lines of this run not final yet.
        package var remaining: Int { max(0, self.total - self.settled) }

        /// Whether the account's lanes were stopped before its lines were done (see ``unreachableFor``).
        package var isStopped: Bool { self.unreachableFor != nil }

        /// The time its remaining lines take at its recent rate: `.zero` when none remain, `nil` when it cannot be
        /// told (nothing settled recently) or the account was stopped (its lines wait for the next run).
        package var eta: Duration? {
            if self.isStopped { return nil }
            if self.remaining == 0 { return .zero }
            guard self.recentRate > 0 else { return nil }
            return .seconds((Double(self.remaining) / self.recentRate).rounded(.up))
        }
    }

    /// What the progress display shows.
    package struct Snapshot: Sendable {
        package var accounts: [Account]
        package var elapsed: Duration

        package init(accounts: [Account], elapsed: Duration) {
            self.accounts = accounts
            self.elapsed = elapsed
        }

        package var total: Int { self.accounts.reduce(0) { $0 + $1.total } }
        package var settled: Int { self.accounts.reduce(0) { $0 + $1.settled } }

        /// Settled lines per second since the start: the run's average, for its summary.
        package var linesPerSecond: Double {
            let seconds = self.elapsed.timeInterval
            return seconds > 0 ? Double(self.settled) / seconds : 0
        }

        /// Settled lines per second over the recent window, all accounts together.
        package var recentRate: Double { self.accounts.reduce(0) { $0 + $1.recentRate } }

        /// The accounts still working (not stopped) with lines left.
        private var working: [Account] { self.accounts.filter { !$0.isStopped && $0.remaining > 0 } }

        /// When the run's lines are done: the slowest account's ETA, since each account works in its own lane at its
        /// own rate (total remaining over total rate would hide a slow provider behind fast ones). `.zero` when
        /// no working account has lines left; `nil` when a working account's ETA cannot be told. Stopped accounts
        /// do not count: their lines wait for the next run.
        package var eta: Duration? {
            var slowest: Duration = .zero
            for account in self.working {
                guard let eta = account.eta else { return nil }
                slowest = max(slowest, eta)
            }
            return slowest
        }

        /// The account the ``eta`` is waiting for: the working account with the longest (or an unknown) ETA.
        package var slowestAccount: String? {
            var slowest: (name: String, eta: Duration)?
            for account in self.working {
                guard let eta = account.eta else { return account.name }
                if slowest == nil || eta > slowest!.eta { slowest = (account.name, eta) }
            }
            return slowest?.name
        }
    }

    /// One account's counts and its recent settlements.
    private struct Entry {
        var account: Account
        var window: RateWindow

        mutating func settle(at second: Int64, _ change: (inout Account) -> Void) {
            change(&self.account)
            self.window.add(at: second)
        }
    }

    private let accounts: Mutex<[String: Entry]>
    private let order: [String]
    private let windowSeconds: Int
    /// Time since the run started, on the runner's clock.
    private let elapsed: @Sendable () -> Duration

    /// - Parameters:
    ///   - names: The accounts, in display order.
    ///   - clock: The runner's clock; the run starts now.
    ///   - window: How far back recent rates look, in whole seconds (at least one).
    package init<C: Clock>(accounts names: [String], clock: C, window: Duration = RunProgress.defaultWindow)
    where C.Duration == Duration {
        let seconds = max(1, Int(window.components.seconds))
        let start = clock.now
        self.order = names
        self.windowSeconds = seconds
        self.elapsed = { start.duration(to: clock.now) }
        self.accounts = Mutex(
            Dictionary(
                uniqueKeysWithValues: names.map { ($0, Entry(account: Account(name: $0), window: RateWindow(seconds: seconds))) }))
    }

    /// How far back recent rates look.
    package var window: Duration { .seconds(self.windowSeconds) }

    /// Changes an account's counts (not its settled lines: see ``recordSettled(_:_:)``).
    package func update(_ name: String, _ change: (inout Account) -> Void) {
        self.accounts.withLock { accounts in
            change(&accounts[name, default: self.entry(name)].account)
        }
    }

    /// Counts a line that reached a final state (`change` adds it to succeeded, failed or unknown) in the account's
    /// recent rate. One clock read, one lock, one in-place dictionary access; nothing is allocated.
    package func recordSettled(_ name: String, _ change: (inout Account) -> Void) {
        let second = Self.second(of: self.elapsed())
        self.accounts.withLock { accounts in
            accounts[name, default: self.entry(name)].settle(at: second, change)
        }
    }

    /// A new account's entry (for a name the initialiser was not given).
    private func entry(_ name: String) -> Entry {
        Entry(account: Account(name: name), window: RateWindow(seconds: self.windowSeconds))
    }

    package func snapshot() -> Snapshot {
        let elapsed = self.elapsed()
        let accounts = self.accounts.withLock { entries in
            self.order.compactMap { name -> Account? in
                guard let entry = entries[name] else { return nil }
                var account = entry.account
                account.recentRate = entry.window.rate(at: elapsed)
                return account
            }
        }
        return Snapshot(accounts: accounts, elapsed: elapsed)
    }

    private static func second(of elapsed: Duration) -> Int64 { max(0, elapsed.components.seconds) }
}

/// Events counted per second over the last `seconds` seconds, in a ring of buckets allocated once.
///
/// The bucket of second `t` is `counts[t % seconds]`; it is valid while `t` is within the window that ends at
/// ``newest``. Adding clears the buckets of the seconds skipped since the newest (at most the whole ring).
struct RateWindow: Sendable {
    private var counts: [Int]
    /// The latest second (since the start) counted into.
    private var newest: Int64 = 0

    init(seconds: Int) {
        self.counts = Array(repeating: 0, count: max(1, seconds))
    }

    /// Counts one event in second `second` (one that arrives late, after a newer second was counted, goes into
    /// the newest bucket).
    mutating func add(at second: Int64) {
        let size = Int64(self.counts.count)
        if second > self.newest {
            let first = max(self.newest + 1, second - size + 1)
            for stale in first...second { self.counts[Int(stale % size)] = 0 }
            self.newest = second
        }
        self.counts[Int(self.newest % size)] += 1
    }

    /// Events per second over the window that ends at `elapsed`: from the start of the oldest whole second still
    /// in it (or the run's start, if later) to `elapsed`.
    func rate(at elapsed: Duration) -> Double {
        let size = Int64(self.counts.count)
        let now = max(0, elapsed.components.seconds)
        let oldest = max(0, now - size + 1)
        var events = 0
        if self.newest >= oldest {
            for second in max(oldest, self.newest - size + 1)...self.newest { events += self.counts[Int(second % size)] }
        }
        let span = elapsed.timeInterval - Double(oldest)
        return span > 0 ? Double(events) / span : 0
    }
}

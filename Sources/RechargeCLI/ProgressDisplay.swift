import ArgumentParser
import Foundation
import RechargeCore
import RechargeEngine
import Synchronization
import UnixSignals

/// How progress is shown while a run works.
enum ProgressStyle: String, CaseIterable, ExpressibleByArgument {
    /// A live display on a terminal, log lines otherwise.
    case automatic = "auto"
    /// Redrawn lines on standard error: counts by state, recent lines per second and ETA per provider account,
    /// fitted to the terminal's width.
    case live
    /// A plain line on standard error every few seconds, for logs and schedulers.
    case log
    case none
}

/// Shows a run's progress on standard error until the run ends (the task is cancelled).
///
/// Rates are each account's recent rate (``RunProgress/defaultWindow``), and the run's ETA is the slowest account's:
/// each account works in its own lane, so the run is done when its slowest provider is. The live display is redrawn
/// twice a second and at once when the terminal is resized (SIGWINCH), every line fitted to the terminal's width.
struct ProgressDisplay {
    var style: ProgressStyle

    func show(_ progress: RunProgress) async {
        var style = self.style
        if style == .automatic { style = isatty(STDERR_FILENO) == 1 && !Output.jsonStandardError.withLock({ $0 }) ? .live : .log }
        switch style {
        case .live: await Self.showLive(progress)
        case .log: await Self.showLog(progress)
        case .automatic, .none: break
        }
    }

    private static func showLog(_ progress: RunProgress) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: .seconds(5))
            } catch { break }
            Output.err(Self.logLine(progress.snapshot()))
        }
    }

    /// Redraws every half second and on every resize; a last frame when the run ends (the task is cancelled).
    private static func showLive(_ progress: RunProgress) async {
        let (redraws, redraw) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in await UnixSignalsSequence(trapping: .sigwinch) { redraw.yield() }
            }
            group.addTask {
                while true {
                    do {
                        try await Task.sleep(for: .milliseconds(500))
                    } catch { break }
                    redraw.yield()
                }
            }
            var drawn: [Int] = []
            for await _ in redraws {
                drawn = Self.draw(progress.snapshot(), replacing: drawn)
            }
            group.cancelAll()
            if !drawn.isEmpty { _ = Self.draw(progress.snapshot(), replacing: drawn) }
        }
        redraw.finish()
    }

    /// Draws `snapshot` at the terminal's current width over the frame last drawn; returns the new frame's line widths.
    private static func draw(_ snapshot: RunProgress.Snapshot, replacing previous: [Int]) -> [Int] {
        let width = TerminalSize.columns()
        let lines = Self.render(snapshot, width: width)
        Output.errRaw(Self.frame(lines, replacing: previous, width: width))
        return lines.map { TerminalColumns.width($0) }
    }

    /// The terminal text that replaces the frame last drawn (lines of `previous` display widths, drawn at any
    /// earlier width) with `lines`.
    ///
    /// A terminal made narrower re-wraps the old lines, so each may now take several rows: the cursor goes up by the
    /// rows they take at the new `width`, and everything from there to the end of the screen is cleared before the
    /// new lines are written, so no fragment of the old frame is left.
    static func frame(_ lines: [String], replacing previous: [Int], width: Int) -> String {
        let width = max(1, width)
        let rows = previous.reduce(0) { $0 + max(1, ($1 + width - 1) / width) }
        let up = rows > 0 ? "\r\u{1B}[\(rows)F" : ""
        return up + "\u{1B}[J" + lines.joined(separator: "\n") + "\n"
    }

    /// The live display for a terminal `width` columns wide: a total line and one line per account, each at most
    /// `width` display columns, account names escaped (`terminalSafe`) and cut to fit.
    ///
    /// Each account line keeps its name, settled/total, recent rate and ETA; the other counts are added by importance
    /// (failed, unknown, in flight, 429s, retried, resolving, ok) while they fit.
    static func render(_ snapshot: RunProgress.Snapshot, width: Int) -> [String] {
        let width = max(1, width)
        var lines = [Self.totalLine(snapshot, width: width)]
        let names = snapshot.accounts.map { $0.name.terminalSafe }
        // Columns of the essential fields, aligned over the accounts still working (a stopped one says why instead).
        func layout(compact: Bool) -> (essentials: [[String]], fieldWidths: [Int], width: Int) {
            let essentials = snapshot.accounts.map { Self.essentials($0, compact: compact) }
            let working = zip(snapshot.accounts, essentials).filter { !$0.0.isStopped }.map(\.1)
            let fieldWidths = (0..<3).map { field in
                working.map { $0.indices.contains(field) ? TerminalColumns.width($0[field]) : 0 }.max() ?? 0
            }
            return (essentials, fieldWidths, fieldWidths.reduce(0, +) + 2 * (fieldWidths.count - 1))
        }
        // Exact counts where they leave a name room; `999k/1.0M` where they would not.
        var (essentials, fieldWidths, essentialWidth) = layout(compact: false)
        if width - 4 - essentialWidth < 8 { (essentials, fieldWidths, essentialWidth) = layout(compact: true) }
        let longestName = names.map { TerminalColumns.width($0) }.max() ?? 0
        let nameWidth = min(longestName, 24, max(4, width - 4 - essentialWidth))
        for (index, account) in snapshot.accounts.enumerated() {
            let fields = essentials[index]
            if account.isStopped {
                // Why it stopped matters more than the end of its name: the longest wording that fits.
                let wordings = Self.stoppedWordings(account).map { fields[0] + "  " + $0 }
                let reason = wordings.first { width - 4 - TerminalColumns.width($0) >= 4 } ?? wordings.last!
                let name = min(nameWidth, max(4, width - 4 - TerminalColumns.width(reason)))
                let line = "  " + TerminalColumns.padded(names[index], to: name) + "  " + reason
                lines.append(TerminalColumns.truncated(line + Self.details(account, room: width - TerminalColumns.width(line)), to: width))
                continue
            }
            let aligned = fields.enumerated().map { field, text in
                field == fields.count - 1 ? text : TerminalColumns.padded(text, to: fieldWidths[field])
            }
            var line = "  " + TerminalColumns.padded(names[index], to: nameWidth) + "  " + aligned.joined(separator: "  ")
            line += Self.details(account, room: width - TerminalColumns.width(line))
            lines.append(TerminalColumns.truncated(line, to: width))
        }
        return lines
    }

    /// `12/200 lines settled · 45 lines/s · ETA 1m47s (vcc)`: the ETA is the slowest account's, named. Narrower,
    /// the wording and then the counts get shorter (`1.1M/1.4M · 540/s · ETA 33m15s`), so the ETA stays.
    private static func totalLine(_ snapshot: RunProgress.Snapshot, width: Int) -> String {
        let eta = "ETA \(Self.eta(snapshot.eta))"
        let rate = Self.rate(snapshot.recentRate)
        let wordings = [
            "\(snapshot.settled)/\(snapshot.total) lines settled · \(rate) lines/s · \(eta)",
            "\(snapshot.settled)/\(snapshot.total) settled · \(rate)/s · \(eta)",
            "\(Self.count(snapshot.settled))/\(Self.count(snapshot.total)) · \(rate)/s · \(eta)",
        ]
        var line = wordings.first { TerminalColumns.width($0) <= width } ?? wordings.last!
        // The account the ETA waits for, in what room is left.
        if snapshot.accounts.count > 1, snapshot.eta != .zero, let slowest = snapshot.slowestAccount {
            let room = min(16, width - TerminalColumns.width(line) - 3)
            if room >= 4 { line += " (\(TerminalColumns.truncated(slowest.terminalSafe, to: room)))" }
        }
        let stopped = snapshot.accounts.filter(\.isStopped).count
        let note = " · \(stopped) account\(stopped == 1 ? "" : "s") stopped"
        if stopped > 0, TerminalColumns.width(line) + TerminalColumns.width(note) <= width { line += note }
        return TerminalColumns.truncated(line, to: width)
    }

    /// Why a stopped account stopped, longest first.
    private static func stoppedWordings(_ account: RunProgress.Account) -> [String] {
        let time = Self.duration(account.unreachableFor ?? .zero)
        return [
            "stopped: unreachable \(time), \(account.remaining) left PENDING",
            "unreachable \(time), \(Self.count(account.remaining)) PENDING", "unreachable \(time)", "unreachable",
        ]
    }

    /// What an account line always shows: settled/total, then recent rate and ETA, or why it stopped.
    private static func essentials(_ account: RunProgress.Account, compact: Bool) -> [String] {
        let counts = compact ? "\(Self.count(account.settled))/\(Self.count(account.total))" : "\(account.settled)/\(account.total)"
        if account.isStopped { return [counts] + Self.stoppedWordings(account).prefix(1) }
        return [counts, "\(Self.rate(account.recentRate))/s", "ETA \(Self.eta(account.eta))"]
    }

    /// The other counts (those not zero) that fit in `room` columns, chosen by importance, shown in a fixed order.
    private static func details(_ account: RunProgress.Account, room: Int) -> String {
        let shown: [(label: String, value: Int)] = [
            ("ok", account.succeeded), ("failed", account.failed), ("unknown", account.unknown), ("in flight", account.inFlight),
            ("resolving", account.resolving), ("retried", account.retried), ("429s", account.throttled),
        ].filter { $0.1 > 0 }
        let importance = ["failed", "unknown", "in flight", "429s", "retried", "resolving", "ok"]
        var chosen: Set<String> = []
        var used = 0
        for label in importance {
            guard let field = shown.first(where: { $0.label == label }) else { continue }
            let width = 2 + TerminalColumns.width("\(field.label) \(field.value)")
            if used + width <= room {
                chosen.insert(label)
                used += width
            }
        }
        return shown.filter { chosen.contains($0.label) }.map { "  \($0.label) \($0.value)" }.joined()
    }

    static func logLine(_ snapshot: RunProgress.Snapshot) -> String {
        let accounts = snapshot.accounts.map { account in
            let state =
                account.unreachableFor.map { "stopped: unreachable \(Self.duration($0))" }
                ?? "\(Self.rate(account.recentRate))/s, ETA \(Self.eta(account.eta))"
            return "\(account.name.terminalSafe) \(account.settled)/\(account.total) (ok \(account.succeeded), failed \(account.failed), "
                + "unknown \(account.unknown), in flight \(account.inFlight), \(state))"
        }
        return "progress: \(snapshot.settled)/\(snapshot.total) lines settled, \(Self.rate(snapshot.recentRate)) lines/s, "
            + "ETA \(Self.eta(snapshot.eta)); " + accounts.joined(separator: "; ")
    }

    /// A count in at most four columns: `950`, `9.5k`, `950k`, `9.5M`, `950M`.
    static func count(_ value: Int) -> String {
        func scaled(_ divisor: Double, _ unit: String) -> String {
            let scaled = Double(value) / divisor
            return String(format: scaled < 9.95 ? "%.1f" : "%.0f", scaled) + unit
        }
        if value < 1_000 { return "\(value)" }
        if value < 999_500 { return scaled(1e3, "k") }
        if value < 999_500_000 { return scaled(1e6, "M") }
        return scaled(1e9, "G")
    }

    static func rate(_ value: Double) -> String { String(format: value < 10 ? "%.1f" : "%.0f", value) }

    /// `done`, `?` (no recent rate to tell by), `45s`, `1m47s`, `2h05m`.
    static func eta(_ eta: Duration?) -> String {
        guard let eta else { return "?" }
        guard eta > .zero else { return "done" }
        return Self.duration(eta)
    }

    static func duration(_ duration: Duration) -> String {
        let seconds = Int(min(duration.timeInterval, 1e9).rounded(.up))
        if seconds >= 3600 { return "\(seconds / 3600)h\(String(format: "%02d", seconds % 3600 / 60))m" }
        return seconds >= 60 ? "\(seconds / 60)m\(String(format: "%02d", seconds % 60))s" : "\(seconds)s"
    }
}

import ArgumentParser
import Foundation
import RechargeEngine
import Synchronization

/// How progress is shown while a run works.
enum ProgressStyle: String, CaseIterable, ExpressibleByArgument {
    /// A live display on a terminal, log lines otherwise.
    case automatic = "auto"
    /// Redrawn lines on standard error: counts by state, lines per second and ETA per provider account.
    case live
    /// A plain line on standard error every few seconds, for logs and schedulers.
    case log
    case none
}

/// Shows a run's progress on standard error until the run ends.
struct ProgressDisplay {
    var style: ProgressStyle

    func show(_ progress: RunProgress, until stop: StopSignal) async -> RunResult? {
        var style = self.style
        if style == .automatic { style = isatty(STDERR_FILENO) == 1 && !Output.jsonStandardError.withLock({ $0 }) ? .live : .log }
        guard style != .none else { return nil }
        let interval: Duration = style == .live ? .milliseconds(500) : .seconds(5)
        var drawn = 0
        defer {
            if style == .live, drawn > 0 { Output.errRaw(Self.render(progress.snapshot(), redrawing: drawn).text) }
        }
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch { break }
            let snapshot = progress.snapshot()
            if style == .live {
                let frame = Self.render(snapshot, redrawing: drawn)
                Output.errRaw(frame.text)
                drawn = frame.lines
            } else {
                Output.err(Self.logLine(snapshot))
            }
        }
        return nil
    }

    /// The live display: a total line and one line per account, drawn over the previous frame.
    static func render(_ snapshot: RunProgress.Snapshot, redrawing previous: Int) -> (text: String, lines: Int) {
        var lines = [
            "\(snapshot.settled)/\(snapshot.total) lines settled · \(Self.rate(snapshot.linesPerSecond)) lines/s · "
                + "ETA \(Self.eta(remaining: snapshot.total - snapshot.settled, rate: snapshot.linesPerSecond))"
        ]
        let seconds = snapshot.elapsed.timeInterval
        for account in snapshot.accounts {
            let rate = seconds > 0 ? Double(account.settled) / seconds : 0
            lines.append(
                "  \(account.name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(account.settled)/\(account.total)  "
                    + "ok \(account.succeeded)  failed \(account.failed)  unknown \(account.unknown)  in flight \(account.inFlight)  "
                    + "resolving \(account.resolving)  retried \(account.retried)  429s \(account.throttled)  "
                    + "\(Self.rate(rate))/s  ETA \(Self.eta(remaining: account.total - account.settled, rate: rate))")
        }
        // Move up over the previous frame, then clear each line as it is rewritten.
        let up = previous > 0 ? "\u{1B}[\(previous)F" : ""
        return (up + lines.map { "\u{1B}[2K" + $0 }.joined(separator: "\n") + "\n", lines.count)
    }

    static func logLine(_ snapshot: RunProgress.Snapshot) -> String {
        let accounts = snapshot.accounts.map {
            "\($0.name) \($0.settled)/\($0.total) (ok \($0.succeeded), failed \($0.failed), unknown \($0.unknown), in flight \($0.inFlight))"
        }
        return "progress: \(snapshot.settled)/\(snapshot.total) lines settled, \(Self.rate(snapshot.linesPerSecond)) lines/s; "
            + accounts.joined(separator: "; ")
    }

    static func rate(_ value: Double) -> String { String(format: value < 10 ? "%.1f" : "%.0f", value) }

    static func eta(remaining: Int, rate: Double) -> String {
        guard remaining > 0 else { return "done" }
        guard rate > 0 else { return "?" }
        let seconds = Int((Double(remaining) / rate).rounded(.up))
        return seconds >= 3600
            ? "\(seconds / 3600)h\(seconds % 3600 / 60)m" : seconds >= 60 ? "\(seconds / 60)m\(seconds % 60)s" : "\(seconds)s"
    }
}

import Foundation
import RechargeCore
import RechargeEngine
import RechargeSimulator

/// What one execution benchmark run measured, and its report.
struct EngineFigures {
    var scenario: EngineScenario
    var options: EngineOptions
    var policy: ExecutionPolicy
    var connections: Int
    var lines: Int
    /// From the start of `Runner.run` to its end.
    var seconds: Double
    /// CPU (user + system) of this process over the same span: the runner's; the simulator runs in its own.
    var cpuSeconds: Double
    /// CPU of the simulator's process over the same span.
    var simulatorCPUSeconds: Double
    /// The engine's own counts per account.
    var engine: [RunProgress.Account]
    var samples: [RequestSampler.Sample]
    var settings = AccountSettings(maxInFlight: 0, timeoutMilliseconds: 0)
    var cards = 0
    var stats: [String: ProviderStats] = [:]
    var limits: [String: SimulatorConfiguration.RateLimit] = [:]
    var states: [LineState: Int] = [:]
    var ledger = LedgerCheck(ledger: [], lines: [], kinds: [:])
    var peakResidentBytes = 0
    var ceiling: BareClientCeiling?

    var requests: Int { self.stats.values.reduce(0) { $0 + $1.requests } }
    var throttled: Int { self.stats.values.reduce(0) { $0 + $1.throttled } }

    /// Providers whose largest 1-second window went over their limit plus burst.
    var overLimit: [String] {
        self.limits.keys.sorted().filter { provider in
            guard let limit = self.limits[provider], let stats = self.stats[provider] else { return false }
            return Double(stats.maxRequestsPerSecond) > limit.requestsPerSecond + Double(limit.burst)
        }
    }

    /// Whether the run did what the scenario requires: every line SUCCESS in (a) and (b), exactly once always.
    var passed: Bool {
        let allSucceeded = self.states[.success, default: 0] == self.lines
        return self.ledger.isExact && self.overLimit.isEmpty && (allSucceeded || !self.scenario.expectsAllSuccess)
    }

    /// The human-readable report, ending with one `RESULT` line for the parent process.
    func report() -> String {
        var out: [String] = []
        let rate =
            self.settings.requestsPerSecond.map { "\(Self.number($0)) requests/s, burst \(self.settings.burst ?? 0)" } ?? "no rate limit"
        out.append("execution benchmark \(self.scenario.title)")
        out.append(
            "batch: \(self.lines) lines over \(self.cards) cards (\(self.options.linesPerCard) lines per card, mix \(self.options.mix.rawValue)); "
                + "accounts: maxInFlight \(self.settings.maxInFlight), timeout \(self.settings.timeoutMilliseconds) ms, \(rate); "
                + "\(self.connections) HTTP connections")
        out.append("policy: \(Self.describe(self.policy))")
        out.append(
            String(
                format: "run: %d lines in %.2f s = %.0f lines/s; simulator saw %d requests = %.0f requests/s", self.lines, self.seconds,
                Double(self.lines) / self.seconds, self.requests, Double(self.requests) / self.seconds))
        out.append(
            "provider    requests  applied  429s  max 1s window  limit+burst  busy until  req/s while busy  longest pause      "
                + "engine: requests  429s  retried  in doubt")
        for provider in SimulatorConfiguration.providers {
            let stats = self.stats[provider]
            let activity = RequestSampler.activity(self.samples, provider: provider)
            let limit = self.limits[provider].map { "\(Self.number($0.requestsPerSecond)) + \($0.burst)" } ?? "none"
            let busy = activity.busyUntil.seconds
            let engine = self.engine.first { $0.name == provider }
            let over = self.overLimit.contains(provider) ? " OVER" : ""
            out.append(
                Self.padded(provider + over, 10)
                    + String(
                        format: "  %8d  %7d  %4d  %13d  %@  %8.1f s  %16.0f  %4.1f s at %5.1f s  %16d  %4d  %7d  %8d", stats?.requests ?? 0,
                        stats?.applied ?? 0, stats?.throttled ?? 0,
                        stats?.maxRequestsPerSecond ?? 0, Self.padded(limit, 11, left: true) as NSString, busy,
                        busy > 0 ? Double(stats?.requests ?? 0) / busy : 0, activity.longestPause.seconds,
                        activity.pauseStartedAt.seconds, engine?.requests ?? 0, engine?.throttled ?? 0, engine?.retried ?? 0,
                        engine?.inDoubt ?? 0))
        }
        out.append(contentsOf: self.ceilingLines())
        let states = LineState.allCases.filter { self.states[$0, default: 0] > 0 }.map { "\($0.rawValue) \(self.states[$0]!)" }
        out.append("final states: \(states.joined(separator: ", "))")
        out.append(self.ledgerLine())
        out.append(contentsOf: self.ledger.examples.map { "  mismatch: \($0)" })
        let resident = self.samples.map(\.residentBytes)
        out.append(
            "peak RSS: \(ResourceUsage.megabytes(self.peakResidentBytes)) (during the run: "
                + "\(ResourceUsage.megabytes(resident.first ?? 0)) at the start, \(ResourceUsage.megabytes(resident.max() ?? 0)) at most, "
                + "\(ResourceUsage.megabytes(resident.last ?? 0)) at the end)")
        out.append(self.passed ? "verdict: pass" : "verdict: FAIL")
        out.append(
            "RESULT scenario=\(self.scenario.rawValue) lines=\(self.lines) seconds=\(self.seconds) requests=\(self.requests) "
                + "success=\(self.states[.success, default: 0]) failed=\(self.states[.failed, default: 0]) "
                + "unknown=\(self.states[.unknown, default: 0]) throttled=\(self.throttled) overLimit=\(self.overLimit.count) "
                + "extra=\(self.ledger.extra) missing=\(self.ledger.missing) peak=\(self.peakResidentBytes) " + self.costFigures()
                + " passed=\(self.passed ? 1 : 0)")
        return out.joined(separator: "\n")
    }

    /// CPU per line of the engine run and the bare client, and the bare client's rate, for the `RESULT` line.
    private func costFigures() -> String {
        let lines = Double(max(1, self.lines))
        let ceilingRate: Double = self.ceiling?.linesPerSecond ?? 0
        let ceilingCPU: Double = (self.ceiling?.cpuSeconds ?? 0) / lines
        return "cpuPerLine=\(self.cpuSeconds / lines) simulatorCPUPerLine=\(self.simulatorCPUSeconds / lines) ceiling=\(ceilingRate) "
            + "ceilingCPUPerLine=\(ceilingCPU)"
    }

    /// The engine's rate beside the bare client's, and the CPU each spends per line.
    private func ceilingLines() -> [String] {
        let lines = Double(max(1, self.lines))
        let engineRate = Double(self.lines) / self.seconds
        var out = [
            String(
                format: "engine: %.0f lines/s, %.3f ms CPU per line in the runner's process (the simulator's own process: %.3f ms)",
                engineRate, self.cpuSeconds * 1000 / lines, self.simulatorCPUSeconds * 1000 / lines)
        ]
        guard let ceiling = self.ceiling else {
            out.append("ceiling: not measured (the bare client runs in scenario a only, where no limit or fault holds it back)")
            return out
        }
        out.append(
            String(
                format:
                    "ceiling (bare client, same adapters, fresh simulator, no store/limiter/engine): %d lines in %.2f s = %.0f lines/s, "
                    + "%.3f ms CPU per line in the client (the simulator's: %.3f ms), %d applied", ceiling.lines, ceiling.seconds,
                ceiling.linesPerSecond, ceiling.cpuSeconds * 1000 / lines, ceiling.simulatorCPUSeconds * 1000 / lines, ceiling.applied))
        out.append(
            String(
                format: "engine / ceiling: %.0f %% of the rate; the engine's own cost: %.3f ms CPU per line beyond the bare client's",
                100 * engineRate / ceiling.linesPerSecond, (self.cpuSeconds - ceiling.cpuSeconds) * 1000 / lines))
        return out
    }

    private func ledgerLine() -> String {
        let check = self.ledger
        var text = "ledger: \(check.ledgerEntries) applied top-ups, \(check.successLines) SUCCESS lines"
        if check.ledgerEntries == check.successLines { text += " (equal)" }
        text += check.isExact ? "; exactly once per card and amount" : "; NOT exactly once: \(check.extra) extra, \(check.missing) missing"
        if check.unknownApplied + check.unknownNotApplied > 0 {
            text += "; UNKNOWN lines: \(check.unknownApplied) applied, \(check.unknownNotApplied) not applied (for an operator)"
        }
        return text
    }

    static func describe(_ policy: ExecutionPolicy) -> String {
        func backoff(_ policy: BackoffPolicy) -> String {
            "base \(self.duration(policy.base)), cap \(self.duration(policy.cap)), \(policy.maximumAttempts) attempts"
        }
        return "retry \(backoff(policy.retry)); status queries \(backoff(policy.statusQueries)); breaker \(policy.breakerThreshold) "
            + "failures, \(self.duration(policy.breakerCooldown)) cooldown; 429 pause \(self.duration(policy.throttlePause)); "
            + "global max in flight \(policy.globalMaxInFlight); claims of \(policy.claimBatch)"
    }

    static func duration(_ duration: Duration) -> String {
        let milliseconds = Int((duration.seconds * 1000).rounded())
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
    }

    static func padded(_ text: String, _ width: Int, left: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return left ? padding + text : text + padding
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
    }
}

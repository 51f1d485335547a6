import ArgumentParser
import Foundation
import RechargeEngine
import RechargeSimulator

/// The conditions an execution benchmark runs under: what the simulated providers do, and how the accounts and
/// the engine's policy are set for them.
enum EngineScenario: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// No latency, no limits on either side: the engine's own throughput.
    case a
    /// 50 ms on every answer and 100 requests a second per provider, enforced by the simulator and configured on
    /// the accounts: does the engine use the whole allowance without going over it?
    case b
    /// Latency and every kind of fault: failures before applying, answers lost or failed after applying, answers
    /// slower than the account's time-out, throttling. Is every line applied exactly once?
    case c

    var title: String {
        switch self {
        case .a: "(a) no latency, no limits"
        case .b: "(b) 50 ms latency, 100 requests/s per provider on both sides"
        case .c: "(c) faults: latency, failures before and after applying, lost and slow answers, throttling"
        }
    }

    /// Whether every line must end SUCCESS.
    var expectsAllSuccess: Bool { self != .c }

    static let rateLimit = 100.0

    /// The account settings for the scenario.
    func account(_ options: EngineOptions) -> AccountSettings {
        switch self {
        case .a:
            AccountSettings(maxInFlight: options.maxInFlight ?? 16, timeoutMilliseconds: 5_000)
        case .b:
            AccountSettings(
                maxInFlight: options.maxInFlight ?? 16, timeoutMilliseconds: 5_000, requestsPerSecond: Self.rateLimit,
                burst: options.accountBurst ?? options.burst)
        case .c:
            AccountSettings(maxInFlight: options.maxInFlight ?? 16, timeoutMilliseconds: 1_000)
        }
    }

    /// The simulator's limits and faults for the scenario (the cards are added by the caller).
    func simulator(_ options: EngineOptions) -> SimulatorConfiguration {
        var configuration = SimulatorConfiguration()
        configuration.seed = options.seed
        configuration.limits = [:]
        var faults = SimulatorConfiguration.Faults()
        switch self {
        case .a:
            return configuration
        case .b:
            faults.latencyMilliseconds = 50
            for provider in SimulatorConfiguration.providers {
                configuration.limits[provider] = .init(requestsPerSecond: Self.rateLimit, burst: options.burst)
            }
        case .c:
            faults.latencyMilliseconds = 5
            faults.jitterMilliseconds = 20
            faults.failBeforeApply = 0.05
            faults.dropAfterApply = 0.02
            faults.errorAfterApply = 0.02
            faults.slowAfterApply = 0.02
            faults.slowMilliseconds = 1_500
            faults.throttle = 0.001
            faults.retryAfterSeconds = 1
        }
        for provider in SimulatorConfiguration.providers { configuration.faults[provider] = faults }
        return configuration
    }

    /// The engine's policy: the defaults, except in (c), where retries and status queries come sooner so that the
    /// faults are worked through in well under a minute.
    var policy: ExecutionPolicy {
        var policy = ExecutionPolicy()
        if self == .c {
            policy.retry = BackoffPolicy(base: .milliseconds(100), cap: .seconds(2), maximumAttempts: 8)
            policy.statusQueries = BackoffPolicy(base: .milliseconds(250), cap: .seconds(2), maximumAttempts: 8)
            policy.breakerCooldown = .seconds(1)
        }
        return policy
    }
}

/// What one provider account is configured with in a scenario.
struct AccountSettings: Sendable {
    var maxInFlight: Int
    var timeoutMilliseconds: Int
    var requestsPerSecond: Double?
    var burst: Int?
}

/// The knobs of an execution benchmark run, shared by the parent command and its child processes.
struct EngineOptions: ParsableArguments {
    @Option(help: "Lines in the batch.")
    var lines = 20_000

    @Option(help: "Lines per card (a provider's lines are spread over its cards, each card's lines far apart).")
    var linesPerCard = 2

    @Option(help: "How lines are shared among providers: even (same lines each) or balanced (same requests each).")
    var mix = LineMix.even

    @Option(help: "Only these providers' lines, comma-separated (default: all five).")
    var providers = SimulatorConfiguration.providers.joined(separator: ",")

    @Option(help: "Requests in flight per account (default 16).")
    var maxInFlight: Int?

    @Option(help: "The burst on top of 100 requests/s in (b), on both sides.")
    var burst = 10

    @Option(help: "The accounts' burst in (b), when it should differ from the simulator's (default: --burst).")
    var accountBurst: Int?

    @Option(help: "HTTP connections to the simulator (default: the sum of the accounts' maxInFlight, as they share one host).")
    var connections: Int?

    @Flag(help: "VCC and PayCertify accounts with readCardBeforeSend false: one request per line, no card read.")
    var noCardRead = false

    @Option(help: "The seed of the batch's amounts and the simulator's faults.")
    var seed: UInt64 = 7

    /// The same options as command-line arguments, for a child process.
    var arguments: [String] {
        var arguments = ["--lines", "\(self.lines)", "--lines-per-card", "\(self.linesPerCard)", "--mix", self.mix.rawValue]
        arguments += ["--providers", self.providers]
        if let maxInFlight { arguments += ["--max-in-flight", "\(maxInFlight)"] }
        arguments += ["--burst", "\(self.burst)", "--seed", "\(self.seed)"]
        if let accountBurst { arguments += ["--account-burst", "\(accountBurst)"] }
        if let connections { arguments += ["--connections", "\(connections)"] }
        if self.noCardRead { arguments.append("--no-card-read") }
        return arguments
    }

    /// One cycle of providers down the batch file: the mix's, less the providers left out.
    var cycle: [String] {
        let chosen = Set(self.providers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
        return self.mix.cycle.filter(chosen.contains)
    }
}

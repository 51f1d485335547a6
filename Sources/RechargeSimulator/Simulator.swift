import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The provider simulator: all five providers under path prefixes of one HTTP server.
///
/// A provider account's base URL is the server's address plus the provider's prefix, for example
/// `http://127.0.0.1:8099/uqpay/api`. `/_sim/` serves the ledger, statistics, cards and fault controls.
public struct Simulator: Sendable {
    let state: SimulatorState

    public init(configuration: SimulatorConfiguration = SimulatorConfiguration(), clock: any SimulatorClock = SystemSimulatorClock()) {
        self.state = SimulatorState(configuration: configuration, clock: clock)
    }

    /// The router with every provider's routes and the admin API.
    func router(logRequests: Bool) -> Router<SimulatorContext> {
        let router = Router(context: SimulatorContext.self)
        if logRequests { router.add(middleware: LogRequestsMiddleware(logLevel: .info)) }
        let gate = ProviderGate(state: self.state)
        VCCSimulator(state: self.state).register(on: router, gate: gate)
        HyperCardSimulator(state: self.state).register(on: router, gate: gate)
        PagsmileSimulator(state: self.state).register(on: router, gate: gate)
        UQPaySimulator(state: self.state).register(on: router, gate: gate)
        PayCertifySimulator(state: self.state).register(on: router, gate: gate)
        AdminRoutes(state: self.state).register(on: router)
        return router
    }

    /// The simulator as a Hummingbird application bound to `host:port` (port 0 picks a free port, reported
    /// to `onRunning`).
    public func application(
        host: String = "127.0.0.1", port: Int = 0, logger: Logger, logRequests: Bool = true,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: self.router(logRequests: logRequests),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "recharge-sim"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// Runs the simulator on loopback for the duration of `body`, which receives the bound port; the server is
    /// shut down gracefully when `body` returns or throws.
    public func withRunning<Result>(
        host: String = "127.0.0.1", port: Int = 0, logger: Logger = Logger(label: "recharge-sim"), logRequests: Bool = false,
        _ body: (Int) async throws -> Result
    ) async throws -> Result {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = self.application(host: host, port: port, logger: logger, logRequests: logRequests) { port in
            continuation.yield(port)
            continuation.finish()
        }
        let group = ServiceGroup(services: [application], gracefulShutdownSignals: [], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let boundPort = await iterator.next() else {
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                throw SimulatorError(message: "the simulator did not start")
            }
            do {
                let result = try await body(boundPort)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }

    /// Every applied top-up so far, in order.
    public var ledger: [LedgerEntry] { self.state.withLock { $0.ledger } }

    /// Returns once the ledger holds at least `count` entries: lets a test wait for a top-up the simulator is
    /// still applying (a client that timed out does not know when that happens) without sleeping.
    public func ledgerReaches(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            self.state.withLock { inner in
                if inner.ledger.count >= count {
                    continuation.resume()
                } else {
                    inner.ledgerWaiters.append((count, continuation))
                }
            }
        }
    }

    /// Request statistics per provider.
    public var stats: [String: ProviderStats] { self.state.withLock { $0.stats } }

    /// Moves the providers' wall clock ahead (what `POST /_sim/clock` does).
    public func advanceClock(by duration: Duration) {
        let parts = duration.components
        self.state.adjustableClock.advance(by: TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) / 1e18)
    }

    /// Replaces a provider's faults.
    public func setFaults(_ faults: SimulatorConfiguration.Faults, for provider: String) {
        self.state.withLock { $0.configuration.faults[provider] = faults }
    }
}

public struct SimulatorError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { self.message }
}

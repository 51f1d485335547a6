import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// How `recharge run`, `inbox` and `demo` live as a process: their work is a service in a `ServiceGroup`, beside
/// ``StopOnSignal``, so SIGINT or SIGTERM shuts the group down gracefully.
enum Lifecycle {
    /// Runs `service` until it returns, throws, or a signal stops it gracefully (`notice` says what happens then).
    /// - Throws: whatever `service` throws.
    static func run(_ service: some Service, stopNotice notice: String, logger: Logger) async throws {
        // The group's own records (services starting and finishing) are debug chatter for a command line.
        var groupLogger = logger
        groupLogger.logLevel = max(logger.logLevel, .notice)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: StopOnSignal(notice: notice, logger: logger), successTerminationBehavior: .gracefullyShutdownGroup),
                    .init(service: service, successTerminationBehavior: .gracefullyShutdownGroup),
                ],
                logger: groupLogger))
        try await group.run()
    }
}

/// Waits for SIGINT or SIGTERM; on the first, logs `SIGNAL received: notice` and returns, which shuts its group down
/// gracefully. Ends by itself when the group shuts down otherwise.
///
/// Only the first signal is acted on, and the trap is released when it returns, as `recharge` has always done: a
/// second SIGINT or SIGTERM during the stop does not cut it short (the run still gets its stop grace and exits 12).
struct StopOnSignal: Service {
    var notice: String
    var logger: Logger

    func run() async {
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        for await signal in signals.cancelOnGracefulShutdown() {
            self.logger.notice("\(signal) received: \(self.notice)")
            return
        }
    }
}

extension Lifecycle {
    /// Runs `body` as the service (see ``run(_:stopNotice:logger:)``) and returns its result.
    static func run<Result: Sendable>(
        stopNotice notice: String, logger: Logger, _ body: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        let box = ResultBox<Result>()
        try await Self.run(ClosureService { box.set(try await body()) }, stopNotice: notice, logger: logger)
        guard let result = box.value else { throw CancellationError() }
        return result
    }
}

/// The result of a closure run as a service, read once the group has run.
private final class ResultBox<Value: Sendable>: Sendable {
    private let state = Mutex<Value?>(nil)

    var value: Value? { self.state.withLock { $0 } }

    func set(_ value: Value) { self.state.withLock { $0 = value } }
}

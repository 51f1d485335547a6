import Foundation
import Logging
import RechargeEngine
import RechargeRuns
import RechargeStore
import ServiceLifecycle
import Synchronization

/// The runner inside `recharge serve`: executes every batch allowed to run (approved, or not needing approval),
/// as `recharge run` does, whenever there is work — woken at once by an upload or an approval, and otherwise
/// looking every few seconds, so a batch approved from the command line runs too.
///
/// One runner per database still holds: when another process (a `recharge run`) holds the lease, this one waits
/// for it and the console shows that run's progress from the store.
package final class ConsoleRunner: Service, Sendable {
    private let context: RunContext
    private let wakeStream: AsyncStream<Void>
    private let wakeContinuation: AsyncStream<Void>.Continuation
    private let idle: Duration
    private let afterTrouble: Duration

    package init(context: RunContext, idle: Duration = .seconds(5), afterTrouble: Duration = .seconds(60)) {
        self.context = context
        (self.wakeStream, self.wakeContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.idle = idle
        self.afterTrouble = afterTrouble
    }

    /// Asks the runner to look for work now.
    package func wake() { self.wakeContinuation.yield() }

    package func run() async throws {
        let logger = self.context.logger
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var pause = self.idle
            do {
                if try !self.context.database.batchesWithWork().isEmpty {
                    let result = try await RunService(context: self.context, batchID: nil).execute()
                    logger.notice("console runner: run ended \(result.ending)", metadata: ["batches": "\(result.batchIDs)"])
                    // A run that could not finish (a provider down, lines deferred) is tried again after a while,
                    // not in a tight loop; an upload or an approval still wakes the runner at once.
                    if result.ending != .completed { pause = self.afterTrouble }
                }
            } catch let failure as RechargeFailure where failure.exitCode == RechargeExit.leaseHeld.rawValue {
                logger.notice("console runner: another runner holds the database; waiting", metadata: ["detail": "\(failure.message)"])
            } catch let failure as RechargeFailure {
                logger.error("console runner: \(failure.message)")
                pause = self.afterTrouble
            } catch {
                logger.error("console runner: \(error)")
                pause = self.afterTrouble
            }
            await self.waitForWork(upTo: pause)
        }
        self.wakeContinuation.finish()
    }

    private func waitForWork(upTo pause: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in self.wakeStream.cancelOnGracefulShutdown() { return }
            }
            group.addTask { try? await Task.sleep(for: pause) }
            await group.next()
            group.cancelAll()
        }
    }
}

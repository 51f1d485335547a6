import Dispatch
import Testing

/// Runs each test of a suite on a thread of its own instead of one of Swift's cooperative threads.
///
/// The tests that run `recharge` as a child process wait for it synchronously (`waitUntilExit`, polling its output).
/// There are only as many cooperative threads as cores (two here), and a test holding one for seconds starves every
/// async test in the same process: a PostgreSQL connection, a clock, a server's handler all wait behind it. With this
/// trait, a test's task prefers an executor whose jobs run on a queue of their own, so its blocking waits block that
/// queue's thread and nothing else.
public struct OwnThreadTrait: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        // The suite itself is scoped too; only its test cases need a thread of their own.
        guard testCase != nil else { return try await function() }
        try await withTaskExecutorPreference(OwnThreadExecutor()) { try await function() }
    }
}

extension Trait where Self == OwnThreadTrait {
    /// Each test on a thread of its own: for tests that block while a child process works.
    public static var ownThread: Self { OwnThreadTrait() }
}

/// A task executor whose jobs run one after another on a serial dispatch queue, which is served by threads outside
/// the cooperative pool. Child tasks inherit the preference and share the queue: a test under it must not block
/// while waiting on a child task of its own.
public final class OwnThreadExecutor: TaskExecutor {
    private let queue = DispatchQueue(label: "recharge.tests.own-thread")
    /// Set on every such queue: how a test tells that it runs on one.
    nonisolated(unsafe) private static let marker = DispatchSpecificKey<Bool>()

    init() { self.queue.setSpecific(key: Self.marker, value: true) }

    /// Whether the caller runs on an own-thread executor's queue.
    public static var isCurrent: Bool { DispatchQueue.getSpecific(key: Self.marker) == true }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = self.asUnownedTaskExecutor()
        self.queue.async { job.runSynchronously(on: executor) }
    }
}

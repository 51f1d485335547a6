import TestSupport
import Testing

/// The trait the process-running suites carry: their blocking waits must not hold one of Swift's few cooperative
/// threads, or every async test in the process waits behind them.
@Suite(.ownThread) struct OwnThreadTests {
    @Test func aSynchronousTestRunsOnItsOwnThread() {
        #expect(OwnThreadExecutor.isCurrent)
    }

    @Test func anAsynchronousTestStaysOnItsOwnThreadAcrossSuspensions() async throws {
        try await Task.sleep(for: .milliseconds(1))
        #expect(OwnThreadExecutor.isCurrent)
    }
}

@Suite struct WithoutOwnThreadTests {
    @Test func aTestWithoutTheTraitRunsOnTheSharedThreads() {
        #expect(!OwnThreadExecutor.isCurrent)
    }
}

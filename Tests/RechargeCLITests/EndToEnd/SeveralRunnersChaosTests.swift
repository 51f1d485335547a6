import Foundation
import TestSupport
import Testing

/// Three runner processes share one PostgreSQL database against the simulator with every fault on and provider
/// limits: 10,000 lines, 20 SIGKILLs of random runners at random moments and one runner paused with SIGSTOP past its
/// lease, then resumed. `scripts/chaos --store postgres` does the soak and checks the simulator's ledger card by card.
@Suite(.serialized, .ownThread) struct SeveralRunnersChaosTests {
    @Test func threeRunnersOnOnePostgreSQLStayExactlyOnceUnderFaultsKillsAndAPause() throws {
        guard let url = ProcessInfo.processInfo.environment["RECHARGE_TEST_POSTGRES_URL"], !url.isEmpty else {
            Issue.record("RECHARGE_TEST_POSTGRES_URL is not set: run the tests with `bash scripts/test`, which starts PostgreSQL")
            return
        }
        let binaries = try Recharge.checkedExecutable().deletingLastPathComponent()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("recharge-chaos-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let chaos = try ChildProcess(
            executableURL: URL(fileURLWithPath: "/usr/bin/env"),
            [
                "python3", "scripts/chaos", "--store", "postgres", "--runners", "3", "--lines", "10000", "--kills", "20", "--seed", "7",
                "--binaries", binaries.path,
            ], outputs: folder, environment: ["RECHARGE_CHAOS_POSTGRES_URL": url])
        // A bound for a broken soak, not a pace: a debug build on a busy machine takes a few minutes.
        let code = chaos.wait(atMost: 1_800)
        let output = chaos.stdout
        #expect(code == 0, "chaos soak failed:\n\(output)\n\(chaos.stderr)")
        let figures = try #require(output.split(separator: "\n").first { $0.hasPrefix("chaos: lines=") })
        for clean in ["duplicates=0", "lost=0", "failed_or_cancelled_applied=0", "sum_mismatches=0"] {
            #expect(figures.contains(clean), "\(figures)")
        }
        #expect(figures.contains("lines=10100"))
        let several = try #require(output.split(separator: "\n").first { $0.hasPrefix("chaos: card_overlaps=") })
        #expect(several.hasPrefix("chaos: card_overlaps=0 "), "\(several)")
    }
}

import Foundation
import TestSupport
import Testing

@testable import RechargeRuns

/// The inbox's file rules without a run: which files count as arrived, and how outcomes fold into an exit code.
@Suite(.ownThread) struct InboxFolderTests {
    @Test(arguments: [("a.csv", false), ("a.csv.part", true), ("a.tmp", true), (".a.csv", true), ("a.partial", false)])
    func transferNamesAreSkipped(name: String, transient: Bool) {
        #expect(InboxFolder.isTransient(name) == transient)
    }

    @Test(
        arguments: [
            ([0, 10, 65], Int32(65)), ([0, 10], 10), ([65, 11], 11), ([11, 12], 12), ([12, 75], 75), ([75, 74], 74), ([0, 0], 0),
            ([], 0),
        ] as [([Int32], Int32)])
    func theMostUrgentOutcomeWins(codes: [Int32], expected: Int32) {
        #expect(InboxExit.worst(codes) == expected)
    }

    @Test(.timeLimit(.minutes(1)))
    func aFileThatChangesDuringTheSettlePeriodIsLeftForLater() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("inbox-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = InboxFolder(root: root.path)
        try FileManager.default.createDirectory(at: folder.incoming, withIntermediateDirectories: true)
        try folder.prepare()
        let growing = folder.incoming.appendingPathComponent("growing.csv")
        try "provider\n".write(to: growing, atomically: false, encoding: .utf8)
        try "provider\n".write(to: folder.incoming.appendingPathComponent("still.csv"), atomically: false, encoding: .utf8)
        async let arrivals = folder.arrivals(settle: .milliseconds(400))
        try await Task.sleep(for: .milliseconds(100))
        let handle = try FileHandle(forWritingTo: growing)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("vcc\n".utf8))
        try handle.close()
        #expect(try await arrivals.map(\.name) == ["still.csv"])
    }
}

import Foundation

/// The repository's `samples/` folder, for tests that read the sample batch files.
public enum SamplePaths {
    public static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("samples")

    /// The path of `samples/NAME` (`invalid/bad-amounts.csv`, …).
    public static func path(_ name: String) -> String { Self.directory.appendingPathComponent(name).path }
}

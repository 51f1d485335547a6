import Foundation
import Testing

/// What a run of the `recharge` executable produced.
struct CommandResult: CustomStringConvertible {
    let arguments: [String]
    let status: Int32
    let stdout: String
    let stderr: String

    var stdoutLines: [String] { self.stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }

    /// Standard output parsed as a JSON object.
    func json() throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(self.stdout.utf8))
        return try #require(object as? [String: Any], "stdout is not a JSON object: \(self.stdout)")
    }

    var description: String {
        "recharge \(self.arguments.joined(separator: " ")) → exit \(self.status)\n--- stdout\n\(self.stdout)--- stderr\n\(self.stderr)"
    }
}

/// Runs the built `recharge` executable as a subprocess, the way a user or scheduler does.
enum Recharge {
    /// The package root: the nearest directory above this file holding `Package.swift`.
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    }()

    /// The executable built next to the test bundle (same configuration as the tests), else `.build/debug/recharge`.
    static let executable: URL? = {
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL {
            // Linux: .build/<triple>/debug/rechargePackageTests.xctest is itself the test executable.
            candidates.append(executable.deletingLastPathComponent().appendingPathComponent("recharge"))
        }
        // macOS: .build/debug/rechargePackageTests.xctest/Contents/MacOS/… — the products sit beside the bundle.
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("recharge"))
        }
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("recharge"))
        candidates.append(packageRoot.appendingPathComponent(".build/debug/recharge"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    static let isAvailable = executable != nil

    /// The path of a sample file relative to the package root, as a user would type it there.
    static func sample(_ name: String) -> String { "samples/" + name }

    /// Runs `recharge arguments…` in the package root and waits for it, with `environment` added to this process's.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
        let executable = try #require(self.executable, "the recharge executable was not built; run swift build")
        let outputs = FileManager.default.temporaryDirectory.appendingPathComponent("recharge-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: outputs) }
        // Files, not pipes: a full pipe would block the child while we wait for it.
        let stdoutURL = outputs.appendingPathComponent("stdout")
        let stderrURL = outputs.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let stdout = try FileHandle(forWritingTo: stdoutURL)
        let stderr = try FileHandle(forWritingTo: stderrURL)

        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, added in added }
        process.currentDirectoryURL = self.packageRoot
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        process.waitUntilExit()
        try stdout.close()
        try stderr.close()

        return CommandResult(
            arguments: arguments, status: process.terminationStatus,
            stdout: try String(contentsOf: stdoutURL, encoding: .utf8),
            stderr: try String(contentsOf: stderrURL, encoding: .utf8))
    }
}

/// A temporary directory for one test's database, removed when `body` returns.
func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("recharge-cli-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url)
}

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

    /// Why the built executables cannot be trusted, if they cannot: missing, or older than a source file they are
    /// built from (a test against a stale binary would test yesterday's code). The CLI tests fail on it, never skip.
    static let executableProblem: String? = {
        guard let executable else {
            return "the recharge executable was not found next to the tests or in .build/debug; run swift build"
        }
        let directory = executable.deletingLastPathComponent()
        let sources = packageRoot.appendingPathComponent("Sources")
        /// The newest source file of `modules`.
        func newestSource(_ modules: Set<String>) -> (Date, String) {
            var newest = (Date.distantPast, "")
            let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: [.contentModificationDateKey])
            while let file = files?.nextObject() as? URL {
                let module = file.path.dropFirst(sources.path.count + 1).split(separator: "/").first.map(String.init) ?? ""
                guard file.pathExtension == "swift", modules.contains(module),
                    let modified = try? file.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate,
                    modified > newest.0
                else { continue }
                newest = (modified, file.path)
            }
            return newest
        }
        // The modules each executable is linked from (Package.swift).
        let products: [(String, Set<String>)] = [
            (
                "recharge",
                [
                    "recharge", "RechargeCLI", "RechargeRuns", "RechargeCore", "RechargeStore", "RechargeEngine", "RechargeProviders",
                    "RechargeReport",
                ]
            ),
            ("recharge-sim", ["recharge-sim", "RechargeSimulator"]),
        ]
        for (name, modules) in products {
            let path = directory.appendingPathComponent(name).path
            guard FileManager.default.isExecutableFile(atPath: path) else { return "\(path) was not built; run swift build" }
            let built = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? .distantPast
            let (newest, file) = newestSource(modules)
            if built < newest { return "\(path) is older than \(file): it is stale; run swift build" }
        }
        return nil
    }()

    /// The executable, checked: the test fails (with how to fix it) when it is missing or stale.
    static func checkedExecutable() throws -> URL {
        if let problem = executableProblem { Issue.record(Comment(rawValue: problem)) }
        return try #require(self.executable, "the recharge executable was not built; run swift build")
    }

    /// The path of a sample file relative to the package root, as a user would type it there.
    static func sample(_ name: String) -> String { "samples/" + name }

    /// Runs `recharge arguments…` in the package root and waits for it, with `environment` added to this process's.
    ///
    /// With `asUser`, the command runs under that user id and group id through `setpriv` (this needs root): how a test
    /// is a second person, for the four-eyes rules.
    /// `input`, when given, is the command's standard input (a password for `recharge user add --password-stdin`).
    static func run(
        _ arguments: [String], environment: [String: String] = [:], asUser user: UInt32? = nil, input: String? = nil
    ) throws -> CommandResult {
        let executable = try self.checkedExecutable()
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
        if let user {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=\(user)", "--regid=\(user)", "--clear-groups", "--", executable.path] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, added in added }
        process.currentDirectoryURL = self.packageRoot
        if let input {
            let inputURL = outputs.appendingPathComponent("stdin")
            try Data(input.utf8).write(to: inputURL)
            process.standardInput = try FileHandle(forReadingFrom: inputURL)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
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

import Foundation
import TestSupport
import Testing

/// `--log-format json` writes nothing but JSON objects on standard error; `--metrics-file` leaves a Prometheus text
/// file that parses line by line.
@Suite(.serialized, .ownThread)
struct LogsAndMetricsTests {
    @Test(.timeLimit(.minutes(2)))
    func jsonLogsAndAMetricsFile() throws {
        try withTemporaryDirectory { directory in
            var random = SeededRandom(seed: 2)
            let world = try EndToEndWorld(directory: directory, random: &random)
            try world.writeCleanSimulatorConfiguration()
            let (simulator, port) = try world.startSimulatorAndPort()
            defer { simulator.kill() }
            try world.writeConfiguration(port: port)
            let inbox = directory.appendingPathComponent("inbox")
            let incoming = inbox.appendingPathComponent("incoming")
            try FileManager.default.createDirectory(at: incoming, withIntermediateDirectories: true)
            try EndToEndWorld.cleanBatch(linesPerProvider: 2, reference: "M").write(
                to: incoming.appendingPathComponent("m.csv"), atomically: true, encoding: .utf8)
            try "provider,card_id\nnope,1\n".write(to: incoming.appendingPathComponent("z-bad.csv"), atomically: true, encoding: .utf8)
            let metrics = directory.appendingPathComponent("recharge.prom")

            let result = try Recharge.run([
                "inbox", inbox.path, "--db", world.database, "--config", world.config, "--settle-ms", "10", "--progress", "none",
                "--log-format", "json", "--verbose", "--metrics-file", metrics.path,
            ])
            #expect(result.status == 65, "\(result)")

            var sawLineTransition = false
            for line in result.stderr.split(separator: "\n") {
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                let record = try #require(object, "not a JSON object: \(line)")
                #expect(Set(record.keys) == ["timestamp", "level", "label", "message", "metadata"], "\(line)")
                if let metadata = record["metadata"] as? [String: String], metadata["batch"] != nil, metadata["line"] != nil,
                    metadata["key"] != nil, record["level"] as? String == "debug"
                {
                    sawLineTransition = true
                }
            }
            #expect(sawLineTransition, "--verbose logs each line transition with batch, line and key: \(result.stderr)")

            let (text, values) = try Self.samples(metrics)
            // The same names and labels as the console's /metrics: one registry renders both.
            #expect(values["recharge_exit_code{command=\"inbox\"}"] == 65, "\(text)")
            #expect(values["recharge_lines{account=\"vcc\",currency=\"USD\",state=\"SUCCESS\"}"] == 2, "\(text)")
            #expect(values["recharge_lines{account=\"vcc\",currency=\"USD\",state=\"UNKNOWN\"}"] == 0, "\(text)")
            #expect(values["recharge_amount_minor_units{account=\"vcc\",currency=\"USD\",state=\"SUCCESS\"}"] == 350, "\(text)")
            #expect(values["recharge_inbox_files{outcome=\"rejected\"}"] == 1, "\(text)")
            #expect(values["recharge_last_success_timestamp_seconds"] != nil, "\(text)")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("recharge.prom.") }
            #expect(leftovers.isEmpty, "a temporary file was left: \(leftovers)")
        }
    }

    /// A run against a PostgreSQL store writes the same file, with the lines of the batches it touched.
    @Test(.timeLimit(.minutes(2)))
    func aRunOnPostgreSQLWritesItsMetricsFile() throws {
        let server = try #require(
            ProcessInfo.processInfo.environment["RECHARGE_TEST_POSTGRES_URL"],
            "RECHARGE_TEST_POSTGRES_URL is not set: run `bash scripts/test`")
        let name = "recharge_metrics_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        try Self.psql(server, "CREATE DATABASE \(name)")
        defer { try? Self.psql(server, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        var components = try #require(URLComponents(string: server))
        components.path = "/" + name
        let url = try #require(components.string)
        try withTemporaryDirectory { directory in
            var random = SeededRandom(seed: 3)
            let world = try EndToEndWorld(directory: directory, random: &random)
            try world.writeCleanSimulatorConfiguration()
            let (simulator, port) = try world.startSimulatorAndPort()
            defer { simulator.kill() }
            try world.writeConfiguration(port: port)
            let batch = directory.appendingPathComponent("m.csv")
            try EndToEndWorld.cleanBatch(linesPerProvider: 2, reference: "P").write(to: batch, atomically: true, encoding: .utf8)
            let migrated = try Recharge.run(["migrate", "--db", url])
            #expect(migrated.status == 0, "\(migrated)")
            let imported = try Recharge.run(["import", batch.path, "--db", url, "--config", world.config])
            #expect(imported.status == 0, "\(imported)")
            let metrics = directory.appendingPathComponent("recharge.prom")
            let run = try Recharge.run([
                "run", "--db", url, "--config", world.config, "--progress", "none", "--metrics-file", metrics.path,
            ])
            #expect(run.status == 0, "\(run)")
            let (text, values) = try Self.samples(metrics)
            #expect(values["recharge_exit_code{command=\"run\"}"] == 0, "\(text)")
            #expect(values["recharge_lines{account=\"vcc\",currency=\"USD\",state=\"SUCCESS\"}"] == 2, "\(text)")
            #expect(values["recharge_lines{account=\"uqpay\",currency=\"SGD\",state=\"PROCESSING\"}"] == 0, "\(text)")
            #expect(values["recharge_last_success_timestamp_seconds"] != nil, "\(text)")
        }
    }

    /// The file's text and its samples by series, each line checked to be a Prometheus sample or comment.
    static func samples(_ file: URL) throws -> (String, [String: Double]) {
        let text = try String(contentsOf: file, encoding: .utf8)
        let sample = try Regex(#"^([a-z_]+)(\{([a-z_]+="[^"]*",?)+\})? (-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?)$"#)
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") { continue }
            #expect(try sample.wholeMatch(in: String(line)) != nil, "not a Prometheus sample: \(line)")
            values[String(line.split(separator: " ").first!)] = Double(line.split(separator: " ").last!)
        }
        return (text, values)
    }

    /// Runs one SQL statement on the test server with psql.
    static func psql(_ url: String, _ statement: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-c", statement]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "psql failed: \(statement)")
    }
}

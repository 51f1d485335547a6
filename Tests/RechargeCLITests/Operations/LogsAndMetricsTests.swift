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

            let text = try String(contentsOf: metrics, encoding: .utf8)
            let sample = try Regex(#"^([a-z_]+)(\{([a-z_]+="[^"]*",?)+\})? (-?[0-9]+(\.[0-9]+)?)$"#)
            var values: [String: String] = [:]
            for line in text.split(separator: "\n") {
                if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") { continue }
                let match = try #require(try sample.wholeMatch(in: String(line)), "not a Prometheus sample: \(line)")
                values[String(line.split(separator: " ").first!)] = String(String(line).split(separator: " ").last!)
                _ = match
            }
            #expect(values["recharge_exit_code{command=\"inbox\"}"] == "65", "\(text)")
            #expect(values["recharge_lines{account=\"vcc\",state=\"SUCCESS\"}"] == "2", "\(text)")
            #expect(values["recharge_amount_minor_units{account=\"vcc\",currency=\"USD\",state=\"SUCCESS\"}"] == "350", "\(text)")
            #expect(values["recharge_inbox_files{outcome=\"rejected\"}"] == "1", "\(text)")
            #expect(values["recharge_last_success_timestamp_seconds"] != nil, "\(text)")
            #expect(!FileManager.default.fileExists(atPath: metrics.path + ".tmp-0"))
        }
    }
}

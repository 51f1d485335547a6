import Foundation
import TestSupport
import Testing

/// Someone who can drop a file into `incoming/` chooses its name and its text. Whatever the name and the
/// references hold — a screen clear, a window-title OSC, a clipboard-writing OSC 52, a C1 CSI, a right-to-left
/// override — nothing the processor prints carries it raw: import, status, run, the text report, validate and the
/// inbox show it escaped.
@Suite(.serialized, .ownThread)
struct HostileNamesTests {
    static let hostile = "\u{1B}[2J\u{1B}]0;owned\u{07}\u{1B}]52;c;ZXZpbA==\u{07}\u{9B}31m\u{202E}vsc"

    /// Every scalar a terminal could act on, other than the newlines and tabs the processor writes itself.
    static func rawControls(_ text: String) -> [String] {
        text.unicodeScalars.filter { scalar in
            guard scalar != "\n", scalar != "\t" else { return false }
            switch scalar.value {
            case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: return true
            default: return false
            }
        }.map { String(format: "U+%04X", $0.value) }
    }

    @Test(.timeLimit(.minutes(2)))
    func nothingPrintedCarriesAControlSequence() throws {
        try withTemporaryDirectory { directory in
            var random = SeededRandom(seed: 27)
            let world = try EndToEndWorld(directory: directory, random: &random)
            try world.writeCleanSimulatorConfiguration()
            let (simulator, port) = try world.startSimulatorAndPort()
            defer { simulator.kill() }
            try world.writeConfiguration(port: port)

            // One known card (SUCCESS) and one unknown card (FAILED, so the batch is listed among the failures), in a
            // file with a hostile name; a second file whose references are hostile is refused, its values quoted.
            let text = """
                provider,card_id,amount,currency,reference
                uqpay,\(EndToEndWorld.card("uqpay", 0)),1.10,USD,ok-1
                uqpay,\(EndToEndWorld.card("uqpay", 900)),2.20,USD,bad-2

                """
            let file = directory.appendingPathComponent("nov\(Self.hostile).csv")
            try text.write(to: file, atomically: true, encoding: .utf8)
            let refused = directory.appendingPathComponent("refs\(Self.hostile)\n.csv")
            try text.replacingOccurrences(of: "ok-1", with: "ok\(Self.hostile)").write(to: refused, atomically: true, encoding: .utf8)
            let database = ["--db", world.database, "--config", world.config]

            var outputs: [(String, CommandResult)] = []
            outputs.append(("validate", try Recharge.run(["validate", file.path] + database)))
            let invalid = try Recharge.run(["import", refused.path] + database)
            #expect(invalid.status == 65, "a reference with control characters is refused: \(invalid)")
            #expect(invalid.stderr.contains("\\u{A}.csv"), "the newline in the file name is shown escaped: \(invalid)")
            outputs.append(("import refused", invalid))
            let imported = try Recharge.run(["import", file.path] + database)
            #expect(imported.status == 0, "\(imported)")
            #expect(imported.stderr.contains("\\u{1B}[2J"), "the escape is shown, visibly: \(imported)")
            outputs.append(("import", imported))
            let run = try Recharge.run(["run", "--progress", "none"] + database)
            #expect(run.status == 10, "the unknown card fails: \(run)")
            outputs.append(("run", run))
            outputs.append(("status", try Recharge.run(["status"] + database)))
            outputs.append(("status 1", try Recharge.run(["status", "1"] + database)))
            outputs.append(("status --json", try Recharge.run(["status", "1", "--json"] + database)))
            outputs.append(("report", try Recharge.run(["report", "1", "--format", "text"] + database)))

            let inbox = directory.appendingPathComponent("inbox")
            let incoming = inbox.appendingPathComponent("incoming")
            try FileManager.default.createDirectory(at: incoming, withIntermediateDirectories: true)
            let dropped = incoming.appendingPathComponent("dec\(Self.hostile).csv")
            try text.replacingOccurrences(of: "1.10", with: "3.30").write(to: dropped, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-300)], ofItemAtPath: dropped.path)
            outputs.append(
                ("inbox", try Recharge.run(["inbox", inbox.path, "--settle-ms", "20", "--progress", "none"] + database)))

            for (command, result) in outputs {
                #expect(Self.rawControls(result.stdout).isEmpty, "\(command) standard output: \(Self.rawControls(result.stdout))")
                #expect(Self.rawControls(result.stderr).isEmpty, "\(command) standard error: \(Self.rawControls(result.stderr))")
            }
        }
    }

    @Test func aNameGivenWithControlCharactersIsRefused() throws {
        try withTemporaryDirectory { directory in
            let db = directory.appendingPathComponent("recharge.sqlite").path
            let result = try Recharge.run(["import", "--db", db, "--name", "n\(Self.hostile)", Recharge.sample("monthly-2026-11.csv")])
            #expect(result.status == 64, "\(result)")
            #expect(result.stderr.contains("control or text-direction characters"), "\(result)")
            #expect(Self.rawControls(result.stderr).isEmpty, "\(result)")
            if FileManager.default.fileExists(atPath: db) {
                let status = try Recharge.run(["status", "--db", db, "--json"]).json()
                #expect(status["lines"] as? Int == 0, "nothing was imported: \(status)")
            }
        }
    }
}

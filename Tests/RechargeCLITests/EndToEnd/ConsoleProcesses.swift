import Foundation
import Testing

/// What the console's end-to-end tests start: `recharge-sim`, writing the processor's configuration into a folder,
/// console users, and `recharge serve` on that configuration.
struct ConsoleProcesses {
    let simulator: ChildProcess
    /// `--db` and `--config` of every `recharge` command the test runs.
    let common: [String]

    /// Starts the simulator in `directory` and writes its processor configuration, changed by `adjust`, as
    /// console.json beside a console.sqlite database.
    init(in directory: URL, simulatorArguments: [String] = [], adjust: (inout [String: Any]) -> Void) throws {
        self.simulator = try ChildProcess(
            "recharge-sim", ["--port", "0", "--quiet"] + simulatorArguments + ["--processor-config", directory.path], outputs: directory)
        let written = directory.appendingPathComponent("recharge.json")
        guard Polling.until(atMost: 60, { (try? Data(contentsOf: written))?.isEmpty == false }) else {
            self.simulator.terminate()
            throw ProcessFailure(description: "recharge-sim wrote no recharge.json: \(self.simulator.stderr)")
        }
        var configuration = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: written)) as? [String: Any])
        adjust(&configuration)
        let config = directory.appendingPathComponent("console.json")
        try JSONSerialization.data(withJSONObject: configuration).write(to: config)
        self.common = ["--db", directory.appendingPathComponent("console.sqlite").path, "--config", config.path]
    }

    /// Adds a console user (bcrypt at its cheapest cost: a test, not a deployment).
    func addUser(_ name: String, role: String, password: String) throws {
        let added = try Recharge.run(
            ["user", "add", name, "--role", role, "--password-stdin"] + self.common, environment: ["RECHARGE_BCRYPT_COST": "4"],
            input: password + "\n")
        #expect(added.status == 0, "\(added)")
    }

    /// Starts `recharge serve` on a free loopback port; returns it and the address it announced, without the final "/".
    func serve(in directory: URL) throws -> (server: ChildProcess, url: String) {
        let server = try ChildProcess(
            "recharge", ["serve", "--listen", "127.0.0.1:0", "--progress", "none"] + self.common, outputs: directory)
        guard let announced = server.line(containing: "recharge console at ", atMost: 60),
            let address = announced.split(separator: " ").last
        else {
            server.terminate()
            server.wait(atMost: 20)
            throw ProcessFailure(description: "recharge serve announced no address: \(server.stderr)")
        }
        return (server, String(address).trimmingCharacters(in: CharacterSet(charactersIn: "/")))
    }

    struct ProcessFailure: Error, CustomStringConvertible {
        var description: String
    }
}

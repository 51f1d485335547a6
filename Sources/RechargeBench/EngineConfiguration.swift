import Foundation
import RechargeConfig
import RechargeCore
import RechargeProviders
import RechargeSimulator

/// The processor's configuration for a simulator on loopback: one account per provider, named after its kind,
/// with the simulator's published test credentials, secrets in key files of mode 0600.
enum EngineConfiguration {
    /// Writes the key files and `recharge.json` into `directory` and loads the configuration back, so the
    /// benchmark reads it exactly as `recharge run` would.
    static func write(port: Int, settings: AccountSettings, directory: String) throws -> RechargeConfiguration {
        var entry: [String: Any] = ["timeoutMilliseconds": settings.timeoutMilliseconds, "maxInFlight": settings.maxInFlight]
        if let rate = settings.requestsPerSecond {
            entry["requestsPerSecond"] = rate
            if let burst = settings.burst { entry["burst"] = burst }
        }
        return try RechargeConfiguration.load(
            path: SimulatorAccountsFile.write(port: port, directory: directory, settings: entry), profiles: .all)
    }
}

import RechargeProviders
import Testing

@testable import RechargeConfig
@testable import RechargeCore

/// The batch reader's file-size limit, as the configuration sets it.
@Suite struct FileSizeLimitConfigurationTests {
    @Test func theDefaultLimitIsOneGibibyteAndTheConfigurationSetsIt() throws {
        #expect(BatchReader(configuration: .builtInDefault, profiles: .all).maximumFileBytes == 1 << 30)
        let file = try TemporaryFile(
            named: "recharge.json", text: #"{"accounts": [{"name": "vcc", "kind": "vcc"}], "maximumFileBytes": 5000}"#)
        let configuration = try RechargeConfiguration.load(path: file.path, profiles: .all, environment: [:])
        #expect(BatchReader(configuration: configuration, profiles: .all).maximumFileBytes == 5000)
        #expect(BatchReader.describeBytes(1 << 30) == "1 GiB (1073741824 bytes)")
    }
}

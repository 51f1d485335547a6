import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RechargeConsole
import Testing

/// `/metrics`: the store's lines by account, currency and state in Prometheus text format, current at each scrape.
@Suite struct MetricsRouteTests {
    func value(_ text: String, _ series: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last!) }
    }

    @Test func metricsCountTheLinesByStateAndAGoneStateReadsZero() async throws {
        let harness = try ConsoleHarness(approval: nil)
        try await harness.test { client in
            // The in-process test client is not a loopback peer: a session is needed.
            #expect(try await client.execute(uri: "/metrics", method: .get).status == .forbidden)
            let olga = try await client.signIn("olga")
            let id = try #require(try await client.upload(Sample.csv, as: olga).json()["id"] as? Int)
            let before = try await client.get("/metrics", as: olga)
            #expect(before.status == .ok)
            #expect(before.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let pending = #"recharge_lines{account="vcc",currency="USD",state="PENDING"}"#
            let count = try #require(self.value(before.text, pending), "\(before.text)")
            #expect(count > 0)
            #expect(self.value(before.text, #"recharge_batches{approval="NOT_REQUIRED"}"#) == 1)
            _ = try await client.post("/api/batches/\(id)/cancel", as: olga)
            let after = try await client.get("/metrics", as: olga).text
            #expect(self.value(after, pending) == 0)
            #expect(self.value(after, #"recharge_lines{account="vcc",currency="USD",state="CANCELLED"}"#) == count)
            #expect(!after.contains("00003454323400000028904"))
        }
    }
}

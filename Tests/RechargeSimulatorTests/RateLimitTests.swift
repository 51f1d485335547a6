import Foundation
import RechargeSimulator
import Testing

/// Each provider's own rate limit (a token bucket on the simulator's monotonic clock), answered in its own way.
@Suite struct RateLimitTests {
    /// With a burst of 2 and almost no refill, the third request is the provider's 429 and is not applied.
    @Test(.timeLimit(.minutes(1)), arguments: ProviderKind.allCases)
    func thirdRequestIsRefused(_ kind: ProviderKind) async throws {
        try await withSimulator(.with(cards: [kind.card])) { sim in
            let driver = try await TopUpDriver(kind, sim)
            try await sim.setLimits(#"{"\#(kind.rawValue)": {"requestsPerSecond": 0.001, "burst": 2}}"#)
            let first = try await driver.topUp()
            let second = try await driver.topUp()
            let third = try await driver.topUp()
            #expect(try driver.isSuccess(first) && driver.isSuccess(second))
            try kind.expectTooManyRequests(third)
            if kind == .paycertify {
                #expect([first, second, third].map { $0.header("X-RateLimit-Limit") } == ["2", "2", "2"])
                #expect([first, second, third].map { $0.header("X-RateLimit-Remaining") } == ["1", "0", "0"])
            } else {
                #expect(third.header("X-RateLimit-Limit") == nil)
            }
            #expect(try await sim.ledger().count == 2)
            let stats = try #require(try await sim.stats()[kind.rawValue])
            #expect(stats.throttled == 1 && stats.applied == 2)
        }
    }

    /// The bucket refills at `requestsPerSecond` on the simulator's clock.
    @Test(.timeLimit(.minutes(1))) func bucketRefills() async throws {
        var configuration = SimulatorConfiguration.with(cards: [ProviderKind.vcc.card])
        configuration.limits["vcc"] = SimulatorConfiguration.RateLimit(requestsPerSecond: 2, burst: 1)
        try await withSimulator(configuration) { sim in
            let driver = try await TopUpDriver(.vcc, sim)
            #expect(try await driver.topUp().status == 200)
            #expect(try await driver.topUp().status == 429)
            sim.clock.advance(seconds: 0.25)
            #expect(try await driver.topUp().status == 429)
            sim.clock.advance(seconds: 0.25)
            #expect(try await driver.topUp().status == 200)
            // The burst caps what a long pause saves up.
            sim.clock.advance(seconds: 60)
            #expect(try await driver.topUp().status == 200)
            #expect(try await driver.topUp().status == 429)
        }
    }

    /// PayCertify's documented 60 requests a minute: the headers are on every answer, the 61st request is refused.
    @Test(.timeLimit(.minutes(1))) func payCertifyDefaultIsSixtyAMinute() async throws {
        try await withSimulator(.with(cards: [ProviderKind.paycertify.card])) { sim in
            var remaining: [String?] = []
            for _ in 0..<60 {
                let response = try await sim.get(PayCertifyWire.cardPath(ProviderKind.paycertify.cardID), headers: PayCertifyWire.headers())
                #expect(response.status == 200 && response.header("X-RateLimit-Limit") == "60")
                remaining.append(response.header("X-RateLimit-Remaining"))
            }
            #expect(remaining == (0..<60).reversed().map { String($0) })
            let refused = try await sim.get(PayCertifyWire.cardPath(ProviderKind.paycertify.cardID), headers: PayCertifyWire.headers())
            try ProviderKind.paycertify.expectTooManyRequests(refused)
            #expect(refused.header("X-RateLimit-Remaining") == "0")
            sim.clock.advance(seconds: 1)
            #expect(
                try await sim.get(PayCertifyWire.cardPath(ProviderKind.paycertify.cardID), headers: PayCertifyWire.headers()).status == 200)
        }
    }

    /// `null` in `POST /_sim/limits` removes a provider's limit.
    @Test(.timeLimit(.minutes(1))) func aLimitCanBeRemoved() async throws {
        try await withSimulator(.with(cards: [ProviderKind.paycertify.card])) { sim in
            try await sim.setLimits(#"{"paycertify": {"requestsPerSecond": 0.001, "burst": 1}}"#)
            let driver = try await TopUpDriver(.paycertify, sim)
            #expect(try await driver.topUp().status == 200)
            #expect(try await driver.topUp().status == 429)
            try await sim.setLimits(#"{"paycertify": null}"#)
            for _ in 0..<3 {
                let response = try await driver.topUp()
                #expect(response.status == 200)
                #expect(response.header("X-RateLimit-Limit") == nil)
            }
        }
    }

    /// Limits are per provider: exhausting one leaves the others serving.
    @Test(.timeLimit(.minutes(1))) func limitsArePerProvider() async throws {
        try await withSimulator(.with(cards: [ProviderKind.vcc.card, ProviderKind.hypercard.card])) { sim in
            try await sim.setLimits(#"{"vcc": {"requestsPerSecond": 0.001, "burst": 1}}"#)
            let vcc = try await TopUpDriver(.vcc, sim)
            let hypercard = try await TopUpDriver(.hypercard, sim)
            #expect(try await vcc.topUp().status == 200)
            #expect(try await vcc.topUp().status == 429)
            for _ in 0..<3 { #expect(try hypercard.isSuccess(try await hypercard.topUp())) }
        }
    }
}

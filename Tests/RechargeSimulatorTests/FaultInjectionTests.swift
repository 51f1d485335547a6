import AsyncHTTPClient
import Foundation
import NIOCore
import RechargeSimulator
import Testing

/// Faults set through `POST /_sim/faults` with probability 1, so each strikes every time.
@Suite struct FaultInjectionTests {
    static func configuration(_ kind: ProviderKind) -> SimulatorConfiguration { .with(cards: [kind.card], seed: 7) }

    /// `{"<provider>": {<faults>}}`.
    static func faults(_ kind: ProviderKind, _ members: String) -> String { #"{"\#(kind.rawValue)": {\#(members)}}"# }

    @Test(.timeLimit(.minutes(1)), arguments: ProviderKind.allCases)
    func latencyDelaysTheAnswer(_ kind: ProviderKind) async throws {
        try await withSimulator(Self.configuration(kind)) { sim in
            let driver = try await TopUpDriver(kind, sim)
            try await sim.setFaults(Self.faults(kind, #""latencyMilliseconds": 50"#))
            let start = ContinuousClock.now
            let response = try await driver.topUp()
            let elapsed = ContinuousClock.now - start
            #expect(try driver.isSuccess(response))
            #expect(elapsed >= .milliseconds(50))
            #expect(try await sim.ledger().count == 1)
        }
    }

    @Test(.timeLimit(.minutes(1)), arguments: ProviderKind.allCases)
    func failBeforeApplyAppliesNothing(_ kind: ProviderKind) async throws {
        try await withSimulator(Self.configuration(kind)) { sim in
            let driver = try await TopUpDriver(kind, sim)
            try await sim.setFaults(Self.faults(kind, #""failBeforeApply": 1.0"#))
            try kind.expectUnavailable(try await driver.topUp())
            #expect(try await sim.ledger().isEmpty)
            #expect(try await sim.balance(kind.rawValue, kind.cardID) == "0.00")
        }
    }

    /// The top-up is applied and the connection closed: the client sees a connection error, the ledger the top-up.
    @Test(.timeLimit(.minutes(1)), arguments: ProviderKind.allCases)
    func dropAfterApplyLosesOnlyTheAnswer(_ kind: ProviderKind) async throws {
        try await withSimulator(Self.configuration(kind)) { sim in
            let driver = try await TopUpDriver(kind, sim)
            try await sim.setFaults(Self.faults(kind, #""dropAfterApply": 1.0"#))
            await #expect(throws: HTTPClientError.remoteConnectionClosed) { try await driver.topUp(amount: "12.34") }
            #expect(try await sim.ledger().map(\.amount) == ["12.34"])
            #expect(try await sim.balance(kind.rawValue, kind.cardID) != "0.00")
        }
    }

    @Test(.timeLimit(.minutes(1)), arguments: ProviderKind.allCases)
    func errorAfterApplyAnswers5xxButApplies(_ kind: ProviderKind) async throws {
        try await withSimulator(Self.configuration(kind)) { sim in
            let driver = try await TopUpDriver(kind, sim)
            try await sim.setFaults(Self.faults(kind, #""errorAfterApply": 1.0"#))
            try kind.expectUnavailable(try await driver.topUp(amount: "12.34"))
            #expect(try await sim.ledger().map(\.amount) == ["12.34"])
        }
    }

    /// The answer comes after 800 ms; a client with a 200 ms time-out gives up, but the top-up is applied. On a
    /// busy machine the server may apply it only after the client gave up, so the test waits for the ledger.
    @Test(.timeLimit(.minutes(1)), arguments: ProviderKind.allCases)
    func slowAfterApplyOutlastsTheClient(_ kind: ProviderKind) async throws {
        try await withSimulator(Self.configuration(kind)) { sim in
            let driver = try await TopUpDriver(kind, sim)
            try await sim.setFaults(Self.faults(kind, #""slowAfterApply": 1.0, "slowMilliseconds": 800"#))
            await #expect(throws: HTTPClientError.deadlineExceeded) {
                try await driver.topUp(amount: "12.34", timeout: .milliseconds(200))
            }
            await sim.simulator.ledgerReaches(1)
            #expect(try await sim.ledger().map(\.amount) == ["12.34"])
        }
    }

    @Test(.timeLimit(.minutes(1)), arguments: ProviderKind.allCases)
    func throttleAnswers429WithRetryAfter(_ kind: ProviderKind) async throws {
        try await withSimulator(Self.configuration(kind)) { sim in
            let driver = try await TopUpDriver(kind, sim)
            try await sim.setFaults(Self.faults(kind, #""throttle": 1.0, "retryAfterSeconds": 7"#))
            let response = try await driver.topUp()
            try kind.expectTooManyRequests(response)
            #expect(response.header("Retry-After") == "7")
            #expect(try await sim.ledger().isEmpty)
            #expect(try await sim.stats()[kind.rawValue]?.throttled == 1)
        }
    }

    /// After-apply faults strike only a top-up that applied: a refused one gets the provider's own error.
    @Test(.timeLimit(.minutes(1)), arguments: ProviderKind.allCases)
    func afterApplyFaultsSpareARefusedTopUp(_ kind: ProviderKind) async throws {
        try await withSimulator(Self.configuration(kind)) { sim in
            let driver = try await TopUpDriver(kind, sim)
            try await sim.setFaults(Self.faults(kind, #""dropAfterApply": 1.0"#))
            let refused = try await driver.topUp(cardID: "00000000-0000-4000-8000-000000000000")
            #expect(refused.status < 500)
            #expect(try !driver.isSuccess(refused))
            #expect(try await sim.ledger().isEmpty)
        }
    }

    /// UQPay's documented recovery: a replay of the same key after a lost answer returns the original order and
    /// applies nothing, even while the fault is still on.
    @Test(.timeLimit(.minutes(1)), arguments: [#""errorAfterApply": 1.0"#, #""dropAfterApply": 1.0"#])
    func uqpayReplayRecoversALostAnswer(fault: String) async throws {
        try await withSimulator(Self.configuration(.uqpay)) { sim in
            let token = try await UQPayWire.token(sim)
            try await sim.setFaults(Self.faults(.uqpay, fault))
            let key = UQPayWire.newIdempotencyKey()
            let send = {
                try await sim.post(
                    UQPayWire.rechargePath(ProviderKind.uqpay.cardID),
                    headers: UQPayWire.rechargeHeaders(token: token, idempotencyKey: key),
                    body: UQPayWire.rechargeBody("100.02"))
            }
            let lost = try? await send()
            #expect(lost == nil || lost?.status == 500)
            let replay = try await send()
            #expect(replay.status == 200)
            let entry = try #require(try await sim.ledger().first)
            #expect(try replay.json()["card_order_id"] as? String == entry.providerReference)
            #expect(try await sim.ledger().count == 1)
        }
    }

    /// With probability 0.5 the seed decides which requests fail, the same way every run.
    @Test(.timeLimit(.minutes(1))) func theSeedReproducesTheFaults() async throws {
        func outcomes() async throws -> [Int] {
            try await withSimulator(Self.configuration(.vcc)) { sim in
                try await sim.setFaults(Self.faults(.vcc, #""failBeforeApply": 0.5"#))
                let driver = try await TopUpDriver(.vcc, sim)
                var statuses: [Int] = []
                for _ in 0..<16 { statuses.append(try await driver.topUp().status) }
                #expect(try await sim.ledger().count == statuses.count { $0 == 200 })
                return statuses
            }
        }
        let first = try await outcomes()
        #expect(Set(first) == [200, 503])
        #expect(try await outcomes() == first)
    }

    /// `Simulator.setFaults(_:for:)` changes the faults of a running simulator; a fault for one provider leaves
    /// the others alone.
    @Test(.timeLimit(.minutes(1))) func setFaultsFromSwift() async throws {
        try await withSimulator(.with(cards: [ProviderKind.vcc.card, ProviderKind.paycertify.card])) { sim in
            var faults = SimulatorConfiguration.Faults()
            faults.failBeforeApply = 1
            sim.simulator.setFaults(faults, for: "vcc")
            let vcc = try await TopUpDriver(.vcc, sim)
            try ProviderKind.vcc.expectUnavailable(try await vcc.topUp())
            #expect(try await TopUpDriver(.paycertify, sim).topUp().status == 200)
            sim.simulator.setFaults(SimulatorConfiguration.Faults(), for: "vcc")
            #expect(try vcc.isSuccess(try await vcc.topUp()))
        }
    }
}

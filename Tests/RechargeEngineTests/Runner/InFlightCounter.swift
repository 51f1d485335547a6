import RechargeCore
import Synchronization

/// Counts requests in flight across all cards.
final class InFlightCounter: Sendable {
    private let state = Mutex((now: 0, most: 0))

    func enter() {
        self.state.withLock {
            $0.now += 1; $0.most = max($0.most, $0.now)
        }
    }
    func leave() { self.state.withLock { $0.now -= 1 } }
    var most: Int { self.state.withLock { $0.most } }
}

/// Wraps a provider to count its concurrent requests.
struct CountingProvider {
    let inner: ScriptedProvider
    let counter: InFlightCounter

    var provider: Wrapped { Wrapped(inner: self.inner, counter: self.counter) }

    struct Wrapped: ProviderClient {
        let inner: ScriptedProvider
        let counter: InFlightCounter

        var executionRules: ExecutionRules { self.inner.executionRules }

        var lookup: any ProviderLookup { self.inner.lookup }

        func recharge(_ request: RechargeRequest) async -> RechargeOutcome {
            self.counter.enter()
            defer { self.counter.leave() }
            return await self.inner.recharge(request)
        }
    }
}

import Foundation
import HTTPTypes
import Hummingbird

/// `/_sim/…`: the simulator's own JSON API for tests, benchmarks and the demo.
struct AdminRoutes: Sendable {
    let state: SimulatorState

    func register(on router: Router<SimulatorContext>) {
        router.get("/_sim/ledger") { _, _ in
            let entries = self.state.withLock { $0.ledger }
            return Self.encode(["entries": entries])
        }
        router.get("/_sim/stats") { _, _ in
            let stats = self.state.withLock { $0.stats }
            return Self.encode(stats)
        }
        router.get("/_sim/cards") { _, _ in
            let cards = self.state.withLock { inner in
                inner.cards.values.sorted { ($0.provider, $0.id) < ($1.provider, $1.id) }.map {
                    SimulatorConfiguration.Card(
                        provider: $0.provider, id: $0.id, currency: $0.currency,
                        balance: SimAmount.render($0.balanceMinor, exponent: SimAmount.exponent($0.currency)), status: $0.status)
                }
            }
            return Self.encode(["cards": cards])
        }
        router.post("/_sim/cards") { request, context in
            let cards = try await request.decode(as: [SimulatorConfiguration.Card].self, context: context)
            if let bad = cards.first(where: { SimAmount.parse($0.balance, exponent: SimAmount.exponent($0.currency)) == nil }) {
                throw HTTPError(.badRequest, message: "card \(bad.id): balance '\(bad.balance)' is not a decimal amount in \(bad.currency)")
            }
            let now = SimTime.iso(self.state.clock.now())
            self.state.withLock { inner in
                for card in cards {
                    inner.cards[SimulatorState.Inner.cardKey(card.provider, card.id)] = SimCard(
                        provider: card.provider, id: card.id, currency: card.currency,
                        balanceMinor: SimAmount.parse(card.balance, exponent: SimAmount.exponent(card.currency)) ?? 0,
                        status: card.status, createdAt: now)
                }
            }
            return Self.encode(["added": cards.count])
        }
        router.post("/_sim/faults") { request, context in
            let faults = try await request.decode(as: [String: SimulatorConfiguration.Faults].self, context: context)
            let current = self.state.withLock { inner in
                for (provider, value) in faults { inner.configuration.faults[provider] = value }
                return inner.configuration.faults
            }
            return Self.encode(current)
        }
        router.post("/_sim/limits") { request, context in
            let limits = try await request.decode(as: [String: SimulatorConfiguration.RateLimit?].self, context: context)
            let current = self.state.withLock { inner in
                for (provider, value) in limits {
                    inner.configuration.limits[provider] = value
                    inner.buckets[provider] = nil
                }
                return inner.configuration.limits
            }
            return Self.encode(current)
        }
        router.get("/_sim/clock") { _, _ in
            Self.encode(ClockState(now: SimTime.iso(self.state.clock.now()), offsetSeconds: self.state.adjustableClock.offsetSeconds))
        }
        // Moves the providers' wall clock ahead, e.g. {"advanceSeconds": 90000} for 25 hours.
        router.post("/_sim/clock") { request, context in
            let move = try await request.decode(as: ClockMove.self, context: context)
            guard move.advanceSeconds >= 0 else { throw HTTPError(.badRequest, message: "advanceSeconds must not be negative") }
            self.state.adjustableClock.advance(by: move.advanceSeconds)
            return Self.encode(
                ClockState(now: SimTime.iso(self.state.clock.now()), offsetSeconds: self.state.adjustableClock.offsetSeconds))
        }
        router.post("/_sim/reset") { _, _ in
            self.state.reset()
            return Self.encode(["reset": true])
        }
    }

    struct ClockMove: Decodable {
        var advanceSeconds: Double
    }

    struct ClockState: Encodable {
        var now: String
        var offsetSeconds: Double
    }

    static func encode(_ value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(value)) ?? Data("{}".utf8)
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        return Response(status: .ok, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}

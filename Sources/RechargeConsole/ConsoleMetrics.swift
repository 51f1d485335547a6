import Foundation
import Hummingbird
import Prometheus
import RechargeCore
import RechargeStore
import Synchronization

/// `/metrics` in Prometheus text format, from one swift-prometheus registry: the store's lines and sums by account,
/// currency and state and its batches by approval state (read at each scrape), beside the HTTP request metrics
/// Hummingbird's `MetricsMiddleware` records when `recharge serve` bootstraps swift-metrics with this registry.
///
/// Money: Prometheus values are floats, so sums are whole minor units of their currency with a `currency` label,
/// as in the `--metrics-file` of `run` and `inbox`.
package final class ConsoleMetrics: Sendable {
    package let registry: PrometheusCollectorRegistry
    /// The label sets set at the last scrape: one that is gone now reads 0, not its old value.
    private let seen = Mutex<Set<[String]>>([])

    package init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// The registry's text after reading the store.
    func scrape(_ database: RechargeDatabase) throws -> String {
        var current: [[String]: Double] = [:]
        for row in try database.status(batchID: nil) {
            let labels = [row.account, row.currency, row.state.rawValue]
            current[["lines"] + labels, default: 0] += Double(row.count)
            current[["minor"] + labels, default: 0] += Double(row.sumMinor)
        }
        for batch in try database.batches() {
            current[["batches", batch.approvalState.rawValue], default: 0] += 1
        }
        let keys = self.seen.withLock { seen in
            let all = seen.union(current.keys)
            seen = Set(current.keys)
            return all
        }
        for key in keys {
            let value = current[key] ?? 0
            switch key.first {
            case "lines":
                self.registry.makeGauge(
                    name: "recharge_lines", labels: [("account", key[1]), ("currency", key[2]), ("state", key[3])],
                    help: "Lines in the store by provider account, currency and state."
                ).set(value)
            case "minor":
                self.registry.makeGauge(
                    name: "recharge_amount_minor_units", labels: [("account", key[1]), ("currency", key[2]), ("state", key[3])],
                    help: "The lines' amounts in whole minor units of their currency, by account, currency and state."
                ).set(value)
            default:
                self.registry.makeGauge(
                    name: "recharge_batches", labels: [("approval", key[1])], help: "Batches in the store by approval state."
                ).set(value)
            }
        }
        return self.registry.emitToString()
    }

    func add(to router: Router<ConsoleContext>, database: RechargeDatabase) {
        router.get("/metrics") { _, context in
            // Counts and sums only, never a card or a secret; still, only for a scraper on this machine or a
            // signed-in person.
            guard context.user != nil || ConsoleListener.isLoopback(context.remoteAddress) else {
                throw ConsoleError(.forbidden, "/metrics is served to loopback scrapers and signed-in users only")
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: try self.scrape(database))))
        }
    }
}

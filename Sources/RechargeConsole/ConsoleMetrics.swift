import Foundation
import Hummingbird
import Prometheus
import RechargeCore
import RechargeRuns
import RechargeStore

/// `/metrics` in Prometheus text format, from one swift-prometheus registry: the store's lines and sums by account,
/// currency and state and its batches by approval state (``StoreMetrics``, read at each scrape), beside the HTTP
/// request metrics Hummingbird's `MetricsMiddleware` records when `recharge serve` bootstraps swift-metrics with this
/// registry.
package final class ConsoleMetrics: Sendable {
    package let store: StoreMetrics
    package var registry: PrometheusCollectorRegistry { self.store.registry }

    package init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.store = StoreMetrics(registry: registry)
    }

    /// The registry's text after reading the store.
    func scrape(_ database: RechargeDatabase) throws -> String {
        self.store.record(try database.status(batchID: nil), batches: try database.batches())
        return self.store.text()
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

import Prometheus
import RechargeCore
import RechargeStore
import Synchronization

/// The store's lines, sums and batches as Prometheus gauges in one swift-prometheus registry: what the console serves
/// on `/metrics` (every line in the store, read at each scrape) and what `run` and `inbox` write to `--metrics-file`
/// (the batches the run touched), under the same names and labels.
///
/// Money: Prometheus values are floats, so exact decimals cannot be exported as such. Sums are whole minor units of
/// their currency (cents for USD, yen for JPY, fils for BHD) with a `currency` label: exact up to 2^53 minor units.
/// Divide by 10^exponent of the currency to show major units.
package final class StoreMetrics: Sendable {
    package let registry: PrometheusCollectorRegistry
    /// The label sets set last time: one that is gone now reads 0, not its old value.
    private let seen = Mutex<Set<[String]>>([])

    package init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// Sets the gauges from `rows` (and, when given, the batches' approval states). Every state of each account and
    /// currency present is set, zero where it has no line, so that an alert on a state's count always has a series.
    package func record(_ rows: [StatusRow], batches: [BatchRecord]? = nil) {
        var current: [[String]: Double] = [:]
        for row in rows {
            for state in LineState.allCases {
                current[["lines", row.account, row.currency, state.rawValue], default: 0] += 0
                current[["minor", row.account, row.currency, state.rawValue], default: 0] += 0
            }
            current[["lines", row.account, row.currency, row.state.rawValue], default: 0] += Double(row.count)
            current[["minor", row.account, row.currency, row.state.rawValue], default: 0] += Double(row.sumMinor)
        }
        for batch in batches ?? [] {
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
                    help: "Lines by provider account, currency and state."
                ).set(value)
            case "minor":
                self.registry.makeGauge(
                    name: "recharge_amount_minor_units", labels: [("account", key[1]), ("currency", key[2]), ("state", key[3])],
                    help: "The lines' amounts in whole minor units of their currency (cents, yen, fils), by account, currency and state."
                ).set(value)
            default:
                self.registry.makeGauge(
                    name: "recharge_batches", labels: [("approval", key[1])], help: "Batches by approval state."
                ).set(value)
            }
        }
    }

    /// The registry in Prometheus text format.
    package func text() -> String { self.registry.emitToString() }
}

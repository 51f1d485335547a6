import Foundation
import Synchronization

/// Refuses sign-in for a name, or from an address, after too many failures in a window: guessing a password
/// costs the attacker the window, not the bcrypt time alone. Held in memory: a restart forgets it, which the
/// bcrypt cost and the audit log of failures cover.
package final class LoginThrottle: Sendable {
    private let limit: Int
    private let window: TimeInterval
    private let failures = Mutex<[String: [Date]]>([:])

    package init(limit: Int, window: TimeInterval) {
        self.limit = limit
        self.window = window
    }

    /// When the keys may try again, or `nil` when they may try now.
    package func retryAfter(_ keys: [String], now: Date) -> Date? {
        self.failures.withLock { failures in
            keys.compactMap { key -> Date? in
                let recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < self.window }
                failures[key] = recent.isEmpty ? nil : recent
                guard recent.count >= self.limit, let oldest = recent.first else { return nil }
                return oldest.addingTimeInterval(self.window)
            }.max()
        }
    }

    package func recordFailure(_ keys: [String], now: Date) {
        self.failures.withLock { failures in
            for key in keys { failures[key, default: []].append(now) }
        }
    }

    /// A successful sign-in clears the name's failures (not the address's).
    package func recordSuccess(_ key: String) {
        _ = self.failures.withLock { $0.removeValue(forKey: key) }
    }
}

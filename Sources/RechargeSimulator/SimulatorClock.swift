import Foundation
import Synchronization

/// Where the simulator's time comes from: wall time for timestamps and token expiry, a monotonic count
/// for rate limits and the 1-second windows. Tests inject a manual clock.
public protocol SimulatorClock: Sendable {
    func now() -> Date
    func monotonicNanoseconds() -> UInt64
}

/// The system's clocks.
public struct SystemSimulatorClock: SimulatorClock {
    public init() {}

    public func now() -> Date { Date() }

    public func monotonicNanoseconds() -> UInt64 {
        DispatchTime.now().uptimeNanoseconds
    }
}

/// A clock whose wall time tests and the admin API can move ahead (`POST /_sim/clock`), so that what the providers
/// measure in hours — UQPay's 24-hour replay window, token expiry — can be tested end to end. Only the wall time
/// moves: rate limits keep counting real time.
final class AdjustableSimulatorClock: SimulatorClock {
    let base: any SimulatorClock
    private let offset = Mutex<TimeInterval>(0)

    init(base: any SimulatorClock) {
        self.base = base
    }

    func now() -> Date { self.base.now().addingTimeInterval(self.offset.withLock { $0 }) }

    func monotonicNanoseconds() -> UInt64 { self.base.monotonicNanoseconds() }

    /// Moves the wall time ahead by `seconds` (never back: a provider's clock does not run backwards).
    func advance(by seconds: TimeInterval) {
        self.offset.withLock { $0 += max(0, seconds) }
    }

    var offsetSeconds: TimeInterval { self.offset.withLock { $0 } }
}

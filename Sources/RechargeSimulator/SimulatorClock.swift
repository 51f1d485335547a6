import Foundation

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

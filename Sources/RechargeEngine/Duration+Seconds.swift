import Foundation

extension Duration {
    /// The duration in seconds, for `Date` arithmetic, rates and display (not for scheduling: that stays in `Duration`).
    package var timeInterval: TimeInterval {
        Double(self.components.seconds) + Double(self.components.attoseconds) / 1e18
    }
}

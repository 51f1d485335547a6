import RechargeSimulator

/// The simulator's request counts read at a fixed interval during a run: when each provider stopped receiving
/// requests, and the longest pause while it still had work.
struct RequestSampler: Sendable {
    /// Request counts per provider, `at` after the run started.
    struct Sample: Sendable {
        var at: Duration
        var requests: [String: Int]
        /// This process's resident memory.
        var residentBytes: Int
    }

    /// The simulator's request counts per provider, or `nil` when they could not be read.
    let requests: @Sendable () async -> [String: Int]?
    var interval: Duration = .milliseconds(100)

    /// Samples until the task is cancelled; `start` is the instant the run started (earlier samples count as 0 s).
    func record(from start: ContinuousClock.Instant) async -> [Sample] {
        var samples: [Sample] = []
        while !Task.isCancelled {
            if let requests = await self.requests() {
                let at = max(.zero, ContinuousClock.now - start)
                samples.append(Sample(at: at, requests: requests, residentBytes: ResourceUsage.residentBytes()))
            }
            try? await Task.sleep(for: self.interval)
        }
        return samples
    }

    /// One provider's activity as the samples show it.
    struct Activity: Sendable {
        /// The first sample by which the provider had received all the requests it was to receive.
        var busyUntil: Duration
        /// The longest stretch without a new request before `busyUntil`, and when it began.
        var longestPause: Duration
        var pauseStartedAt: Duration
    }

    /// Each provider's activity from `samples`.
    static func activity(_ samples: [Sample], provider: String) -> Activity {
        var activity = Activity(busyUntil: .zero, longestPause: .zero, pauseStartedAt: .zero)
        guard let final = samples.last?.requests[provider, default: 0], final > 0 else { return activity }
        var lastChange = Duration.zero
        var previous = 0
        for sample in samples {
            let count = sample.requests[provider, default: 0]
            if count != previous {
                let pause = sample.at - lastChange
                if pause > activity.longestPause, previous > 0 {
                    activity.longestPause = pause
                    activity.pauseStartedAt = lastChange
                }
                lastChange = sample.at
                previous = count
            }
            if count == final { break }
        }
        activity.busyUntil = lastChange
        return activity
    }
}

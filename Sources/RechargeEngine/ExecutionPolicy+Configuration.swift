import RechargeCore

extension ExecutionPolicy {
    /// The policy the configuration's `retry`, `statusQueries` and `timeouts` sections ask for; the other knobs
    /// keep their defaults.
    package init(configuration: RechargeConfiguration) {
        self.init()
        self.retry = BackoffPolicy(settings: configuration.retry)
        self.statusQueries = BackoffPolicy(settings: configuration.statusQueries)
        self.stopGrace = .seconds(configuration.timeouts.stopGraceSeconds)
        let giveUp = configuration.timeouts.breakerGiveUpSeconds
        self.breakerGiveUp = giveUp > 0 ? .seconds(giveUp) : nil
        self.leaseTTL = .seconds(configuration.timeouts.leaseSeconds)
    }
}

extension BackoffPolicy {
    /// The loader guarantees base ≥ 1 ms, cap ≥ base and at least one attempt.
    package init(settings: RetrySettings) {
        self.init(
            base: .milliseconds(settings.baseMilliseconds), cap: .milliseconds(settings.capMilliseconds),
            maximumAttempts: settings.maximumAttempts)
    }
}

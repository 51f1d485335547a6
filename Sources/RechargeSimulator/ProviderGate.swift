import Foundation
import Hummingbird
import NIOCore

/// What happens to one provider request before and after the provider's own logic: statistics, the
/// provider's rate limit, and the injected faults.
struct ProviderGate: Sendable {
    let state: SimulatorState

    /// The fault decisions for one request, drawn from the seeded generator under the lock.
    struct Decision {
        var overLimit = false
        var limit = 0
        var remaining = 0
        var throttle = false
        var retryAfterSeconds = 1
        var latency: Duration = .zero
        var failBefore = false
        var afterApply = AfterApply.none
    }

    enum AfterApply {
        case none, drop, error, slow(Duration)
    }

    /// Runs `handle` for a provider request with statistics, limits and faults around it.
    func serve(
        _ style: some ProviderStyle, request: Request, context: SimulatorContext, isTopUp: Bool,
        handle: @Sendable ([UInt8]) async throws -> SimResponse
    ) async throws -> Response {
        let decision = self.decide(style.provider, isTopUp: isTopUp)
        var rateHeaders: [(String, String)] = []
        if style.provider == "paycertify" && decision.limit > 0 {
            rateHeaders = [("X-RateLimit-Limit", String(decision.limit)), ("X-RateLimit-Remaining", String(decision.remaining))]
        }
        if decision.overLimit {
            return self.finish(style.rateLimited(remaining: 0, limit: decision.limit), style, extra: rateHeaders)
        }
        if decision.throttle {
            return self.finish(style.throttled(retryAfterSeconds: decision.retryAfterSeconds), style, extra: rateHeaders)
        }
        if decision.latency > .zero { try await Task.sleep(for: decision.latency) }
        if decision.failBefore { return self.finish(style.unavailable(), style, extra: rateHeaders) }

        let body = Array((try await request.body.collect(upTo: context.maxUploadSize)).readableBytesView)
        let answer = try await handle(body)
        guard answer.applied else { return self.finish(answer, style, extra: rateHeaders) }
        switch decision.afterApply {
        case .none:
            return self.finish(answer, style, extra: rateHeaders)
        case .drop:
            // The top-up is applied; the client never hears about it.
            try? await context.channel.close()
            return self.finish(answer, style, extra: rateHeaders)
        case .error:
            return self.finish(style.unavailable(), style, extra: rateHeaders)
        case .slow(let delay):
            try await Task.sleep(for: delay)
            return self.finish(answer, style, extra: rateHeaders)
        }
    }

    private func finish(_ answer: SimResponse, _ style: some ProviderStyle, extra: [(String, String)]) -> Response {
        var answer = answer
        answer.headers += extra
        if answer.status == .tooManyRequests || answer.rejection != nil {
            self.state.withLock { inner in
                if answer.status == .tooManyRequests { inner.stats[style.provider, default: ProviderStats()].throttled += 1 }
                if let code = answer.rejection { inner.reject(style.provider, code: code) }
            }
        }
        return answer.response()
    }

    /// Counts the request, applies the provider's token bucket and draws the faults.
    private func decide(_ provider: String, isTopUp: Bool) -> Decision {
        let now = self.state.clock.monotonicNanoseconds()
        return self.state.withLock { inner in
            var decision = Decision()
            inner.stats[provider, default: ProviderStats()].requests += 1
            if isTopUp { inner.stats[provider, default: ProviderStats()].topUpRequests += 1 }
            Self.recordWindow(&inner, provider, now)
            if let limit = inner.configuration.limits[provider], limit.requestsPerSecond > 0 {
                var bucket = inner.buckets[provider] ?? (Double(limit.burst), now)
                let elapsed = Double(now &- bucket.at) / 1e9
                bucket.tokens = min(Double(limit.burst), bucket.tokens + elapsed * limit.requestsPerSecond)
                bucket.at = now
                if bucket.tokens >= 1 {
                    bucket.tokens -= 1
                } else {
                    decision.overLimit = true
                }
                inner.buckets[provider] = bucket
                decision.limit = limit.burst
                decision.remaining = Int(bucket.tokens)
            }
            guard !decision.overLimit, let faults = inner.configuration.faults[provider] else { return decision }
            decision.throttle = inner.random.chance(faults.throttle)
            decision.retryAfterSeconds = faults.retryAfterSeconds
            let jitter = faults.jitterMilliseconds > 0 ? inner.random.below(faults.jitterMilliseconds + 1) : 0
            decision.latency = .milliseconds(faults.latencyMilliseconds + jitter)
            decision.failBefore = inner.random.chance(faults.failBeforeApply)
            if isTopUp {
                if inner.random.chance(faults.dropAfterApply) {
                    decision.afterApply = .drop
                } else if inner.random.chance(faults.errorAfterApply) {
                    decision.afterApply = .error
                } else if inner.random.chance(faults.slowAfterApply) {
                    decision.afterApply = .slow(.milliseconds(faults.slowMilliseconds))
                }
            }
            return decision
        }
    }

    /// Tracks the largest number of requests in any sliding 1-second window.
    private static func recordWindow(_ inner: inout SimulatorState.Inner, _ provider: String, _ now: UInt64) {
        // Mutated in place: copying the window out of the dictionary would copy it on every request.
        inner.windows[provider, default: []].append(now)
        var start = inner.windowStarts[provider] ?? 0
        let count = inner.windows[provider]!.count
        while start < count && now &- inner.windows[provider]![start] >= 1_000_000_000 { start += 1 }
        let inWindow = count - start
        if inWindow > inner.stats[provider, default: ProviderStats()].maxRequestsPerSecond {
            inner.stats[provider, default: ProviderStats()].maxRequestsPerSecond = inWindow
        }
        if start > 4_096 {
            inner.windows[provider]!.removeFirst(start)
            start = 0
        }
        inner.windowStarts[provider] = start
    }
}

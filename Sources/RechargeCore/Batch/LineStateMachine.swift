/// Something that happens to a line, as seen by the engine or an operator.
public enum LineEvent: Hashable, Sendable, CustomStringConvertible {
    /// The engine takes a pending line; its key and attempt are recorded before anything is sent.
    case claim
    /// The provider applied the top-up.
    case applied
    /// The provider definitely refused the top-up.
    case rejected
    /// The request provably did not reach the provider or was refused before any effect; try again later.
    case notApplied
    /// The outcome is not known (time-out, reset after sending, 5xx); the line stays in flight until resolved.
    case inDoubt
    /// The outcome could not be established within the resolution policy.
    case unresolvable
    /// An operator cancels a line that was never sent.
    case cancel
    /// An operator sends a failed line again, under a new key generation.
    case retryFailed
    /// An operator settles an unknown line with evidence from the provider.
    case operatorResolved(succeeded: Bool)

    public var description: String {
        switch self {
        case .claim: "claim"
        case .applied: "applied"
        case .rejected: "rejected"
        case .notApplied: "not-applied"
        case .inDoubt: "in-doubt"
        case .unresolvable: "unresolvable"
        case .cancel: "cancel"
        case .retryFailed: "retry-failed"
        case .operatorResolved(let succeeded): succeeded ? "resolved-success" : "resolved-failed"
        }
    }
}

/// What the store must do for an accepted event.
public enum LineAction: Hashable, Sendable {
    /// Move the line to `state` with a guarded update; when `newGeneration` is set, the line's key
    /// generation goes up by one so the next send uses a fresh idempotency key.
    case transition(to: LineState, newGeneration: Bool)
    /// Keep the state and record the event only (an in-doubt outcome awaiting resolution).
    case recordOnly
}

/// An event that the line's state does not allow.
public struct IllegalTransition: Error, Hashable, Sendable, CustomStringConvertible {
    public let state: LineState
    public let event: LineEvent

    public var description: String { "a line in state \(self.state.rawValue) does not accept '\(self.event)'" }
}

/// The line state machine as a value: given a state and an event, the action to take or a refusal.
///
/// It does no I/O. The store applies the action as a guarded update (`WHERE state = expected`) and appends
/// an event row in the same transaction, so the persisted history always follows these rules.
public struct LineStateMachine: Hashable, Sendable {
    public private(set) var state: LineState

    public init(state: LineState) {
        self.state = state
    }

    /// Applies `event`, returning what the store must do, or throwing when the transition is illegal.
    public mutating func handle(_ event: LineEvent) throws(IllegalTransition) -> LineAction {
        let action = try Self.action(from: self.state, on: event)
        if case .transition(let next, _) = action { self.state = next }
        return action
    }

    /// The action for `event` in `state`, without changing anything.
    public static func action(from state: LineState, on event: LineEvent) throws(IllegalTransition) -> LineAction {
        switch (state, event) {
        case (.pending, .claim): return .transition(to: .processing, newGeneration: false)
        case (.pending, .cancel): return .transition(to: .cancelled, newGeneration: false)
        case (.processing, .applied): return .transition(to: .success, newGeneration: false)
        case (.processing, .rejected): return .transition(to: .failed, newGeneration: false)
        case (.processing, .notApplied): return .transition(to: .pending, newGeneration: false)
        case (.processing, .inDoubt): return .recordOnly
        case (.processing, .unresolvable): return .transition(to: .unknown, newGeneration: false)
        case (.failed, .retryFailed): return .transition(to: .pending, newGeneration: true)
        case (.unknown, .operatorResolved(let succeeded)):
            return .transition(to: succeeded ? .success : .failed, newGeneration: false)
        default: throw IllegalTransition(state: state, event: event)
        }
    }
}

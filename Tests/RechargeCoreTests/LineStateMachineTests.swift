import Testing

@testable import RechargeCore

@Suite struct LineStateMachineTests {
    static let allEvents: [LineEvent] = [
        .claim, .applied, .rejected, .notApplied, .inDoubt, .unresolvable, .cancel, .retryFailed,
        .operatorResolved(succeeded: true), .operatorResolved(succeeded: false),
    ]

    /// The legal transitions, written out independently of the implementation.
    static let legal: [LineState: [LineEvent: LineAction]] = [
        .pending: [
            .claim: .transition(to: .processing, newGeneration: false),
            .cancel: .transition(to: .cancelled, newGeneration: false),
        ],
        .processing: [
            .applied: .transition(to: .success, newGeneration: false),
            .rejected: .transition(to: .failed, newGeneration: false),
            .notApplied: .transition(to: .pending, newGeneration: false),
            .inDoubt: .recordOnly,
            .unresolvable: .transition(to: .unknown, newGeneration: false),
        ],
        .failed: [
            .retryFailed: .transition(to: .pending, newGeneration: true)
        ],
        .unknown: [
            .operatorResolved(succeeded: true): .transition(to: .success, newGeneration: false),
            .operatorResolved(succeeded: false): .transition(to: .failed, newGeneration: false),
        ],
    ]

    /// A new `LineEvent` case stops this switch compiling; once named here, the check needs it in `allEvents` too.
    @Test func theEventListHasEveryCase() {
        func caseName(_ event: LineEvent) -> String {
            switch event {
            case .claim: "claim"
            case .applied: "applied"
            case .rejected: "rejected"
            case .notApplied: "notApplied"
            case .inDoubt: "inDoubt"
            case .unresolvable: "unresolvable"
            case .cancel: "cancel"
            case .retryFailed: "retryFailed"
            case .operatorResolved: "operatorResolved"
            }
        }
        #expect(
            Set(Self.allEvents.map(caseName)) == [
                "claim", "applied", "rejected", "notApplied", "inDoubt", "unresolvable", "cancel", "retryFailed",
                "operatorResolved",
            ])
    }

    /// Every state × every event: the legal ones give their action, every other pair is refused.
    @Test(arguments: LineState.allCases, Self.allEvents)
    func actionOrRefusal(state: LineState, event: LineEvent) throws {
        if let expected = Self.legal[state]?[event] {
            #expect(try LineStateMachine.action(from: state, on: event) == expected)
        } else {
            #expect(throws: IllegalTransition(state: state, event: event)) {
                try LineStateMachine.action(from: state, on: event)
            }
        }
    }

    /// `handle` moves to the new state on a transition, stays on record-only, and is unchanged by a refusal.
    @Test(arguments: LineState.allCases, Self.allEvents)
    func handleUpdatesTheState(state: LineState, event: LineEvent) throws {
        var machine = LineStateMachine(state: state)
        switch Self.legal[state]?[event] {
        case .transition(let next, _)?:
            _ = try machine.handle(event)
            #expect(machine.state == next)
        case .recordOnly?:
            #expect(try machine.handle(event) == .recordOnly)
            #expect(machine.state == state)
        case nil:
            #expect(throws: IllegalTransition.self) { try machine.handle(event) }
            #expect(machine.state == state)
        }
    }

    @Test func aLineThroughDoubtFailureAndRetry() throws {
        var machine = LineStateMachine(state: .pending)
        #expect(try machine.handle(.claim) == .transition(to: .processing, newGeneration: false))
        #expect(try machine.handle(.inDoubt) == .recordOnly)
        #expect(try machine.handle(.inDoubt) == .recordOnly)
        #expect(try machine.handle(.unresolvable) == .transition(to: .unknown, newGeneration: false))
        #expect(try machine.handle(.operatorResolved(succeeded: false)) == .transition(to: .failed, newGeneration: false))
        #expect(try machine.handle(.retryFailed) == .transition(to: .pending, newGeneration: true))
        #expect(try machine.handle(.claim) == .transition(to: .processing, newGeneration: false))
        #expect(try machine.handle(.notApplied) == .transition(to: .pending, newGeneration: false))
        #expect(try machine.handle(.claim) == .transition(to: .processing, newGeneration: false))
        #expect(try machine.handle(.applied) == .transition(to: .success, newGeneration: false))
        #expect(machine.state == .success)
    }

    @Test func refusalNamesTheStateAndEvent() {
        let refusal = IllegalTransition(state: .success, event: .retryFailed)
        #expect(refusal.description == "a line in state SUCCESS does not accept 'retry-failed'")
    }

    @Test func settledStates() {
        #expect(LineState.allCases.filter(\.isSettled) == [.success, .failed, .cancelled, .unknown])
    }

    /// The stored names; the database's CHECK constraint lists the same.
    @Test func rawValuesAreTheStoredNames() {
        #expect(LineState.allCases.map(\.rawValue) == ["PENDING", "PROCESSING", "SUCCESS", "FAILED", "CANCELLED", "UNKNOWN"])
    }
}

/// Where an operation's words for the operator go while it works: its progress and summary (standard output in
/// `recharge`), and what needs attention (standard error). A host with its own screen passes its own.
package struct OperatorMessages: Sendable {
    /// What happened: a file imported, a run's summary, where the reports are.
    package var note: @Sendable (String) -> Void
    /// What needs the operator's attention: a rejected file, lines left to do, an error.
    package var problem: @Sendable (String) -> Void

    package init(note: @escaping @Sendable (String) -> Void, problem: @escaping @Sendable (String) -> Void) {
        self.note = note
        self.problem = problem
    }

    /// Messages nobody reads (tests, a host that only wants the outcome).
    package static let discarded = OperatorMessages(note: { _ in }, problem: { _ in })
}

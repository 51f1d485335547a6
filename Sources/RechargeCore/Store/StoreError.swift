/// A store operation that could not be carried out, with a code callers can act on and a message for people.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case notFound, stateChanged, illegalTransition, duplicate, invalidName, databaseUnavailable, io, notApproved, approvalRefused,
                claimLost
        }
        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The batch or line does not exist.
        public static let notFound = Code(.notFound)
        /// The line is no longer in the state the caller expected (someone else moved it).
        public static let stateChanged = Code(.stateChanged)
        /// The line state machine does not allow the change.
        public static let illegalTransition = Code(.illegalTransition)
        /// The same file content or batch reference was imported before.
        public static let duplicate = Code(.duplicate)
        /// The batch name cannot be used (it reads as an id, or holds control characters): nothing was stored.
        public static let invalidName = Code(.invalidName)
        /// The database file is missing or cannot be opened.
        public static let databaseUnavailable = Code(.databaseUnavailable)
        /// The batch awaits approval (or was rejected): none of its lines may be sent.
        public static let notApproved = Code(.notApproved)
        /// An approval or rejection the four-eyes rules do not allow: the uploader deciding, a second decision by the
        /// same person, a hash other than the batch's content, or a batch not awaiting approval.
        public static let approvalRefused = Code(.approvalRefused)
        /// The line is held under a newer claim token than the caller's: this runner lost it (its lease expired and
        /// another runner adopted the line), so nothing it learns about the line may be recorded, and it must stop.
        public static let claimLost = Code(.claimLost)
        /// Reading or writing failed.
        public static let io = Code(.io)

        public var description: String { "\(self.wrapped)" }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { self.message }
}

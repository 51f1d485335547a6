import Hummingbird
import NIOCore
import RechargeStore

/// A request's context: who is signed in (if anyone), with which session, and from where.
package struct ConsoleContext: RequestContext {
    package var coreContext: CoreRequestContextStorage
    package var user: ConsoleUser?
    package var session: SessionToken?
    /// The peer's address, for the sign-in throttle and the audit log.
    package var remoteAddress: String

    package init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// The signed-in user, or 401.
    package func requireUser() throws -> ConsoleUser {
        guard let user else { throw ConsoleError(.unauthorized, "sign in first: POST /api/session with your name and password") }
        return user
    }

    /// The signed-in user if their role allows `action`, else 403 naming the role that would.
    package func requireUser(allowedTo action: ConsoleAction) throws -> ConsoleUser {
        let user = try self.requireUser()
        guard action.isAllowed(for: user.role) else {
            throw ConsoleError(
                .forbidden,
                "\(user.name) is \(user.role.rawValue); \(action.description) needs the role \(action.roles.map(\.rawValue).joined(separator: " or "))"
            )
        }
        return user
    }
}

/// What a role lets a person do. Four eyes is the store's rule on top: nobody decides on their own upload.
package enum ConsoleAction: Sendable, CustomStringConvertible {
    case read, upload, approve, operate

    package var roles: [ConsoleUser.Role] {
        switch self {
        case .read: [.viewer, .operatorRole, .approver, .admin]
        case .upload, .operate: [.operatorRole, .admin]
        case .approve: [.approver, .admin]
        }
    }

    package func isAllowed(for role: ConsoleUser.Role) -> Bool { self.roles.contains(role) }

    package var description: String {
        switch self {
        case .read: "reading batches"
        case .upload: "uploading a batch"
        case .approve: "approving or rejecting a batch"
        case .operate: "cancelling, retrying or resolving lines"
        }
    }
}

import Foundation
import RechargeCore
import RechargeStore

/// What a console serves and how: its store and configuration, its limits, and where time comes from.
package struct ConsoleSettings: Sendable {
    package var database: RechargeDatabase
    package var configuration: RechargeConfiguration
    /// Under TLS the session cookie is `Secure`.
    package var secureCookies: Bool
    /// How long a session lasts from sign-in.
    package var sessionLifetime: TimeInterval
    /// The largest upload accepted, in bytes; a larger body is refused with 413 and nothing is stored.
    package var maxUploadBytes: Int
    /// Where uploads are written while they arrive and are validated; each is removed afterwards.
    package var uploadDirectory: String
    /// Failed sign-ins of one name (or from one address) within ``throttleWindow`` before sign-in is refused (429).
    package var throttleFailures: Int
    package var throttleWindow: TimeInterval
    /// bcrypt's cost for the decoy hash an unknown name is checked against: the users' own cost, so both take as long.
    package var bcryptCost: UInt8
    /// The wall clock: injected so tests can move time forward.
    package var now: @Sendable () -> Date
    /// Called after an upload is stored or a batch is approved: the in-process runner wakes.
    package var onWork: @Sendable () -> Void

    package init(
        database: RechargeDatabase, configuration: RechargeConfiguration, secureCookies: Bool = false,
        sessionLifetime: TimeInterval = 8 * 3_600, maxUploadBytes: Int = 512 * 1_024 * 1_024,
        uploadDirectory: String = NSTemporaryDirectory(), throttleFailures: Int = 5, throttleWindow: TimeInterval = 15 * 60,
        bcryptCost: UInt8 = Passwords.defaultCost,
        now: @escaping @Sendable () -> Date = { Date() }, onWork: @escaping @Sendable () -> Void = {}
    ) {
        self.database = database
        self.configuration = configuration
        self.secureCookies = secureCookies
        self.sessionLifetime = sessionLifetime
        self.maxUploadBytes = maxUploadBytes
        self.uploadDirectory = uploadDirectory
        self.throttleFailures = throttleFailures
        self.throttleWindow = throttleWindow
        self.bcryptCost = bcryptCost
        self.now = now
        self.onWork = onWork
    }
}

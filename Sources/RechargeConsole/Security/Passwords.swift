import HummingbirdBcrypt

/// Console passwords: bcrypt, never stored or logged in clear.
package enum Passwords {
    /// bcrypt's work factor: 2^12 rounds, about a quarter of a second per check on these machines.
    package static let defaultCost: UInt8 = 12

    /// The smallest password accepted, in characters.
    package static let minimumLength = 12

    package static func hash(_ password: String, cost: UInt8 = Passwords.defaultCost) -> String {
        Bcrypt.hash(password, cost: cost)
    }

    package static func verify(_ password: String, hash: String) -> Bool {
        Bcrypt.verify(password, hash: hash)
    }

    /// Why a password cannot be used, or `nil`.
    package static func problem(_ password: String) -> String? {
        if password.count < Self.minimumLength { return "a password needs at least \(Self.minimumLength) characters" }
        if password.utf8.count > 72 { return "bcrypt reads at most 72 bytes of a password; use a shorter one" }
        return nil
    }
}

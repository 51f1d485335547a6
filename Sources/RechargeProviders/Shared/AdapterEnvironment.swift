import Foundation

/// What an adapter takes from the world besides the network: the time and random bytes. Tests fix both to
/// pin requests byte for byte (HyperCard's timestamp and nonce, Pagsmile's AES key and IV).
public struct AdapterEnvironment: Sendable {
    public var now: @Sendable () -> Date
    public var randomBytes: @Sendable (Int) -> [UInt8]

    public init(now: @escaping @Sendable () -> Date, randomBytes: @escaping @Sendable (Int) -> [UInt8]) {
        self.now = now
        self.randomBytes = randomBytes
    }

    /// The system clock and a cryptographically secure generator.
    public static let live = AdapterEnvironment(
        now: { Date() },
        randomBytes: { count in
            var generator = SystemRandomNumberGenerator()
            return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        })

    /// `count` random characters from `alphabet`.
    func randomString(_ count: Int, alphabet: String = "0123456789ABCDEF") -> String {
        let characters = Array(alphabet)
        return String(self.randomBytes(count).map { characters[Int($0) % characters.count] })
    }
}

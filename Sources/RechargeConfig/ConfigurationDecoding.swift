import Foundation
import RechargeCore
import Synchronization

/// What one decoding pass over a configuration file shares between the `init(from:)`s of its parts: the file's
/// path, the provider profiles accounts are checked against, and every problem found so far. A part that finds a
/// problem records it here and goes on, so one pass reports them all.
final class ConfigurationDecoding: Sendable {
    struct State {
        var problems: [ConfigurationError] = []
        /// The names of the accounts read so far without a problem, for the duplicate check.
        var accountNames: Set<String> = []
    }

    let path: String
    let profiles: ProviderProfiles
    /// Guards the problems and names; decoding is sequential, the lock only makes the class `Sendable`.
    private let state: Mutex<State>

    init(path: String, profiles: ProviderProfiles, problems: [ConfigurationError] = []) {
        self.path = path
        self.profiles = profiles
        self.state = Mutex(State(problems: problems))
    }

    static let userInfoKey = CodingUserInfoKey(rawValue: "recharge.configurationDecoding")!

    /// The pass `decoder` belongs to.
    static func of(_ decoder: any Decoder) throws -> ConfigurationDecoding {
        guard let context = decoder.userInfo[Self.userInfoKey] as? ConfigurationDecoding else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "decoded outside a configuration pass"))
        }
        return context
    }

    func add(_ key: String?, _ message: String) {
        let problem = ConfigurationError(path: self.path, key: key, message: message)
        self.state.withLock { $0.problems.append(problem) }
    }

    var problems: [ConfigurationError] { self.state.withLock { $0.problems } }

    var problemCount: Int { self.state.withLock { $0.problems.count } }

    func isAccountNameTaken(_ name: String) -> Bool { self.state.withLock { $0.accountNames.contains(name) } }

    func acceptAccountName(_ name: String) { _ = self.state.withLock { $0.accountNames.insert(name) } }
}

/// Any key of a JSON object, for the keys a part does not know and for objects keyed by data (currency codes,
/// credential names).
struct AnyCodingKey: CodingKey {
    let stringValue: String
    let intValue: Int?

    init(_ string: String) {
        self.stringValue = string
        self.intValue = nil
    }

    init?(stringValue: String) { self.init(stringValue) }

    init?(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// `accounts[2].timeouts`: a coding path as the configuration's messages name keys.
func keyPath(_ path: [any CodingKey]) -> String {
    var text = ""
    for key in path {
        if let index = key.intValue {
            text += "[\(index)]"
        } else {
            text += (text.isEmpty ? "" : ".") + key.stringValue
        }
    }
    return text
}

/// One JSON object of the configuration read through its `CodingKeys`: unknown keys are recorded as problems, and
/// each value is read with its check, a bad one recorded and replaced by the fallback so that the next is still read.
struct ConfigurationObject<Key: CodingKey & CaseIterable> {
    let values: KeyedDecodingContainer<Key>
    let context: ConfigurationDecoding
    /// The object's key path; empty at the top level.
    let at: String

    /// The object `decoder` holds, its unknown keys recorded; `nil` (with `notAnObject` recorded) when it is not one.
    init?(_ decoder: any Decoder, context: ConfigurationDecoding, notAnObject: String = "must be an object") {
        self.context = context
        self.at = keyPath(decoder.codingPath)
        guard let values = try? decoder.container(keyedBy: Key.self), let all = try? decoder.container(keyedBy: AnyCodingKey.self) else {
            context.add(self.at.isEmpty ? nil : self.at, notAnObject)
            return nil
        }
        self.values = values
        let known = Key.allCases.map(\.stringValue).sorted()
        for unknown in all.allKeys.map(\.stringValue).sorted() where !known.contains(unknown) {
            context.add(self.key(unknown), "unknown key; expected one of: \(known.joined(separator: ", "))")
        }
    }

    /// The key path of a member.
    func key(_ name: String) -> String { self.at.isEmpty ? name : "\(self.at).\(name)" }

    func key(_ member: Key) -> String { self.key(member.stringValue) }

    func has(_ member: Key) -> Bool { self.values.contains(member) }

    func problem(_ member: Key, _ message: String) { self.context.add(self.key(member), message) }

    /// A whole number in `range`, or `fallback` when absent (or, with the problem recorded, when it is not one).
    func integer(_ member: Key, in range: ClosedRange<Int>, default fallback: Int) -> Int {
        guard self.has(member) else { return fallback }
        guard let number = try? self.values.decode(Int.self, forKey: member), range.contains(number) else {
            self.problem(member, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            return fallback
        }
        return number
    }

    /// A non-empty string, or `nil` when absent (or, with the problem recorded, when it is not one).
    func string(_ member: Key) -> String? {
        guard self.has(member) else { return nil }
        guard let text = try? self.values.decode(String.self, forKey: member), !text.isEmpty else {
            self.problem(member, "must be a non-empty string")
            return nil
        }
        return text
    }

    /// The member decoded as `T`, whose `init(from:)` records its own problems; `nil` when absent.
    func part<T: Decodable>(_ type: T.Type, _ member: Key) -> T? {
        guard self.has(member) else { return nil }
        do {
            return try self.values.decode(T.self, forKey: member)
        } catch {
            self.problem(member, "cannot be read")
            return nil
        }
    }
}

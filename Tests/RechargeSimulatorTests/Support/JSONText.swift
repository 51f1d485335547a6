import Foundation

/// A JSON object of string members as text, keys sorted (the order does not matter to the simulator).
func jsonText(_ members: [String: String]) -> String {
    // Only strings: serialisation cannot fail.
    let data = (try? JSONSerialization.data(withJSONObject: members, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    return String(decoding: data, as: UTF8.self)
}

/// A member of a decoded JSON object as an object.
func object(_ value: Any?) -> [String: Any]? { value as? [String: Any] }

/// A JSON document read whole, with numbers kept as their exact text: the one reader of the providers' answers,
/// on the same parser as batch files, so an amount written as a JSON number (`100.02`) never passes through a
/// binary floating-point value.
package struct ExactJSON: Sendable, Hashable {
    package enum Node: Sendable, Hashable {
        case string(String)
        /// The number exactly as written.
        case number(String)
        case bool(Bool)
        case null
        /// Members in the order written; a repeated key keeps its first value.
        case object([String: ExactJSON])
        case array([ExactJSON])
    }

    package let node: Node

    package init(_ node: Node) {
        self.node = node
    }

    /// The document in `bytes` (UTF-8, an optional byte-order mark), or `nil` when it is not exactly one JSON value.
    /// Limits keep a hostile answer bounded: 64 levels of nesting, strings up to 1 MiB.
    package static func parse(_ bytes: some Sequence<UInt8>) -> ExactJSON? {
        var parser = JSONParser(input: ByteInput(bytes: Array(bytes)), maximumDepth: 64, maximumStringBytes: 1 << 20)
        guard parser.skipByteOrderMark(), let value = try? parser.parseValue(), parser.skipWhitespace() == nil else { return nil }
        return ExactJSON(value)
    }

    init(_ value: JSONValue) {
        switch value {
        case .string(let text): self.node = .string(text)
        case .number(let text): self.node = .number(text)
        case .bool(let flag): self.node = .bool(flag)
        case .null: self.node = .null
        case .array(let elements): self.node = .array(elements.map(ExactJSON.init))
        case .object(let members):
            var object: [String: ExactJSON] = [:]
            for member in members where object[member.key] == nil { object[member.key] = ExactJSON(member.value) }
            self.node = .object(object)
        }
    }

    /// The member `key` of an object; `nil` for a missing member or a value that is not an object.
    package subscript(key: String) -> ExactJSON? {
        guard case .object(let members) = self.node else { return nil }
        return members[key]
    }

    package var object: [String: ExactJSON]? {
        if case .object(let members) = self.node { return members }
        return nil
    }

    package var array: [ExactJSON]? {
        if case .array(let elements) = self.node { return elements }
        return nil
    }

    package var string: String? {
        if case .string(let text) = self.node { return text }
        return nil
    }

    /// A string, or a number's exact text: for fields a provider writes either way (`"code": 1006` or `"1006"`).
    package var text: String? {
        switch self.node {
        case .string(let text), .number(let text): text
        default: nil
        }
    }

    /// A whole number, written as a number or a string; `nil` for a fraction, an exponent or anything else.
    package var integer: Int? {
        self.text.flatMap { Int($0) }
    }
}

/// Where a JSON document goes wrong, for files read by another parser (the configuration).
package enum JSONSyntaxDiagnosis {
    /// `not valid JSON: line 3, character 17: expected ',' or '}' in an object, found '"'` — where a JSON document first
    /// goes wrong, for a file another parser refused without saying where (a configuration file).
    package static func problem(in bytes: [UInt8]) -> String {
        var parser = JSONParser(input: ByteInput(bytes: bytes), maximumDepth: 512, maximumStringBytes: Int.max)
        do {
            guard parser.skipByteOrderMark() else { return "not valid JSON: the file is UTF-16 encoded; save it as UTF-8" }
            _ = try parser.parseValue()
            if let next = parser.skipWhitespace() {
                return "not valid JSON: " + parser.syntaxError("text after the end of the JSON value: \(JSONParser.show(next))").located
            }
        } catch {
            return "not valid JSON: " + error.located
        }
        return "not valid JSON"
    }
}

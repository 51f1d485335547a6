/// The batch file formats.
public enum BatchFormat: String, CaseIterable, Codable, Hashable, Sendable {
    /// RFC 4180 CSV with a header row.
    case csv
    /// One JSON object: `{"batch": {...}, "items": [...]}`.
    case json
    /// One JSON object per line; optionally a first line `{"batch": {...}}`.
    case ndjson

    /// The format a file name's extension implies: `.csv`, `.json`, `.ndjson` or `.jsonl`.
    public static func inferred(fromPath path: String) -> BatchFormat? {
        let lowered = path.lowercased()
        if lowered.hasSuffix(".csv") { return .csv }
        if lowered.hasSuffix(".json") { return .json }
        if lowered.hasSuffix(".ndjson") || lowered.hasSuffix(".jsonl") { return .ndjson }
        return nil
    }
}

import RechargeStore

/// The batches page: every batch with its state, totals, uploader and approvers; the upload form for those who
/// may upload.
enum BatchListPage {
    static func render(_ items: [BatchListItem], user: ConsoleUser) -> HTML {
        let rows: [HTML] = items.map { item in
            """
            <tr data-batch="\(item.id)"><td><a href="/batches/\(item.id)">\(item.id)</a></td><td><a href="/batches/\(item.id)">\(item.name)</a></td>
            <td><span class="state state-\(item.state.rawValue.lowercased())">\(item.state.rawValue)</span></td>
            <td class="num">\(item.lines)</td><td>\(Self.totals(item.totals))</td>
            <td>\(item.uploadedBy ?? "")</td><td>\(item.approvers.joined(separator: ", "))</td><td>\(item.importedAt)</td></tr>
            """
        }
        let table: HTML =
            items.isEmpty
            ? "<p>No batches yet.</p>"
            : """
            <table id="batches"><thead><tr><th>Id</th><th>Name</th><th>State</th><th>Lines</th><th>Totals</th><th>Uploaded by</th>
            <th>Approved by</th><th>Imported</th></tr></thead><tbody>\(rows)</tbody></table>
            """
        let upload: HTML =
            ConsoleAction.upload.isAllowed(for: user.role)
            ? """
            <section class="card"><h2>Upload a batch</h2>
            <form id="upload-form">
            <label>File (CSV, JSON or NDJSON) <input type="file" name="file" accept=".csv,.json,.ndjson,.jsonl" required></label>
            <label>Batch name (optional) <input name="name" maxlength="200"></label>
            <button type="submit">Upload and validate</button>
            <p class="form-error" role="alert"></p>
            </form>
            <div id="upload-errors"></div></section>
            """
            : ""
        return "<h1>Batches</h1>\(upload)\(table)"
    }

    static func totals(_ totals: [String: String]) -> HTML {
        HTML.join(totals.sorted { $0.key < $1.key }.map { "<span class=\"money\">\($0.key) \($0.value)</span>" }, separator: "<br>")
    }
}

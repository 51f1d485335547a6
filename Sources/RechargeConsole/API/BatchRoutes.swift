import Foundation
import Hummingbird
import NIOCore
import RechargeCore
import RechargeProviders
import RechargeReport
import RechargeStore

/// The batches API: list, upload, read, decide, operate, watch, report.
struct BatchRoutes {
    let settings: ConsoleSettings

    var database: RechargeDatabase { self.settings.database }

    func add(to router: Router<ConsoleContext>) {
        router.get("/api/batches") { _, context in
            _ = try context.requireUser(allowedTo: .read)
            let batches = try self.database.batches().sorted { $0.id > $1.id }.prefix(500)
            return try JSONResponse.make(try batches.map { try BatchViews.listItem($0, database: self.database) })
        }
        router.post("/api/batches") { request, context in try await self.upload(request, context: context) }
        router.get("/api/batches/:id") { _, context in
            _ = try context.requireUser(allowedTo: .read)
            return try JSONResponse.make(try BatchViews.detail(try self.batch(context), database: self.database))
        }
        router.get("/api/batches/:id/timeline") { _, context in
            _ = try context.requireUser(allowedTo: .read)
            let entries = try self.database.batchTimeline(batchID: try self.batch(context).id)
            return try JSONResponse.make(entries.map(TimelineView.init))
        }
        router.post("/api/batches/:id/approve") { request, context in
            let user = try context.requireUser(allowedTo: .approve)
            let batch = try self.batch(context)
            struct Body: Decodable { var sha256: String? }
            let body = try await JSONResponse.decodeIfPresent(
                Body.self, from: request, expecting: #"{"sha256": "the content's SHA-256"} or nothing"#)
            return try self.decide(batch, .approve, sha256: body?.sha256 ?? batch.sourceSHA256, user: user)
        }
        router.post("/api/batches/:id/reject") { request, context in
            let user = try context.requireUser(allowedTo: .approve)
            let batch = try self.batch(context)
            struct Body: Decodable { var reason: String }
            let body = try await JSONResponse.decode(Body.self, from: request, expecting: #"{"reason": "why the batch is rejected"}"#)
            return try self.decide(batch, .reject(reason: body.reason), sha256: batch.sourceSHA256, user: user)
        }
        router.post("/api/batches/:id/cancel") { _, context in
            let user = try context.requireUser(allowedTo: .operate)
            let batch = try self.batch(context)
            let cancelled = try self.database.cancelPending(batchID: batch.id, actor: user.actor, now: self.settings.now())
            return try JSONResponse.make(["cancelled": cancelled])
        }
        router.post("/api/batches/:id/retry") { _, context in
            let user = try context.requireUser(allowedTo: .operate)
            let batch = try self.batch(context)
            let retried = try self.database.retryFailed(batchID: batch.id, actor: user.actor, now: self.settings.now())
            if retried > 0 { self.settings.onWork() }
            return try JSONResponse.make(["retried": retried])
        }
        router.post("/api/batches/:id/lines/:line/resolve") { request, context in
            let user = try context.requireUser(allowedTo: .operate)
            let batch = try self.batch(context)
            guard let line = context.parameters.get("line", as: Int.self) else {
                throw ConsoleError(.badRequest, "the line number must be a whole number")
            }
            struct Body: Decodable {
                var outcome: String
                var note: String
            }
            let body = try await JSONResponse.decode(
                Body.self, from: request, expecting: #"{"outcome": "success" or "failed", "note": "the provider's evidence"}"#)
            guard body.outcome == "success" || body.outcome == "failed" else {
                throw ConsoleError(.badRequest, "outcome must be \"success\" or \"failed\", as the provider's records show")
            }
            guard !body.note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw ConsoleError(.badRequest, "a resolution needs a note: the evidence (provider reference, ticket)")
            }
            do {
                let state = try self.database.resolveUnknown(
                    batchID: batch.id, lineNumber: line, succeeded: body.outcome == "success", note: body.note, actor: user.actor,
                    now: self.settings.now())
                return try JSONResponse.make(["line": String(line), "state": state.rawValue])
            } catch let error as StoreError where error.code == .notFound {
                throw ConsoleError(.notFound, error.message)
            } catch let error as StoreError where error.code == .illegalTransition || error.code == .stateChanged {
                throw ConsoleError(.conflict, error.message)
            }
        }
        router.get("/api/batches/:id/progress") { request, context in
            _ = try context.requireUser(allowedTo: .read)
            return ProgressStream(database: self.database, batchID: try self.batch(context).id, now: self.settings.now).response()
        }
        router.get("/api/batches/:id/report") { request, context in
            _ = try context.requireUser(allowedTo: .read)
            return try self.report(try self.batch(context), format: request.uri.queryParameters.get("format").map { String($0) } ?? "html")
        }
    }

    /// The batch named by the path's `:id`, or 404.
    func batch(_ context: ConsoleContext) throws -> BatchRecord {
        guard let id = context.parameters.get("id", as: Int64.self), let batch = try self.database.batch(id: id) else {
            throw ConsoleError(.notFound, "no batch \(context.parameters.get("id")?.terminalSafe ?? "")")
        }
        return batch
    }

    private func upload(_ request: Request, context: ConsoleContext) async throws -> Response {
        let user = try context.requireUser(allowedTo: .upload)
        guard let format = UploadReceiver.format(contentType: request.headers[.contentType]) else {
            throw ConsoleError(
                .unsupportedType, "send the file with Content-Type text/csv, application/json or application/x-ndjson")
        }
        let name = request.uri.queryParameters.get("name").map { String($0) }
        if let name, let problem = BatchName.problem(name) { throw ConsoleError(.badRequest, "name: \(problem)") }
        let path = try await UploadReceiver.receive(
            request.body, into: self.settings.uploadDirectory, limit: self.settings.maxUploadBytes)
        defer { unlink(path) }
        let reader = BatchReader(configuration: self.settings.configuration, profiles: .all, diagnosticLimit: 100)
        // The browser's file name, shown as the batch's source file (escaped wherever it is shown).
        let displayName = request.uri.queryParameters.get("file").map { String($0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "console upload"
        let outcome: ImportOutcome
        do {
            outcome = try self.database.importBatch(
                ImportRequest(
                    path: path, displayName: displayName, format: format, name: name, uploadedBy: user.actor,
                    approval: self.settings.configuration.approval),
                reader: reader, now: self.settings.now())
        } catch let error as BatchInputError {
            throw ConsoleError(.invalid, "\(error)")
        } catch let error as StoreError where error.code == .invalidName {
            throw ConsoleError(.badRequest, error.message)
        }
        switch outcome {
        case .imported(let batch, _):
            if batch.approvalState.allowsSending { self.settings.onWork() }
            return try JSONResponse.make(Created(id: batch.id, state: batch.approvalState.rawValue), status: .created)
        case .rejected(let result):
            return try JSONResponse.make(UploadErrors(result.diagnostics), status: .unprocessableContent)
        case .duplicate(_, let reason, _):
            throw ConsoleError(.conflict, "refused: \(reason); nothing was stored")
        }
    }

    private func decide(_ batch: BatchRecord, _ decision: ApprovalDecision, sha256: String, user: ConsoleUser) throws -> Response {
        do {
            let summary = try self.database.decide(
                batchID: batch.id, decision, actor: user.actor, sourceSHA256: sha256, now: self.settings.now())
            if summary.batch.approvalState == .approved { self.settings.onWork() }
            return try JSONResponse.make(try BatchViews.detail(summary.batch, database: self.database))
        } catch let error as StoreError where error.code == .approvalRefused {
            // The uploader deciding, or a second decision by the same person: the four-eyes rule, 403. A batch not
            // awaiting approval, or a hash that is not its content: the request no longer fits the batch, 409.
            let forbidden = error.message.hasPrefix("four eyes") || error.message.contains("already decided")
            throw ConsoleError(forbidden ? .forbidden : .conflict, error.message)
        }
    }

    private func report(_ batch: BatchRecord, format text: String) throws -> Response {
        guard let format = ReportFormat(rawValue: text), format != .text else {
            throw ConsoleError(.badRequest, "format must be csv, json or html")
        }
        let path = (self.settings.uploadDirectory as NSString).appendingPathComponent(
            "recharge-report-\(UUID().uuidString.lowercased()).\(format.rawValue)")
        do {
            try ReconciliationReport.writeFile(batchID: batch.id, from: self.database, format: format, path: path)
        } catch {
            unlink(path)
            throw ConsoleError(.unavailable, "the report could not be written: \(error)")
        }
        var headers: HTTPFields = [.cacheControl: "no-store"]
        switch format {
        case .csv: headers[.contentType] = "text/csv; charset=utf-8"
        case .json: headers[.contentType] = "application/json; charset=utf-8"
        case .html, .text: headers[.contentType] = "text/html; charset=utf-8"
        }
        let fileName = "batch-\(batch.id)-report.\(format.rawValue)"
        headers[.contentDisposition] = format == .html ? "inline; filename=\"\(fileName)\"" : "attachment; filename=\"\(fileName)\""
        // The report page is self-contained: its own inline style, no script at all.
        headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'; base-uri 'none'"
        return Response(status: .ok, headers: headers, body: FileBody.streaming(path: path, removeAfter: true))
    }
}

/// The 201 body of an upload: the new batch and its approval state.
struct Created: Encodable {
    var id: Int64
    var state: String
}

/// A timeline entry as the API writes it.
struct TimelineView: Encodable {
    var at: String
    var actor: String
    var kind: String
    var detail: String?

    init(_ entry: TimelineEntry) {
        (self.at, self.actor, self.kind, self.detail) = (entry.at, entry.actor, entry.kind, entry.detail)
    }
}

/// The 422 body of an invalid upload: the first errors with where and why, and how many more there are.
struct UploadErrors: Encodable {
    struct Entry: Encodable {
        var line: Int?
        var column: String?
        var value: String?
        var message: String
    }
    var errors: [Entry]
    var more: Int

    init(_ diagnostics: DiagnosticCollector) {
        self.errors = diagnostics.errors.map { Entry(line: $0.line, column: $0.column, value: $0.value, message: $0.message) }
        self.more = max(0, diagnostics.errorCount - diagnostics.errors.count)
    }
}

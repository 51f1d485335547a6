import Hummingbird
import Logging

/// Logs one line per request: method, path, status and duration.
struct LogRequestsMiddleware: RouterMiddleware {
    typealias Context = SimulatorContext
    let logLevel: Logger.Level

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            context.logger.log(
                level: self.logLevel, "\(request.method) \(request.uri.path) \(response.status.code) \(ContinuousClock.now - start)")
            return response
        } catch {
            context.logger.log(level: self.logLevel, "\(request.method) \(request.uri.path) failed: \(error)")
            throw error
        }
    }
}

import Hummingbird
import RechargeStore

/// The console's routes: `/healthz`, the JSON API under `/api`, the pages and their static files.
package enum ConsoleRouter {
    package static func make(settings: ConsoleSettings, metrics: ConsoleMetrics = ConsoleMetrics()) -> Router<ConsoleContext> {
        let router = Router(context: ConsoleContext.self)
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: MetricsMiddleware())
        router.get("/healthz") { _, _ in
            try settings.database.healthCheck()
            return "ok\n"
        }
        router.add(middleware: SessionMiddleware(settings: settings))
        metrics.add(to: router, database: settings.database)
        SessionRoutes(settings: settings).add(to: router)
        BatchRoutes(settings: settings).add(to: router)
        Pages(settings: settings).add(to: router)
        return router
    }
}

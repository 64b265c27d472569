import Foundation
import Hummingbird
import Logging

/// Turns every error into a ``Problem``: Hummingbird's own (404 for an
/// unknown route, 413…) keep their status, but a path served with other
/// methods answers 405 with `Allow`; anything else is a 500 that says nothing
/// of the server's internals and is logged with the request id.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger
    /// The routes, to tell 405 from 404; filled before the first request.
    let routes: RouteTable?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return try problem.response(from: request, context: context)
        } catch let error as HTTPError {
            if error.status == .notFound, let allowed = routes?.methods(servedAt: request.uri.path), !allowed.isEmpty {
                var response = try Problem(.methodNotAllowed, "\(request.method.rawValue) is not served here; use \(allowed.joined(separator: ", "))")
                    .response(from: request, context: context)
                response.headers[.allow] = allowed.joined(separator: ", ")
                return response
            }
            let detail = error.status.code < 500 ? error.body : nil
            return try Problem(error.status, detail).response(from: request, context: context)
        } catch {
            logger.error("request failed", metadata: ["path": "\(request.uri.path)", "request_id": "\(context.id)", "error": "\(error)"])
            return try Problem(.internalServerError, "the server could not answer; its log has the details (request \(context.id))")
                .response(from: request, context: context)
        }
    }
}

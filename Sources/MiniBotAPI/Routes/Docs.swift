import Foundation
import Hummingbird
import MiniBotCore

/// The OpenAPI 3.1 document (`Resources/openapi.json`, kept in the repo),
/// Swagger UI at `/docs` and ReDoc at `/redoc`. Their JavaScript and CSS are
/// served by this service from ``APIEnvironment/docsAssets`` (`scripts/setup`
/// puts them in `.deps/api-docs`), never from a CDN; without them the pages
/// list the document's operations with a few lines of plain JS.
struct DocsRoutes {
    let environment: APIEnvironment

    /// The document's bytes, loaded once.
    static let document: Data = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "Resources"),
              let data = try? Data(contentsOf: url) else { return Data("{}".utf8) }
        return data
    }()

    /// The asset files served, and their types.
    static let assets = ["swagger-ui-bundle.js": "text/javascript; charset=utf-8", "swagger-ui.css": "text/css; charset=utf-8",
                         "redoc.standalone.js": "text/javascript; charset=utf-8"]

    func register(_ routes: RouteTable) {
        routes.add(.get, "/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: Self.document)))
        }
        let folder = environment.docsAssets
        routes.add(.get, "/docs") { _, _ in
            folder == nil ? Self.page(title: "MiniBotPanel API") : Self.html(Self.swaggerUI)
        }
        routes.add(.get, "/redoc") { _, _ in
            folder == nil ? Self.page(title: "MiniBotPanel API reference") : Self.html(Self.redoc)
        }
        routes.add(.get, "/docs/assets/{file}") { _, context in
            let name = try context.parameters.require("file")
            guard let folder, let type = Self.assets[name],
                  let data = FileManager.default.contents(atPath: folder + "/" + name) else {
                throw Problem.notFound("no documentation asset \(name)")
            }
            return Response(status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=86400"],
                            body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    static let swaggerUI = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>MiniBotPanel API</title><link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
        <body><div id="ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script>
        <script>window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#ui", deepLinking: true });</script></body></html>
        """

    static let redoc = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>MiniBotPanel API reference</title></head>
        <body><redoc spec-url="/openapi.json"></redoc><script src="/docs/assets/redoc.standalone.js"></script></body></html>
        """

    static func html(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func page(title: String) -> Response {
        let html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>\(title)</title>
            <style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
            code{background:#f3f3f3;padding:0 .3em}.op{margin:.6rem 0;border-left:4px solid #999;padding-left:.6rem}
            .get{border-color:#2a7}.post{border-color:#27c}.patch{border-color:#c82}.delete{border-color:#c33}</style></head>
            <body><h1>\(title)</h1><p>Machine-readable: <a href="/openapi.json">/openapi.json</a>.
            Every route but /health and these pages needs <code>Authorization: Bearer KEY</code> (<code>minibot apikey create</code>).</p>
            <div id="ops">Loading…</div>
            <script>
            fetch('/openapi.json').then(r => r.json()).then(doc => {
              const out = [];
              for (const [path, item] of Object.entries(doc.paths || {})) {
                for (const [method, op] of Object.entries(item)) {
                  const params = (op.parameters || []).map(p => p.name + (p.required ? '*' : '')).join(', ');
                  out.push(`<div class="op ${method}"><b>${method.toUpperCase()}</b> <code>${path}</code> — ${op.summary || ''}` +
                           (params ? `<br><small>parameters: ${params}</small>` : '') +
                           `<br><small>responses: ${Object.keys(op.responses || {}).join(', ')}</small></div>`);
                }
              }
              document.getElementById('ops').innerHTML = out.join('');
            });
            </script></body></html>
            """
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

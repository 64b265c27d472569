import Foundation
import Hummingbird

/// The OpenAPI 3.1 document (`Resources/openapi.json`, kept in the repo) and
/// two pages that read it. Swagger UI and ReDoc need their JavaScript from a
/// CDN, which this service must not depend on; until their assets are vendored
/// the pages render the document's operations with a few lines of plain JS.
struct DocsRoutes {
    /// The document's bytes, loaded once.
    static let document: Data = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "Resources"),
              let data = try? Data(contentsOf: url) else { return Data("{}".utf8) }
        return data
    }()

    func register(_ routes: RouteTable) {
        routes.add(.get, "/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: Self.document)))
        }
        routes.add(.get, "/docs") { _, _ in Self.page(title: "MiniBotPanel API") }
        routes.add(.get, "/redoc") { _, _ in Self.page(title: "MiniBotPanel API reference") }
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

import Foundation
import Hummingbird
import MiniBotAPI

extension WebPanel {
    /// The stylesheet, the script and the logo, from the module's resources; no CDN.
    func registerAssets(on router: Router<APIRequestContext>) {
        let folder = PageRenderer.resourceFolder("assets") ?? ""
        let assets = SafeFile(folder: folder)
        router.get("/panel/assets/{name}") { request, context in
            let name = try context.parameters.require("name")
            guard let path = try? assets.resolve(name), let data = FileManager.default.contents(atPath: path) else {
                throw HTTPError(.notFound)
            }
            let type = switch (name as NSString).pathExtension {
            case "css": "text/css; charset=utf-8"
            case "js": "text/javascript; charset=utf-8"
            case "svg": "image/svg+xml"
            default: "application/octet-stream"
            }
            return Response(status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=3600"],
                            body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }
}

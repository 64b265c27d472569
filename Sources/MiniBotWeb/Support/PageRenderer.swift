import Foundation
import Mustache

/// The panel's Mustache templates, shipped as resources and parsed once.
public struct PageRenderer: Sendable {
    let library: MustacheLibrary

    public struct MissingTemplates: Error, CustomStringConvertible {
        public let description: String
    }

    /// The folder of the templates in this build.
    static var templateDirectory: String? { resourceFolder("templates") }

    /// A folder of the module's `Resources` (where the bundle keeps it differs between platforms).
    static func resourceFolder(_ name: String) -> String? {
        let candidates = [Bundle.module.bundleURL.appendingPathComponent("Resources/\(name)"),
                          Bundle.module.resourceURL?.appendingPathComponent(name),
                          Bundle.module.resourceURL?.appendingPathComponent("Resources/\(name)")].compactMap { $0 }
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) }?.path
    }

    public init() throws {
        guard let folder = Self.templateDirectory,
              let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            throw MissingTemplates(description: "the panel's templates are missing from this build (MiniBotWeb resources)")
        }
        var templates: [String: MustacheTemplate] = [:]
        for name in names where name.hasSuffix(".mustache") {
            let text = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
            templates[String(name.dropLast(".mustache".count))] = try MustacheTemplate(string: text)
        }
        library = MustacheLibrary(templates: templates)
    }

    /// The template `name` rendered with `context`; an empty string if there is no such template.
    public func render(_ name: String, _ context: [String: Any]) -> String {
        library.render(context, withTemplate: name) ?? ""
    }
}

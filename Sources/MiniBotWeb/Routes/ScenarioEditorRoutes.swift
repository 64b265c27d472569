import Foundation
import Hummingbird
import MiniBotAPI
import MiniBotDialer

extension WebPanel {
    /// A scenario's YAML in a text area: checked by the scenario validator,
    /// then saved as a new file of DATA_DIR/scenarios. Nothing is ever
    /// overwritten, the shipped scenario least of all.
    func registerScenarioEditor(on router: Router<APIRequestContext>) {
        page(router, "/panel/scenarios/edit") { panel, _ in
            let catalog = ScenarioCatalog(environment: environment)
            let source = panel.query.text("name").flatMap { catalog.names().contains($0) ? $0 : nil } ?? ScenarioLoader.builtinName
            let text = try editableText(of: source, catalog: catalog)
            return editorPage(&panel, source: source, name: suggestedName(for: source, catalog: catalog), text: text)
        }

        action(router, "/panel/scenarios/edit") { panel, form, _ in
            let catalog = ScenarioCatalog(environment: environment)
            let source = form.text("source").flatMap { catalog.names().contains($0) ? $0 : nil } ?? ScenarioLoader.builtinName
            let name = form.text("name") ?? ""
            let text = (form["yaml"] ?? "").replacingOccurrences(of: "\r\n", with: "\n")
            let saving = form["intent"] == "save"
            var problems: [String] = []
            if saving, let problem = nameProblem(name, language: panel.language, catalog: catalog) { problems.append(problem) }
            if text.utf8.count > Self.maxScenarioSize { problems.append(Strings.format(panel.language, "scenario_too_large", Self.maxScenarioSize / 1024)) }
            guard problems.isEmpty else {
                return editorPage(&panel, source: source, name: name, text: text, problems: problems, status: .unprocessableContent)
            }
            // Checked where it will live, so that its prompt folder resolves as it will once saved.
            try FileManager.default.createDirectory(atPath: catalog.folder, withIntermediateDirectories: true)
            let draft = (catalog.folder as NSString).appendingPathComponent(".draft-\(UUID().uuidString).yaml")
            try Data(text.utf8).write(to: URL(fileURLWithPath: draft))
            defer { try? FileManager.default.removeItem(atPath: draft) }
            problems = catalog.check(draft, checkPrompts: false).map { $0.replacingOccurrences(of: (draft as NSString).lastPathComponent, with: "YAML") }
            guard problems.isEmpty else {
                return editorPage(&panel, source: source, name: name, text: text, problems: problems, status: .unprocessableContent)
            }
            guard saving else { return editorPage(&panel, source: source, name: name, text: text, valid: true) }
            let target = (catalog.folder as NSString).appendingPathComponent("\(name).yaml")
            do {
                // A hard link fails when the name is taken, even by a file saved meanwhile.
                try FileManager.default.linkItem(atPath: draft, toPath: target)
            } catch {
                return editorPage(&panel, source: source, name: name, text: text, problems: [Strings.format(panel.language, "scenario_name_taken", name)],
                                  status: .unprocessableContent)
            }
            logger.info("scenario saved from the panel", metadata: ["scenario": "\(name)", "from": "\(source)", "user": "\(panel.session?.userName ?? "")"])
            return redirect(&panel, to: "/panel/scenarios?name=\(encode(name))", flash: Strings.format(panel.language, "scenario_saved", name))
        }
    }

    static let maxScenarioSize = 256 * 1024

    /// The scenario's YAML; the shipped one's prompt folder written so that a copy in DATA_DIR/scenarios finds the same prompts.
    func editableText(of name: String, catalog: ScenarioCatalog) throws -> String {
        if name == ScenarioLoader.builtinName {
            return try ScenarioLoader.builtinText.replacingOccurrences(of: "\nprompts: .\n", with: "\nprompts: ../prompts/\(ScenarioLoader.builtinName)\n")
        }
        let path = try catalog.path(of: name, field: "name")
        guard let data = FileManager.default.contents(atPath: path) else { throw Problem(.notFound, "no such scenario") }
        return String(decoding: data, as: UTF8.self)
    }

    /// A free name for a copy: `NAME-2`, `NAME-3`…
    func suggestedName(for source: String, catalog: ScenarioCatalog) -> String {
        let taken = Set(catalog.names())
        return (2...).lazy.map { "\(source)-\($0)" }.first { !taken.contains($0) } ?? source
    }

    /// Why `name` cannot be saved, or nil: a plain new name, never the shipped scenario's.
    func nameProblem(_ name: String, language: Language, catalog: ScenarioCatalog) -> String? {
        let allowed = name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_".unicodeScalars.contains($0)) }
        guard !name.isEmpty, name.count <= 64, allowed, !name.hasPrefix("-") else { return Strings.format(language, "scenario_name_invalid", name) }
        if name == ScenarioLoader.builtinName || catalog.names().contains(name) { return Strings.format(language, "scenario_name_taken", name) }
        return nil
    }

    func editorPage(_ panel: inout PanelRequest, source: String, name: String, text: String, problems: [String] = [], valid: Bool = false,
                    status: HTTPResponse.Status = .ok) -> Response {
        let strings = Strings.table(panel.language)
        let catalog = ScenarioCatalog(environment: environment)
        var context: [String: Any] = [
            "source": source, "name": name, "yaml": text, "problems": problems, "has_problems": !problems.isEmpty, "valid": valid,
            "sources": catalog.names().map { ["value": $0, "selected": $0 == source] },
        ]
        if valid { context["valid_text"] = strings["scenario_checked"] }
        return render(&panel, template: "scenario_edit", title: strings["edit_scenario"]!, nav: "scenarios", status: status, context)
    }
}

import Foundation
import Hummingbird
import MiniBotAPI
import MiniBotAudio
import MiniBotCore
import MiniBotDialer

extension WebPanel {
    func registerScenarios(on router: Router<APIRequestContext>) {
        page(router, "/panel/scenarios") { panel, _ in
            let strings = Strings.table(panel.language)
            let catalog = ScenarioCatalog(environment: environment)
            let names = catalog.names()
            let name = panel.query.text("name").flatMap { names.contains($0) ? $0 : nil } ?? ScenarioLoader.builtinName
            let path = try catalog.path(of: name, field: "name")
            let problems = catalog.check(path, checkPrompts: true)
            var context: [String: Any] = [
                "name": name, "valid": problems.isEmpty, "problems": problems,
                "names": names.map { ["value": $0, "selected": $0 == name] },
            ]
            if let loaded = try? loadScenario(path, catalog: catalog) {
                let scenario = loaded.scenario
                context["description"] = scenario.description
                context["steps"] = scenario.orderedSteps.map { step -> [String: Any] in
                    let label = Strings.label(panel.language, "step", step.name)
                    var row: [String: Any] = ["name": step.name, "label": label, "show_name": label != step.name, "text": step.prompt.text, "final": step.isFinal, "start": step.name == scenario.start,
                                              "file": step.prompt.file, "scenario_name": name]
                    if let outcome = step.outcome {
                        row["outcome"] = strings["contact_\(outcome.rawValue)"] ?? outcome.rawValue
                        row["outcome_key"] = cssKey(outcome.rawValue)
                    }
                    if (try? SafeFile(folder: loaded.promptDirectory).resolve(step.prompt.file)) != nil {
                        row["audio"] = "/panel/scenarios/prompt?name=\(encode(name))&file=\(encode(step.prompt.file))"
                    }
                    if let listen = step.listen {
                        row["listen"] = Strings.format(panel.language, "listen_summary", String(format: "%g", listen.maxSilenceSeconds),
                                                       String(format: "%g", listen.maxListenSeconds))
                    }
                    let transitions = step.transitions.sorted { $0.key < $1.key }.map { event, transition -> [String: Any] in
                        var item: [String: Any] = ["event": event.rawValue, "event_label": Strings.label(panel.language, "intent", event.rawValue)]
                        if let next = transition.next {
                            item["next"] = next
                            item["next_label"] = Strings.label(panel.language, "step", next)
                        }
                        if let outcome = transition.outcome { item["outcome"] = strings["contact_\(outcome.rawValue)"] ?? outcome.rawValue }
                        return item
                    }
                    row["transitions"] = transitions
                    row["has_transitions"] = !transitions.isEmpty
                    return row
                }
            }
            return render(&panel, template: "scenario", title: strings["scenario"]!, nav: "scenarios", context)
        }

        // A prompt's audio, by scenario name and file name (never a path from the request).
        page(router, "/panel/scenarios/prompt") { panel, context in
            let catalog = ScenarioCatalog(environment: environment)
            guard let name = panel.query.text("name"), catalog.names().contains(name), let file = panel.query.text("file"),
                  let loaded = try? loadScenario(try catalog.path(of: name, field: "name"), catalog: catalog),
                  let path = try? SafeFile(folder: loaded.promptDirectory).resolve(file) else {
                throw Problem(.notFound, "no such prompt")
            }
            return try await FileResponder().respond(path: path, contentType: "audio/wav", request: panel.request, context: context)
        }
    }

    /// An uploaded prompt for one of a scenario's steps: converted and levelled as
    /// `minibot prompts prepare` does, then written where the scenario reads it.
    func registerPromptUpload(on router: Router<APIRequestContext>) {
        router.post("/panel/scenarios/prompt") { request, context in
            try await guarded(request, context) { panel in
                guard let session = panel.session else { return loginRedirect(request) }
                let body = try await request.body.collect(upTo: context.maxUploadSize)
                guard let boundary = MultipartForm.boundary(contentType: request.headers[.contentType] ?? ""),
                      let form = MultipartForm(body: Data(body.readableBytesView), boundary: boundary),
                      Tokens.matches(form.field("csrf"), expected: session.csrfToken) else { return try forbidden(&panel) }
                let catalog = ScenarioCatalog(environment: environment)
                // Only a prompt file the scenario names, in its own prompt folder: never a path from the request.
                guard let name = form.field("name"), catalog.names().contains(name), let file = form.field("file"), SafeFile.isPlainName(file),
                      let loaded = try? loadScenario(try catalog.path(of: name, field: "name"), catalog: catalog),
                      loaded.scenario.steps.values.contains(where: { $0.prompt.file == file }),
                      let upload = form.file("audio"), !upload.data.isEmpty else {
                    throw Problem(.notFound, "no such prompt")
                }
                let back = "/panel/scenarios?name=\(encode(name))"
                let folder = FileManager.default.temporaryDirectory.appendingPathComponent("minibot-prompt-\(UUID().uuidString)").path
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(atPath: folder) }
                let ext = ((upload.filename ?? "") as NSString).pathExtension.lowercased()
                let input = folder + "/upload." + (CompressedAudioFile.extensions.contains(ext) ? ext : "wav")
                try upload.data.write(to: URL(fileURLWithPath: input))
                do {
                    let buffer = input.hasSuffix(".wav") ? try WAVFile.read(path: input).buffer : try CompressedAudioFile.read(path: input)
                    let (prepared, report) = try PromptPreparation.prepare(buffer, settings: PromptPreparation.Settings())
                    try FileManager.default.createDirectory(atPath: loaded.promptDirectory, withIntermediateDirectories: true)
                    try WAVFile.writePCM16(prepared, to: (loaded.promptDirectory as NSString).appendingPathComponent(file))
                    logger.info("prompt prepared from the panel", metadata: ["scenario": "\(name)", "file": "\(file)", "user": "\(session.userName)"])
                    let seconds = Double(prepared.samples.count) / Double(max(prepared.sampleRate, 1))
                    return redirect(&panel, to: back, flash: Strings.format(panel.language, "prompt_prepared", file,
                                                                            report.after.loudnessLUFS.map { String(format: "%.1f", $0) } ?? "—",
                                                                            String(format: "%.1f", seconds)))
                } catch {
                    return redirect(&panel, to: back, flash: Strings.format(panel.language, "prompt_refused", "\(error)"), kind: "error")
                }
            }
        }
    }

    /// The scenario's steps even when its prompts are not ready (the check says so separately).
    func loadScenario(_ path: String, catalog: ScenarioCatalog) throws -> LoadedScenario {
        let listen = environment.config.listen
        return try ScenarioLoader.load(path, defaultPromptDirectory: catalog.builtinPromptDirectory, checkPrompts: false) { step in
            let timeouts = listen.timeouts(for: step)
            return ListenTimeouts(maxSilenceSeconds: timeouts.maxSilenceSeconds, waitBeforeStop: timeouts.waitBeforeStop)
        }
    }
}

import Foundation
import Hummingbird
import MiniBotAPI
import MiniBotCore
import MiniBotStore

extension WebPanel {
    func registerSettings(on router: Router<APIRequestContext>) {
        page(router, "/panel/settings") { panel, _ in
            try await settingsPage(&panel, newKey: nil)
        }

        action(router, "/panel/settings/apikeys") { panel, form, _ in
            guard let name = form.text("name"), let scope = APIKeyScope(rawValue: form["scope"] ?? "") else {
                return redirect(&panel, to: "/panel/settings", flash: Strings.format(panel.language, "field_required", "name"), kind: "error")
            }
            let (record, secret) = APIKeySecret.generate(name: name, scope: scope)
            try await store.createAPIKey(record)
            logger.info("API key created from the panel", metadata: ["key": "\(record.id)", "user": "\(panel.session?.userName ?? "")"])
            // Shown once, in this answer: never in a redirect or a cookie.
            return try await settingsPage(&panel, newKey: secret)
        }

        action(router, "/panel/settings/apikeys/revoke") { panel, form, _ in
            let id = form.text("id") ?? ""
            guard try await store.revokeAPIKey(id: id, at: Date()) else { throw Problem(.notFound, id) }
            environment.apiKeys.forget(id: id)
            return redirect(&panel, to: "/panel/settings", flash: Strings.format(panel.language, "key_revoked", id))
        }
    }

    func settingsPage(_ panel: inout PanelRequest, newKey: String?) async throws -> Response {
        let strings = Strings.table(panel.language)
        let format = formatter(panel)
        let keys = try await store.apiKeys()
        var context: [String: Any] = [
            "keys": keys.map { key -> [String: Any] in
                var row: [String: Any] = ["id": key.id, "name": key.name, "scope": key.scope.rawValue, "created": format.dateTime(key.createdAt)]
                if let revoked = key.revokedAt { row["revoked"] = format.dateTime(revoked) }
                return row
            },
            "has_keys": !keys.isEmpty,
            "config": Self.maskedConfiguration(environment.config),
        ]
        if let newKey { context["new_key"] = newKey }
        return render(&panel, template: "settings", title: strings["settings"]!, nav: "settings", context)
    }

    /// The configuration as JSON, every secret replaced by `••••••` (passwords, keys, tokens, and the password of a URL).
    static func maskedConfiguration(_ config: MiniBotConfig) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(config), let object = try? JSONSerialization.jsonObject(with: data) else { return "" }
        let masked = mask(object, key: "")
        guard let out = try? JSONSerialization.data(withJSONObject: masked, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) else { return "" }
        return String(decoding: out, as: UTF8.self)
    }

    static func isSecretKey(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return ["password", "secret", "token", "apikey", "api_key", "credential", "private"].contains { lowered.contains($0) }
            || lowered == "key" || lowered.hasSuffix("_key")
    }

    static func mask(_ value: Any, key: String) -> Any {
        if let dictionary = value as? [String: Any] {
            return Dictionary(uniqueKeysWithValues: dictionary.map { ($0.key, mask($0.value, key: $0.key)) })
        }
        if let array = value as? [Any] { return array.map { mask($0, key: key) } }
        if let text = value as? String {
            if isSecretKey(key) { return text.isEmpty ? "" : "••••••" }
            return maskURLPassword(text)
        }
        return value
    }

    /// `scheme://user:password@host…` → `scheme://user:••••••@host…`.
    static func maskURLPassword(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@") else { return text }
        let credentials = text[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return text }
        return String(text[..<text.index(after: colon)]) + "••••••" + String(text[at...])
    }
}

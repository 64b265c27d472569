import ArgumentParser
import Foundation
import MiniBotAPI
import MiniBotStore

/// `minibot apikey …`: keys for the HTTP API, stored hashed.
struct APIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apikey",
        abstract: "Create, list and revoke the HTTP API's keys.",
        subcommands: [APIKeyCreateCommand.self, APIKeyListCommand.self, APIKeyRevokeCommand.self]
    )
}

extension APIKeyScope: ExpressibleByArgument {}

struct APIKeyCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a key and print it once (only its SHA-256 is stored).",
        discussion: "Send it as `Authorization: Bearer KEY`. A read key may only GET; an admin key may also change things."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "What the key is for (a person, an integration).")
    var name: String

    @Option(help: "read or admin.")
    var scope: APIKeyScope

    @Flag(help: "Print one JSON object.")
    var json = false

    struct Created: Encodable {
        var id: String
        var name: String
        var scope: APIKeyScope
        var key: String
    }

    func validate() throws {
        if name.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--name must not be empty") }
    }

    func run() async throws {
        let runtime = try Runtime(global)
        let (record, secret) = APIKeySecret.generate(name: name, scope: scope)
        try await runtime.withStore { try await $0.createAPIKey(record) }
        if json { return try Output.json(Created(id: record.id, name: record.name, scope: record.scope, key: secret)) }
        Output.write("\(secret)\n")
        Output.error("key \(record.id) \"\(record.name)\" (\(record.scope.rawValue)) created; it is shown only now. Revoke it with: minibot apikey revoke \(record.id)\n")
    }
}

struct APIKeyListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the keys (never their secrets).")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print one JSON array.")
    var json = false

    func run() async throws {
        let runtime = try Runtime(global)
        let keys = try await runtime.withStore { try await $0.apiKeys() }
        if json { return try Output.json(keys) }
        var table = Table(["id", "name", "scope", "created", "revoked"], alignments: [.left, .left, .left, .left, .left])
        let format = ISO8601DateFormatter()
        for key in keys {
            table.add([key.id, key.name, key.scope.rawValue, format.string(from: key.createdAt), key.revokedAt.map(format.string(from:)) ?? ""])
        }
        Output.write(table.render())
    }
}

struct APIKeyRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a key: it stops working at once.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The key's id (minibot apikey list).")
    var id: String

    func run() async throws {
        let runtime = try Runtime(global)
        guard try await runtime.withStore({ try await $0.revokeAPIKey(id: id, at: Date()) }) else {
            throw ValidationError("no active key with id \(id) (minibot apikey list)")
        }
        Output.write("key \(id) revoked\n")
    }
}

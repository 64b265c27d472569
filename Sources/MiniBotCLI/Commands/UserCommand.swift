import ArgumentParser
import Foundation
import MiniBotStore
import MiniBotWeb

/// `minibot user …`: the people who may log in to the web panel.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Create, list and delete the web panel's users, and set their passwords.",
        subcommands: [UserCreateCommand.self, UserPasswordCommand.self, UserListCommand.self, UserDeleteCommand.self]
    )
}

/// The password, typed at a prompt without echo, or the first line of standard input when it is not a terminal.
enum PasswordInput {
    static let minimumLength = 8

    static func read(prompt: String) throws -> String {
        let password: String
        if isatty(STDIN_FILENO) == 1 {
            password = try typed(prompt)
            guard try typed("again: ") == password else { throw ValidationError("the two passwords differ") }
        } else {
            password = readLine(strippingNewline: true) ?? ""
        }
        guard password.count >= minimumLength else {
            throw ValidationError("the password must have at least \(minimumLength) characters")
        }
        return password
    }

    private static func typed(_ prompt: String) throws -> String {
        Output.error(prompt)
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved)
            Output.error("\n")
        }
        return readLine(strippingNewline: true) ?? ""
    }
}

struct UserCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a panel user; the password is typed at a prompt or read from standard input.",
        discussion: "Example: printf '%s\\n' \"$PASSWORD\" | minibot user create --name marie. Only a PBKDF2-SHA256 hash is stored."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The name to log in with.")
    var name: String

    func validate() throws {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed.count > 64 || trimmed != name { throw ValidationError("--name must be 1 to 64 characters, without surrounding spaces") }
    }

    func run() async throws {
        let runtime = try Runtime(global)
        let password = try PasswordInput.read(prompt: "password for \(name): ")
        let hash = try PasswordHasher.hash(password)
        let now = Date()
        try await runtime.withStore { store in
            if try await store.user(name: name) != nil { throw ValidationError("user \(name) exists (minibot user passwd \(name) changes its password)") }
            try await store.createUser(PanelUser(name: name, passwordHash: hash, createdAt: now, updatedAt: now))
        }
        Output.write("user \(name) created; log in at http://\(runtime.config.api.host):\(runtime.config.api.port)/panel (minibot serve)\n")
    }
}

struct UserPasswordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "passwd", abstract: "Set a user's password (ends the user's sessions).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The user's name.")
    var name: String

    func run() async throws {
        let runtime = try Runtime(global)
        let password = try PasswordInput.read(prompt: "new password for \(name): ")
        let hash = try PasswordHasher.hash(password)
        guard try await runtime.withStore({ try await $0.setUserPassword(name: name, hash: hash, at: Date()) }) else {
            throw ValidationError("no user named \(name) (minibot user list)")
        }
        Output.write("password of \(name) changed\n")
    }
}

struct UserListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the panel's users.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print one JSON array.")
    var json = false

    struct Listed: Encodable {
        var name: String
        var createdAt: Date
        var updatedAt: Date
        enum CodingKeys: String, CodingKey { case name, createdAt = "created_at", updatedAt = "updated_at" }
    }

    func run() async throws {
        let runtime = try Runtime(global)
        let users = try await runtime.withStore { try await $0.users() }
        if json { return try Output.json(users.map { Listed(name: $0.name, createdAt: $0.createdAt, updatedAt: $0.updatedAt) }) }
        var table = Table(["name", "created", "password changed"], alignments: [.left, .left, .left])
        let format = ISO8601DateFormatter()
        for user in users { table.add([user.name, format.string(from: user.createdAt), format.string(from: user.updatedAt)]) }
        Output.write(table.render())
    }
}

struct UserDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a panel user and end its sessions.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The user's name.")
    var name: String

    func run() async throws {
        let runtime = try Runtime(global)
        guard try await runtime.withStore({ try await $0.deleteUser(name: name) }) else {
            throw ValidationError("no user named \(name) (minibot user list)")
        }
        Output.write("user \(name) deleted\n")
    }
}

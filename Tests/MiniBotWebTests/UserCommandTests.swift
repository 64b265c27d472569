import Foundation
import MiniBotStore
import MiniBotTestSupport
import MiniBotWeb
import Testing

/// `minibot user create|passwd|list|delete` as a person (or a script) runs them.
@Suite("minibot user, as a process")
struct UserCommandTests {
    @Test func usersAreCreatedListedChangedAndDeleted() async throws {
        let folder = temporaryFolder("minibot-users")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let url = "sqlite://\(folder)/db.sqlite"
        let environment = ["MINIBOT_DATA_DIR": folder + "/data", "MINIBOT_DATABASE_URL": url]

        let created = try await BrowserTests.run(["user", "create", "--name", "marie"], stdin: "motdepasse-solide\n", environment: environment)
        #expect(created.status == 0, "\(created.stderr)")
        let short = try await BrowserTests.run(["user", "create", "--name", "paul"], stdin: "court\n", environment: environment)
        #expect(short.status != 0 && short.stderr.contains("at least 8 characters"))
        let again = try await BrowserTests.run(["user", "create", "--name", "marie"], stdin: "un-autre-mot\n", environment: environment)
        #expect(again.status != 0 && again.stderr.contains("exists"))

        let listed = try await MinibotProcess.run(["user", "list", "--json"], environment: environment)
        #expect(listed.status == 0 && listed.stdout.contains("\"name\":\"marie\"") && !listed.stdout.contains("pbkdf2"))

        var store = try await openStore(url: url, logger: testLogger)
        let first = try #require(try await store.user(name: "marie"))
        #expect(first.passwordHash.hasPrefix("pbkdf2-sha256$\(PasswordHasher.defaultRounds)$"))
        #expect(PasswordHasher.verify("motdepasse-solide", against: first.passwordHash))
        await store.close()

        let changed = try await BrowserTests.run(["user", "passwd", "marie"], stdin: "nouveau-mot-de-passe\n", environment: environment)
        #expect(changed.status == 0, "\(changed.stderr)")
        store = try await openStore(url: url, logger: testLogger)
        let second = try #require(try await store.user(name: "marie"))
        #expect(PasswordHasher.verify("nouveau-mot-de-passe", against: second.passwordHash))
        #expect(!PasswordHasher.verify("motdepasse-solide", against: second.passwordHash))
        await store.close()

        #expect(try await MinibotProcess.run(["user", "delete", "marie"], environment: environment).status == 0)
        #expect(try await MinibotProcess.run(["user", "delete", "marie"], environment: environment).status != 0)
        #expect(try await BrowserTests.run(["user", "passwd", "nobody"], stdin: "nouveau-mot-de-passe\n", environment: environment).status != 0)
    }
}

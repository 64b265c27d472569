import Foundation
import Hummingbird

/// Scenarios: the ones campaigns may use, and a check of one (its steps and prompts).
struct ScenarioRoutes {
    let environment: APIEnvironment

    struct Check: ResponseEncodable {
        var name: String
        var valid: Bool
        var problems: [String]
    }

    struct Summary: ResponseEncodable {
        var name: String
    }

    func register(_ routes: RouteTable) {
        routes.add(.get, "/scenarios") { _, _ in
            ListResponse(items: ScenarioCatalog(environment: environment).names().map(Summary.init(name:)))
        }
        routes.add(.get, "/scenarios/{name}/check") { _, context in
            let name = try context.parameters.require("name")
            let catalog = ScenarioCatalog(environment: environment)
            let path: String
            do {
                path = try catalog.path(of: name, field: "name")
            } catch {
                throw Problem.notFound("no scenario named '\(name)' (GET /scenarios lists them)")
            }
            let problems = catalog.check(path, checkPrompts: true)
            return Check(name: name, valid: problems.isEmpty, problems: problems)
        }
    }
}

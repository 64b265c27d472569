import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MiniBotAPI
import MiniBotCore
import MiniBotStore

/// How `minibot serve` runs the panel.
public struct PanelConfiguration: Sendable {
    public var cookies: CookiePolicy
    /// How long a login lasts at most, however active.
    public var sessionLifetime: TimeInterval
    /// How long a login lasts without a request.
    public var sessionIdleTimeout: TimeInterval
    /// Who a request comes from (the reverse proxies whose `X-Forwarded-For` is believed).
    public var clientAddress: ClientAddress
    /// The time zone of "today" and of the dates shown.
    public var timeZone: TimeZone
    /// PBKDF2 rounds for new password hashes.
    public var passwordRounds: Int

    public init(cookies: CookiePolicy = .init(), sessionLifetime: TimeInterval = 12 * 3600, sessionIdleTimeout: TimeInterval = 2 * 3600,
                clientAddress: ClientAddress = .init(), timeZone: TimeZone = TimeZone(identifier: "Europe/Paris") ?? .gmt,
                passwordRounds: Int = PasswordHasher.defaultRounds) {
        self.cookies = cookies
        self.sessionLifetime = sessionLifetime
        self.sessionIdleTimeout = min(sessionIdleTimeout, sessionLifetime)
        self.clientAddress = clientAddress
        self.timeZone = timeZone
        self.passwordRounds = passwordRounds
    }

    /// From the configuration's `panel:` section.
    public init(_ settings: MiniBotConfig.Panel, cookies: CookiePolicy = .init()) {
        self.init(cookies: cookies, sessionLifetime: settings.sessionLifetime, sessionIdleTimeout: settings.sessionIdleTimeout,
                  clientAddress: ClientAddress(trustedProxies: settings.trustedProxies))
    }
}

/// The web panel for campaign managers: server-rendered pages under
/// `/panel`, on the API's router (the API keeps its own paths), behind a
/// login with a session cookie and a CSRF token on every form.
public struct WebPanel: Sendable {
    let environment: APIEnvironment
    let configuration: PanelConfiguration
    let renderer: PageRenderer
    let throttle: LoginThrottle
    /// The time of sessions and of the login throttle (a manual clock in tests).
    let now: @Sendable () -> Date
    var store: any Store { environment.store }
    var logger: Logger { environment.logger }

    /// `throttle` nil: the configuration's (`panel.login_max_failures` in `panel.login_window` per client address).
    public init(environment: APIEnvironment, configuration: PanelConfiguration = .init(), throttle: LoginThrottle? = nil,
                now: @escaping @Sendable () -> Date = { Date() }) throws {
        self.environment = environment
        self.configuration = configuration
        self.renderer = try PageRenderer()
        let settings = environment.config.panel
        self.throttle = throttle ?? LoginThrottle(perAddress: LoginThrottleState(limit: settings.loginMaxFailures, window: settings.loginWindow))
        self.now = now
    }

    /// Adds the panel's routes to the API's router.
    public func register(on router: Router<APIRequestContext>) {
        router.get("/") { _, _ in Self.redirect(to: "/panel") }
        registerAssets(on: router)
        registerLogin(on: router)
        registerDashboard(on: router)
        registerCampaigns(on: router)
        registerContacts(on: router)
        registerCalls(on: router)
        registerScenarios(on: router)
        registerPromptUpload(on: router)
        registerScenarioEditor(on: router)
        registerOptOuts(on: router)
        registerSettings(on: router)
    }

    // MARK: Requests

    /// One request to the panel: its language, its session, the cookies to set.
    struct PanelRequest {
        var request: Request
        var language: Language
        var session: PanelSession?
        var cookies: [String] = []
        var flash: Flash?

        var csrf: String { session?.csrfToken ?? "" }
        var query: FormFields { FormFields(request.uri.query ?? "") }
    }

    struct Flash {
        var kind: String
        var text: String
    }

    func panelRequest(_ request: Request) async throws -> PanelRequest {
        let query = FormFields(request.uri.query ?? "")
        let language = Language.choose(query: query["lang"], cookie: request.cookies[CookiePolicy.language]?.value,
                                       acceptLanguage: request.headers[.acceptLanguage])
        var panel = PanelRequest(request: request, language: language)
        if let chosen = query["lang"], Language(rawValue: chosen) != nil {
            panel.cookies.append(configuration.cookies.setCookie(CookiePolicy.language, language.rawValue, maxAge: 365 * 86400,
                                                                 secure: configuration.cookies.isSecure(request)))
        }
        if let token = request.cookies[CookiePolicy.session]?.value, !token.isEmpty {
            // What the dashboard fetches by itself is not a person's activity: it keeps no login alive.
            let background = Self.backgroundPaths.contains(request.uri.path)
            panel.session = try await liveSession(tokenHash: Tokens.hash(token), active: !background)
        }
        if let flash = request.cookies[Self.flashCookie]?.value, let decoded = Self.decodeFlash(flash) {
            panel.flash = decoded
            panel.cookies.append(configuration.cookies.setCookie(Self.flashCookie, "", maxAge: 0, secure: configuration.cookies.isSecure(request)))
        }
        return panel
    }

    /// Requests a page's script makes on its own (live updates).
    static let backgroundPaths: Set<String> = ["/panel/live", "/panel/events"]

    typealias PageHandler = @Sendable (inout PanelRequest, APIRequestContext) async throws -> Response
    typealias ActionHandler = @Sendable (inout PanelRequest, FormFields, APIRequestContext) async throws -> Response

    /// A GET page for logged-in users; others go to the login page.
    func page(_ router: Router<APIRequestContext>, _ path: RouterPath, _ handler: @escaping PageHandler) {
        router.get(path) { request, context in
            try await guarded(request, context) { panel in
                guard panel.session != nil else { return loginRedirect(request) }
                return try await handler(&panel, context)
            }
        }
    }

    /// A POST form for logged-in users, refused without the session's CSRF token.
    func action(_ router: Router<APIRequestContext>, _ path: RouterPath, _ handler: @escaping ActionHandler) {
        router.post(path) { request, context in
            try await guarded(request, context) { panel in
                guard let session = panel.session else { return loginRedirect(request) }
                let form = try await formFields(request, context)
                guard Tokens.matches(form["csrf"], expected: session.csrfToken) else { return try forbidden(&panel) }
                return try await handler(&panel, form, context)
            }
        }
    }

    func formFields(_ request: Request, _ context: APIRequestContext) async throws -> FormFields {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        return FormFields(String(buffer: buffer))
    }

    /// Runs a handler, turning errors into pages and adding the request's cookies.
    func guarded(_ request: Request, _ context: APIRequestContext, _ body: (inout PanelRequest) async throws -> Response) async throws -> Response {
        var panel = try await panelRequest(request)
        var response: Response
        do {
            response = try await body(&panel)
        } catch let problem as Problem {
            let strings = Strings.table(panel.language)
            let heading = problem.status == .notFound ? strings["not_found"]! : strings["server_error"]!
            response = try errorPage(&panel, status: problem.status, heading: heading, message: problem.detail ?? problem.title)
        } catch let error as HTTPError where error.status.code < 500 {
            let strings = Strings.table(panel.language)
            response = try errorPage(&panel, status: error.status, heading: strings["not_found"]!, message: strings["not_found_text"]!)
        } catch {
            logger.error("panel request failed", metadata: ["path": "\(request.uri.path)", "request_id": "\(context.id)", "error": "\(error)"])
            let strings = Strings.table(panel.language)
            response = try errorPage(&panel, status: .internalServerError, heading: strings["server_error"]!,
                                     message: strings["server_error_text"]! + " (\(context.id))")
        }
        for cookie in panel.cookies { response.headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return response
    }

    func loginRedirect(_ request: Request) -> Response {
        let next = request.uri.path.hasPrefix("/panel") && request.method == .get ? request.uri.path : "/panel"
        return Self.redirect(to: "/panel/login?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "%2Fpanel"))
    }

    func forbidden(_ panel: inout PanelRequest) throws -> Response {
        let strings = Strings.table(panel.language)
        return try errorPage(&panel, status: .forbidden, heading: strings["forbidden"]!, message: strings["form_expired"]!)
    }

    func errorPage(_ panel: inout PanelRequest, status: HTTPResponse.Status, heading: String, message: String) throws -> Response {
        render(&panel, template: "error", title: heading, nav: "", status: status, ["heading": heading, "message": message])
    }

    // MARK: Responses

    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// Redirects after a form, with a message shown once on the next page.
    func redirect(_ panel: inout PanelRequest, to location: String, flash: String, kind: String = "ok") -> Response {
        panel.cookies.append(configuration.cookies.setCookie(Self.flashCookie, Self.encodeFlash(Flash(kind: kind, text: flash)), maxAge: 60,
                                                             secure: configuration.cookies.isSecure(panel.request)))
        return Self.redirect(to: location)
    }

    static let flashCookie = "minibot_flash"

    static func encodeFlash(_ flash: Flash) -> String {
        Data("\(flash.kind)|\(flash.text)".utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    static func decodeFlash(_ text: String) -> Flash? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), text.count < 2000 else { return nil }
        let parts = String(decoding: data, as: UTF8.self).split(separator: "|", maxSplits: 1)
        guard parts.count == 2, ["ok", "error"].contains(String(parts[0])) else { return nil }
        return Flash(kind: String(parts[0]), text: String(parts[1]))
    }

    static let navigation: [(key: String, href: String)] = [
        ("dashboard", "/panel"), ("campaigns", "/panel/campaigns"), ("contacts", "/panel/contacts"), ("calls", "/panel/calls"),
        ("scenarios", "/panel/scenarios"), ("opt_outs", "/panel/optouts"), ("settings", "/panel/settings"),
    ]

    /// A full page: `template` inside the layout, with the strings, the user, the CSRF token and the navigation.
    func render(_ panel: inout PanelRequest, template: String, title: String, nav: String, status: HTTPResponse.Status = .ok,
                _ context: [String: Any]) -> Response {
        let strings = Strings.table(panel.language)
        var page = context
        page["t"] = strings
        page["csrf"] = panel.csrf
        page["lang"] = panel.language.rawValue
        page["other_lang"] = panel.language.other.rawValue
        page["other_lang_label"] = panel.language.other.label
        let body = renderer.render(template, page)
        var layout: [String: Any] = [
            "t": strings, "lang": panel.language.rawValue, "title": title, "page": template, "body": body, "csrf": panel.csrf,
            "other_lang": panel.language.other.rawValue, "other_lang_label": panel.language.other.label, "version": "",
        ]
        if let session = panel.session {
            layout["user"] = session.userName
            layout["nav"] = Self.navigation.map { item -> [String: Any] in
                ["href": item.href, "label": strings[item.key] ?? item.key, "current": item.key == nav]
            }
        }
        if let flash = panel.flash { layout["flash"] = ["kind": flash.kind, "text": flash.text] }
        return Self.html(renderer.render("layout", layout), status: status)
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                                           HTTPField.Name("X-Frame-Options")!: "DENY",
                                           HTTPField.Name("Content-Security-Policy")!: "default-src 'self'; img-src 'self' data:; style-src 'self'; style-src-attr 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'",
                                           HTTPField.Name("Referrer-Policy")!: "same-origin"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func formatter(_ panel: PanelRequest) -> PanelFormat {
        PanelFormat(language: panel.language, timeZone: configuration.timeZone)
    }

    var phoneParser: PhoneNumberParser {
        PhoneNumberParser(defaultRegion: NumberingRegion.named(environment.config.phone.defaultRegion) ?? .named("FR")!,
                          rejectPremiumRate: environment.config.phone.rejectPremiumRate)
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import MiniBotAPI
import MiniBotStore
import NIOCore

extension WebPanel {
    func registerLogin(on router: Router<APIRequestContext>) {
        router.get("/panel/login") { request, context in
            try await guarded(request, context) { panel in
                if panel.session != nil { return Self.redirect(to: safeNext(panel.query["next"])) }
                return loginPage(&panel, name: "", error: nil)
            }
        }

        router.post("/panel/login") { request, context in
            try await guarded(request, context) { panel in
                let form = try await formFields(request, context)
                let strings = Strings.table(panel.language)
                // The login form has no session yet: its token is a cookie of its own (double submit).
                guard let expected = request.cookies[CookiePolicy.loginCSRF]?.value, Tokens.matches(form["csrf"], expected: expected) else {
                    return loginPage(&panel, name: form["name"] ?? "", error: strings["form_expired"]!, status: .forbidden)
                }
                let name = form.text("name") ?? ""
                let client = clientAddress(request, context)
                let now = self.now()
                if let wait = throttle.retryAfter(address: client, name: name, now: now) {
                    logger.warning("panel login refused: too many failures", metadata: ["client": "\(client)", "user": "\(name)",
                                                                                     "retry_after": "\(Int(wait.rounded(.up)))"])
                    var response = loginPage(&panel, name: name, error: Strings.format(panel.language, "login_throttled", Int((wait / 60).rounded(.up))),
                                             status: .tooManyRequests)
                    response.headers[.retryAfter] = "\(Int(wait.rounded(.up)))"
                    return response
                }
                guard let user = try await store.user(name: name), PasswordHasher.verify(form["password"] ?? "", against: user.passwordHash) else {
                    let (delay, failures) = throttle.failed(address: client, name: name, now: now)
                    logger.notice("panel login failed", metadata: ["client": "\(client)", "user": "\(name)", "failures": "\(failures)"])
                    if failures == throttle.addressLimit {
                        logger.warning("panel logins from this address refused for a while", metadata: ["client": "\(client)", "failures": "\(failures)"])
                    }
                    // Each failure past the first few is answered a little later.
                    if delay > 0 { try await Task.sleep(for: .seconds(delay)) }
                    return loginPage(&panel, name: name, error: strings["login_failed"]!, status: .unauthorized)
                }
                throttle.succeeded(address: client, name: name)
                let token = Tokens.random()
                let session = PanelSession(tokenHash: Tokens.hash(token), userName: user.name, csrfToken: Tokens.random(), createdAt: now,
                                           expiresAt: sessionExpiry.initial(at: now))
                try await store.createSession(session)
                _ = try? await store.deleteExpiredSessions(now: now)
                let secure = configuration.cookies.isSecure(request)
                panel.cookies.append(configuration.cookies.setCookie(CookiePolicy.session, token, maxAge: Int(configuration.sessionLifetime), secure: secure))
                panel.cookies.append(configuration.cookies.setCookie(CookiePolicy.loginCSRF, "", maxAge: 0, secure: secure))
                logger.info("panel login", metadata: ["client": "\(client)", "user": "\(user.name)"])
                return Self.redirect(to: safeNext(form["next"] ?? panel.query["next"]))
            }
        }

        action(router, "/panel/logout") { panel, _, _ in
            if let session = panel.session { try await store.deleteSession(tokenHash: session.tokenHash) }
            panel.cookies.append(configuration.cookies.setCookie(CookiePolicy.session, "", maxAge: 0, secure: configuration.cookies.isSecure(panel.request)))
            return Self.redirect(to: "/panel/login")
        }
    }

    var sessionExpiry: SessionExpiry {
        SessionExpiry(lifetime: configuration.sessionLifetime, idle: configuration.sessionIdleTimeout)
    }

    /// The session of a cookie, if it is still live; an `active` request moves its idle expiry on.
    func liveSession(tokenHash: String, active: Bool) async throws -> PanelSession? {
        let now = self.now()
        guard var session = try await store.session(tokenHash: tokenHash, now: now) else { return nil }
        guard !sessionExpiry.isOver(session, now: now) else {
            try await store.deleteSession(tokenHash: tokenHash)
            return nil
        }
        if active, let later = sessionExpiry.extended(session, now: now) {
            try await store.extendSession(tokenHash: tokenHash, expiresAt: later)
            session.expiresAt = later
        }
        return session
    }

    /// The client's address, through the trusted proxies' `X-Forwarded-For`.
    func clientAddress(_ request: Request, _ context: APIRequestContext) -> String {
        configuration.clientAddress.resolve(peer: context.remoteAddress?.ipAddress,
                                            forwardedFor: request.headers[values: HTTPField.Name("X-Forwarded-For")!])
    }

    /// Only a page of the panel, never another site.
    func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/panel"), !next.hasPrefix("//"), !next.contains("\\"), !next.contains("://") else { return "/panel" }
        return next
    }

    func loginPage(_ panel: inout PanelRequest, name: String, error: String?, status: HTTPResponse.Status = .ok) -> Response {
        let token = Tokens.random()
        panel.cookies.append(configuration.cookies.setCookie(CookiePolicy.loginCSRF, token, maxAge: 3600, secure: configuration.cookies.isSecure(panel.request)))
        let strings = Strings.table(panel.language)
        var context: [String: Any] = ["login_csrf": token, "name": name, "next": safeNext(panel.query["next"])]
        if let error { context["error"] = error }
        // The form posts to the same URL, so `next` travels in the query.
        return render(&panel, template: "login", title: strings["login"]!, nav: "", status: status, context)
    }
}

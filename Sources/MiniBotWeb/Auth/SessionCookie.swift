import Foundation
import HTTPTypes
import Hummingbird

/// The panel's cookies: the session (HttpOnly, SameSite=Strict, Secure when
/// the browser came over TLS), the login form's CSRF token and the language.
public struct CookiePolicy: Sendable {
    public static let session = "minibot_session"
    public static let loginCSRF = "minibot_login_csrf"
    public static let language = "minibot_lang"

    /// Believe `X-Forwarded-Proto: https` from a reverse proxy that ends TLS.
    public var trustForwardedProto: Bool
    /// Mark every cookie Secure whatever the request says (the panel is only reached over HTTPS).
    public var alwaysSecure: Bool

    public init(trustForwardedProto: Bool = false, alwaysSecure: Bool = false) {
        self.trustForwardedProto = trustForwardedProto
        self.alwaysSecure = alwaysSecure
    }

    /// Whether the browser reached us over TLS, as far as we can tell.
    public func isSecure(_ request: Request) -> Bool {
        if alwaysSecure || request.head.scheme == "https" { return true }
        guard trustForwardedProto, let proto = request.headers[HTTPField.Name("X-Forwarded-Proto")!] else { return false }
        return proto.split(separator: ",").first?.trimmingCharacters(in: .whitespaces).lowercased() == "https"
    }

    /// A `Set-Cookie` value. `maxAge` 0 deletes the cookie.
    public func setCookie(_ name: String, _ value: String, maxAge: Int, httpOnly: Bool = true, secure: Bool) -> String {
        var parts = ["\(name)=\(value)", "Path=/", "Max-Age=\(maxAge)", "SameSite=Strict"]
        if httpOnly { parts.append("HttpOnly") }
        if secure { parts.append("Secure") }
        return parts.joined(separator: "; ")
    }
}

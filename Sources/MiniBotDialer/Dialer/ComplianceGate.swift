import Foundation
import MiniBotCore
import MiniBotStore

/// Gathers what the compliance rules need about one contact from the store
/// (consent, opt-out list, recent attempts, last refusal) and applies them.
public enum ComplianceGate {
    public static func evaluate(phone: String, settings: ComplianceSettings, store: any Store, at now: Date) async throws -> ComplianceDecision {
        guard settings.enabled else {
            // The opt-out list holds even without the French rules: a number
            // that objected, or was erased (only its hash is left), is never dialled.
            let candidate = ComplianceCandidate(phone: phone, consentAt: nil, optedOut: try await store.isOptedOut(phone: phone),
                                                attempts: [], lastRefusalAt: nil)
            return OptOutRule().evaluate(candidate, at: now)
        }
        let contact = try await store.contact(phone: phone)
        let listed = try await store.isOptedOut(phone: phone)
        let optedOut = (contact?.optOut ?? false) || listed
        let since = now.addingTimeInterval(-Double(max(settings.attemptWindowDays, 1)) * 86_400)
        let history = try await store.dialHistory(phone: phone, since: since)
        let candidate = ComplianceCandidate(phone: phone, consentAt: contact?.consentAt, optedOut: optedOut,
                                            attempts: history.attempts, lastRefusalAt: history.lastRefusalAt)
        return CompliancePolicy(settings: settings).evaluate(candidate, at: now)
    }
}

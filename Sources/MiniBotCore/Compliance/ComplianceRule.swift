import Foundation

/// One named rule of the French canvassing law. Rules are pure: the same
/// candidate and instant always give the same decision, with no clock inside.
public protocol ComplianceRule: Sendable {
    /// The stable code reported with a refusal (``ComplianceRuleName``).
    var name: String { get }
    /// `.allowed`, `.notBefore` the earliest instant this rule alone allows, or `.never`.
    func evaluate(_ candidate: ComplianceCandidate, at now: Date) -> ComplianceDecision
}

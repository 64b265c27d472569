import Foundation

/// Never call a number that opted out or is on the opt-out list (Code de la consommation, L223-1).
public struct OptOutRule: ComplianceRule {
    public let name = ComplianceRuleName.optedOut

    public init() {}

    public func evaluate(_ candidate: ComplianceCandidate, at now: Date) -> ComplianceDecision {
        guard candidate.optedOut else { return .allowed }
        return .never(ComplianceReason(rule: name, detail: "\(candidate.phone) opted out or is on the opt-out list: never called again"))
    }
}

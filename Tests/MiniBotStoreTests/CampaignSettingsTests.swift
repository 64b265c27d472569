import Foundation
import MiniBotCore
import MiniBotStore
import MiniBotTestSupport
import Testing

@Suite("Store: a campaign's settings change while it runs")
struct CampaignSettingsTests {
    @Test(arguments: Backend.available)
    func settingsAreReplacedAndKept(_ backend: Backend) async throws {
        try await withFreshStore(backend) { store, _ in
            let now = Date(timeIntervalSince1970: 1_790_000_000)
            try await store.createCampaign(Campaign(id: "c1", name: "c1", scenario: "universal", createdAt: now, updatedAt: now))
            var settings = CampaignSettings(maxAttempts: 2)
            settings.maxConcurrentCalls = 3
            settings.delayBetweenCalls = 0.5
            settings.compliance.consentRequired = false
            #expect(try await store.setCampaignSettings(id: "c1", settings, at: now.addingTimeInterval(60)))
            let stored = try #require(try await store.campaign(id: "c1"))
            #expect(stored.settings == settings)
            #expect(stored.updatedAt == now.addingTimeInterval(60))
            #expect(try await store.setCampaignSettings(id: "nope", settings, at: now) == false)
        }
    }
}

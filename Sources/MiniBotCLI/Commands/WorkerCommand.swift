import ArgumentParser
import Foundation
import MiniBotCore
import MiniBotStore

/// `minibot worker`: dials active campaigns from the shared queue. Run
/// several, on several hosts, against one PostgreSQL database.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Dial the queue of active campaigns; several workers may share one PostgreSQL database.",
        discussion: """
        Without --campaign, works through the active campaigns oldest first, then waits for new ones \
        (dialer.queue_check_interval). Each contact is dialled by one worker only: claims use row leases \
        (FOR UPDATE SKIP LOCKED on PostgreSQL). A worker killed mid-call leaves its rows to the others: \
        never-dialled ones return to the queue once the lease passes; the one it was calling is marked \
        interrupted and not dialled again.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only this campaign.")
    var campaign: String?

    @Flag(help: "Exit once there is nothing left to dial instead of waiting for new campaigns.")
    var exitWhenIdle = false

    @Option(help: "Seconds the calls in progress get to finish after Ctrl-C or SIGTERM.")
    var grace: Double = 60

    func run() async throws {
        let runtime = try Runtime(global)
        try await runtime.withStore { store in
            while true {
                let candidates = try await store.campaigns().filter { $0.status == .active && (campaign == nil || $0.id == campaign) }
                guard let next = candidates.min(by: { $0.createdAt < $1.createdAt }) else {
                    if exitWhenIdle || campaign != nil {
                        Output.error("nothing to dial\n")
                        return
                    }
                    try await Task.sleep(for: .seconds(runtime.config.dialer.queueCheckInterval))
                    continue
                }
                let stack = try DialerStack(runtime: runtime, campaign: next)
                Output.error("worker: campaign \(next.id) \"\(next.name)\"\n")
                let ending = try await stack.run(campaign: next, store: store, grace: .seconds(grace))
                if ending == .stopped { return }
            }
        }
    }
}

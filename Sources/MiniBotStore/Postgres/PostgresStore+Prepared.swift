import Foundation
import MiniBotCore
import PostgresNIO

// Statements the HTTP API runs on every request, prepared once per connection:
// parsing and planning them again each time cost PostgreSQL as much as
// running them (a numbered page: 0.8 ms unprepared, 0.55 ms prepared).

extension PostgresStore {
    /// Runs a prepared statement (preparing it on a connection's first use) and collects its rows.
    func execute<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [Statement.Row] {
        try await run {
            var out: [Statement.Row] = []
            for try await row in try await client.execute(statement, logger: logger) { out.append(row) }
            return out
        }
    }
}

/// The filters a numbered or cursor page may have here (campaign, status),
/// each combination its own prepared statement with the plan that suits it.
protocol CallPageFilters {
    /// Conditions on `campaign_id` ($1) and `status` ($2), each after `AND`.
    static var conditions: String { get }
}

enum NoFilter: CallPageFilters { static var conditions: String { "" } }
enum CampaignFilter: CallPageFilters { static var conditions: String { " AND campaign_id = $1" } }
enum StatusFilter: CallPageFilters { static var conditions: String { " AND status = $2" } }
enum CampaignStatusFilter: CallPageFilters { static var conditions: String { " AND campaign_id = $1 AND status = $2" } }

enum CallPageFilter {
    /// The shape of a page's filters: which of campaign and status it has.
    static func of(campaignID: String?, status: String?) -> any CallPageFilters.Type {
        switch (campaignID, status) {
        case (nil, nil): NoFilter.self
        case (_, nil): CampaignFilter.self
        case (nil, _): StatusFilter.self
        default: CampaignStatusFilter.self
        }
    }
}

/// A numbered page of calls with no filter but campaign and status
/// (``CallQuery/pagesByHour``). Running sums over the filter's counts per
/// hour, newest first, find the hour holding the offset and the calls of
/// later hours; the same over that hour's five-minute slices narrow it
/// (migration 11: `call_page_hours`, `call_page_slices`); then the page
/// among the calls started before the end of that slice. Both sums read the
/// key newest first and stop at the first row past the offset.
struct CallPageByHour<Filters: CallPageFilters>: PostgresPreparedStatement {
    typealias Row = Call
    static var sql: String {
        """
        WITH hour AS (
            SELECT hour, upto - calls AS skipped FROM (
                SELECT hour, calls, sum(calls) OVER (ORDER BY hour DESC ROWS UNBOUNDED PRECEDING) AS upto FROM call_page_hours
                WHERE campaign_key = coalesce('c:' || $1, '*') AND status_key = coalesce($2, '*') ORDER BY hour DESC
            ) AS h WHERE upto > $3 LIMIT 1
        ), place AS (
            SELECT to_timestamp((slice + 1) * 300) AS before, (SELECT skipped FROM hour) + upto - calls AS skipped FROM (
                SELECT slice, calls, sum(calls) OVER (ORDER BY slice DESC ROWS UNBOUNDED PRECEDING) AS upto FROM call_page_slices
                WHERE campaign_key = coalesce('c:' || $1, '*') AND status_key = coalesce($2, '*')
                  AND slice >= (SELECT hour FROM hour) * 12 AND slice < ((SELECT hour FROM hour) + 1) * 12 ORDER BY slice DESC
            ) AS s WHERE (SELECT skipped FROM hour) + upto > $3 LIMIT 1
        )
        SELECT \(PostgresStore.callColumns) FROM calls
        WHERE started_at < (SELECT before FROM place)\(Filters.conditions)
        ORDER BY started_at DESC, call_id DESC LIMIT $4 OFFSET (SELECT $3 - skipped FROM place)
        """
    }
    static var bindingDataTypes: [PostgresDataType] { [.text, .text, .int8, .int8] }

    var campaignID: String?
    var status: String?
    var offset: Int
    var limit: Int

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(campaignID)
        bindings.append(status)
        bindings.append(offset)
        bindings.append(limit)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Call { try PostgresStore.call(row) }
}

/// The page after a cursor (``CallQuery/after``) with no filter but campaign
/// and status: a row comparison walks `calls_newest` from the cursor.
struct CallPageAfter<Filters: CallPageFilters>: PostgresPreparedStatement {
    typealias Row = Call
    static var sql: String {
        """
        SELECT \(PostgresStore.callColumns) FROM calls
        WHERE (started_at, call_id) < ('epoch'::timestamptz + $3 * interval '1 microsecond', $4)\(Filters.conditions)
        ORDER BY started_at DESC, call_id DESC LIMIT $5
        """
    }
    static var bindingDataTypes: [PostgresDataType] { [.text, .text, .int8, .text, .int8] }

    var campaignID: String?
    var status: String?
    var after: CallCursor
    var limit: Int

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 5)
        bindings.append(campaignID)
        bindings.append(status)
        bindings.append(after.startedAtMicroseconds)
        bindings.append(after.callID)
        bindings.append(limit)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Call { try PostgresStore.call(row) }
}

/// One call by id (`GET /calls/{id}`).
struct CallByID: PostgresPreparedStatement {
    typealias Row = Call
    static var sql: String { "SELECT \(PostgresStore.callColumns) FROM calls WHERE call_id = $1" }
    static var bindingDataTypes: [PostgresDataType] { [.text] }
    var id: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(id)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Call { try PostgresStore.call(row) }
}

/// A call's answers, in order.
struct InteractionsOfCall: PostgresPreparedStatement {
    typealias Row = CallInteraction
    static var sql: String { "SELECT \(PostgresStore.interactionColumns) FROM call_interactions WHERE call_id = $1 ORDER BY sequence" }
    static var bindingDataTypes: [PostgresDataType] { [.text] }
    var callID: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(callID)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> CallInteraction { try PostgresStore.interaction(row) }
}

import Foundation
import Hummingbird

/// Typed reads of the query string; a bad value is a 422 naming the parameter.
struct QueryParameters {
    let request: Request

    func string(_ name: String) -> String? {
        guard let value = request.uri.queryParameters.get(name), !value.isEmpty else { return nil }
        return value
    }

    func int(_ name: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = string(name) else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw Problem.invalid(name, "must be a whole number in \(range.lowerBound)…\(range.upperBound)")
        }
        return number
    }

    func bool(_ name: String) throws -> Bool? {
        guard let text = string(name) else { return nil }
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw Problem.invalid(name, "must be true or false")
        }
    }

    func enumeration<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type) throws -> T? where T.RawValue == String {
        guard let text = string(name) else { return nil }
        guard let value = T(rawValue: text) else {
            throw Problem.invalid(name, "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// An ISO 8601 date-time (`2026-11-28T09:00:00Z`) or a day (`2026-11-28`, midnight UTC).
    func date(_ name: String) throws -> Date? {
        guard let text = string(name) else { return nil }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        let day = Date.ISO8601FormatStyle().year().month().day()
        if let date = try? Date(text, strategy: day) { return date }
        throw Problem.invalid(name, "must be an ISO 8601 date (2026-11-28) or date-time (2026-11-28T09:00:00Z)")
    }

    /// The `cursor` a listing gave as `next_cursor`, read by `parse`; not with `page`.
    func cursor<Cursor>(_ parse: (String) -> Cursor?) throws -> Cursor? {
        guard let token = string("cursor") else { return nil }
        guard string("page") == nil else { throw Problem.invalid("page", "cannot be used with cursor") }
        guard let cursor = parse(token) else { throw Problem.invalid("cursor", "is not a next_cursor this API gave") }
        return cursor
    }

    /// `page` (from 1) and `page_size` (1…500) as limit and offset.
    func page() throws -> Page {
        let page = try int("page", default: 1, in: 1...1_000_000)
        let size = try int("page_size", default: 50, in: 1...500)
        return Page(page: page, pageSize: size)
    }
}

struct Page {
    var page: Int
    var pageSize: Int
    var offset: Int { (page - 1) * pageSize }

    /// What a listing reads for this page: one item more than the page (it
    /// says whether there is a next page), from the offset, or from the
    /// cursor's place when the page is reached by cursor.
    func reading(byCursor: Bool) -> (limit: Int, offset: Int) {
        (pageSize + 1, byCursor ? 0 : offset)
    }
}

/// One page of a listing, as every list route answers.
struct PageResponse<Item: Encodable & Sendable>: ResponseEncodable, Sendable {
    var items: [Item]
    /// Nil for a page reached by cursor: its number is not known.
    var page: Int?
    var pageSize: Int
    var total: Int?
    /// Where the next page starts (`?cursor=`); nil on the last page and on
    /// listings without cursors.
    var nextCursor: String?

    init(_ items: [Item], page: Page, total: Int? = nil, nextCursor: String? = nil, numbered: Bool = true) {
        self.items = items
        self.page = numbered ? page.page : nil
        self.pageSize = page.pageSize
        self.total = total
        self.nextCursor = nextCursor
    }

    /// A page from `items` read one past the page's size: the extra one says
    /// there is a next page, which starts after the `cursor` of the page's
    /// last item. A page reached by cursor has no number.
    init(readingOneMore items: [Item], page: Page, byCursor: Bool, cursor: (Item) -> String) {
        var items = items
        let more = items.count > page.pageSize
        if more { items.removeLast() }
        self.init(items, page: page, nextCursor: more ? items.last.map(cursor) : nil, numbered: !byCursor)
    }

    enum CodingKeys: String, CodingKey { case items, page, pageSize = "page_size", total, nextCursor = "next_cursor" }
}

/// A JSON list without pages.
struct ListResponse<Item: Encodable & Sendable>: ResponseEncodable, Sendable {
    var items: [Item]
}

/// Any encodable value as a JSON response.
struct JSONBody<Value: Encodable & Sendable>: ResponseEncodable, Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

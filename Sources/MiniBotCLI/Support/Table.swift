/// A plain-text table with aligned columns, for terminal output.
struct Table {
    enum Alignment { case left, right }

    var headers: [String]
    var alignments: [Alignment]
    var rows: [[String]] = []

    init(_ headers: [String], alignments: [Alignment]? = nil) {
        self.headers = headers
        self.alignments = alignments ?? headers.map { _ in .left }
    }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render() -> String {
        let cells = ([headers] + rows).map { $0.map(Self.oneLine) }
        var widths = headers.map(\.count)
        for row in cells { for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) } }
        func line(_ row: [String]) -> String {
            row.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                return alignments[index] == .right ? pad + cell : cell + pad
            }.joined(separator: "  ").replacing(/\s+$/, with: "")
        }
        var out = line(cells[0]) + "\n"
        out += widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ") + "\n"
        for row in cells.dropFirst() { out += line(row) + "\n" }
        return out
    }

    /// Line breaks shown as ⏎ and long cells cut, so each row stays one line.
    static func oneLine(_ text: String) -> String {
        let flat = text.replacing("\r\n", with: "⏎").replacing("\n", with: "⏎")
        return flat.count > 40 ? String(flat.prefix(39)) + "…" : flat
    }
}

extension Int {
    /// `12345` → `12,345`.
    var grouped: String {
        let digits = String(abs(self))
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return (self < 0 ? "-" : "") + out
    }
}

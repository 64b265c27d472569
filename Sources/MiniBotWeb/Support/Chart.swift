import Foundation

/// The dashboard's bar chart of calls per hour, as inline SVG (no script,
/// no library): one bar per hour, its leads in the accent colour.
struct HourlyChart {
    struct Bar {
        var hour: Int
        var calls: Int
        var leads: Int
    }

    var bars: [Bar]
    var title: String
    var callsLabel: String
    var leadsLabel: String

    func svg() -> String {
        let width = 720.0, height = 200.0, left = 32.0, bottom = 22.0, top = 10.0
        let plotHeight = height - bottom - top
        let top1 = max(1, bars.map(\.calls).max() ?? 1)
        let scale = Self.niceCeiling(top1)
        let slot = (width - left) / Double(max(bars.count, 1))
        let barWidth = slot * 0.64
        var out = """
        <svg class="chart" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-labelledby="chart-svg-title">
        <title id="chart-svg-title">\(escape(title))</title>
        """
        for step in 0...4 {
            let value = scale * step / 4
            let y = top + plotHeight - plotHeight * Double(value) / Double(scale)
            out += "<line class=\"grid\" x1=\"\(left)\" x2=\"\(width)\" y1=\"\(f(y))\" y2=\"\(f(y))\"/>"
            out += "<text class=\"axis\" x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(value)</text>"
        }
        for (index, bar) in bars.enumerated() {
            let x = left + Double(index) * slot + (slot - barWidth) / 2
            let h = plotHeight * Double(bar.calls) / Double(scale)
            let leadHeight = plotHeight * Double(bar.leads) / Double(scale)
            let label = "\(String(format: "%02d", bar.hour)) h : \(bar.calls) \(callsLabel), \(bar.leads) \(leadsLabel)"
            out += "<g><title>\(escape(label))</title>"
            out += "<rect class=\"bar\" x=\"\(f(x))\" y=\"\(f(top + plotHeight - h))\" width=\"\(f(barWidth))\" height=\"\(f(h))\" rx=\"2\"/>"
            if bar.leads > 0 {
                out += "<rect class=\"bar-lead\" x=\"\(f(x))\" y=\"\(f(top + plotHeight - leadHeight))\" width=\"\(f(barWidth))\" height=\"\(f(leadHeight))\" rx=\"2\"/>"
            }
            out += "</g>"
            if bar.hour % 3 == 0 {
                out += "<text class=\"axis\" x=\"\(f(x + barWidth / 2))\" y=\"\(f(height - 6))\" text-anchor=\"middle\">\(bar.hour)h</text>"
            }
        }
        out += "</svg>"
        out += "<p class=\"chart-legend small\"><span class=\"swatch bar\"></span>\(escape(callsLabel)) <span class=\"swatch bar-lead\"></span>\(escape(leadsLabel))</p>"
        return out
    }

    /// 1, 2, 5 × 10ⁿ at or above `value` (at least 4, so the axis has whole steps).
    static func niceCeiling(_ value: Int) -> Int {
        var magnitude = 1
        while true {
            for factor in [1, 2, 4, 5, 8] where factor * magnitude >= max(value, 4) { return factor * magnitude }
            magnitude *= 10
        }
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }
}

/// Text made safe for HTML (the templates escape by themselves; this is for HTML built in code).
func escape(_ text: String) -> String {
    var out = ""
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(character)
        }
    }
    return out
}

// generated from final/bench/report.h; edit there
// bench/report.h — how the benchmarks show their results: rows of a table, each a
// figure of ours and of a peer client next to a baseline, and a bar chart of the ratios.
#pragma once

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace streamcraft::bench {

struct Row {
  std::string name;
  double ours;
  double rdkafka;  // 0: not measured
  std::string baseline_name;
  double baseline;
  std::string unit;
};

// Bars per case, ours and librdkafka's, as ratios to the case's baseline. A client that
// no row measured (the group benchmark runs librdkafka alone) gets neither bars nor a
// legend entry: a chart of "not measured" says nothing.
inline std::string svg_plot(const std::vector<Row>& rows) {
  bool with_ours = false, with_rdkafka = false;
  for (const auto& r : rows) {
    with_ours = with_ours || r.ours > 0;
    with_rdkafka = with_rdkafka || r.rdkafka > 0;
  }
  const int series = (with_ours ? 1 : 0) + (with_rdkafka ? 1 : 0);
  const int width = 820, bar_h = 18, left = 330, top = 56;
  const int height = top + static_cast<int>(rows.size()) * (std::max(series, 1) * bar_h + 18) + 30;
  double max_ratio = 1.2;
  for (const auto& r : rows)
    if (r.baseline > 0) max_ratio = std::max({max_ratio, r.ours / r.baseline * 1.1, r.rdkafka / r.baseline * 1.1});
  const double scale = (width - left - 190) / max_ratio;  // room for the labels
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"DejaVu Sans, sans-serif\" "
      "font-size=\"13\">\n<text x=\"10\" y=\"22\" font-size=\"15\">throughput / baseline (1.0 = as fast as the "
      "baseline)</text>\n",
      width, height);
  int legend_x = 10;
  if (with_ours) {
    svg += fmt::format("<rect x=\"{}\" y=\"32\" width=\"12\" height=\"12\" fill=\"#4a7ab5\"/><text x=\"{}\" "
                       "y=\"43\">streamcraft client</text>\n",
                       legend_x, legend_x + 18);
    legend_x += 160;
  }
  if (with_rdkafka)
    svg += fmt::format("<rect x=\"{}\" y=\"32\" width=\"12\" height=\"12\" fill=\"#e08a3c\"/><text x=\"{}\" "
                       "y=\"43\">librdkafka</text>\n",
                       legend_x, legend_x + 18);
  const int one_x = left + static_cast<int>(scale);
  svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>\n",
                     one_x, top - 6, height - 20);
  int y = top;
  for (const auto& r : rows) {
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", left - 8, y + std::max(series, 1) * bar_h / 2 + 5, r.name);
    std::vector<std::pair<double, const char*>> bars;
    if (with_ours) bars.push_back({r.ours, "#4a7ab5"});
    if (with_rdkafka) bars.push_back({r.rdkafka, "#e08a3c"});
    for (const auto& [value, colour] : bars) {
      const double ratio = r.baseline > 0 ? value / r.baseline : 0;
      const int w = static_cast<int>(ratio * scale);
      svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>\n", left, y, w, bar_h, colour);
      std::string label = r.baseline <= 0 ? "baseline not available"
                          : value <= 0    ? "not measured"
                                          : fmt::format("{:.2f}× {}", ratio, r.baseline_name);
      svg += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", left + w + 6, y + bar_h - 4, label);
      y += bar_h;
    }
    y += 18;
  }
  return svg + "</svg>\n";
}

inline std::string format_rate(double value, const std::string& unit) {
  if (value <= 0) return "n/a";
  return value < 100 ? fmt::format("{:.2f} {}", value, unit) : fmt::format("{:.0f} {}", value, unit);
}

inline std::string format_ratio(double value, double baseline) {
  return value > 0 && baseline > 0 ? fmt::format("{:.2f}×", value / baseline) : "n/a";
}

// The Markdown table of the rows.
inline std::string table(const std::vector<Row>& rows) {
  std::string t =
      "| case | streamcraft client | librdkafka | baseline | streamcraft / baseline | librdkafka / baseline |\n"
      "|---|---:|---:|---:|---:|---:|\n";
  for (const auto& r : rows)
    t += fmt::format("| {} | {} | {} | {} | {} | {} |\n", r.name, format_rate(r.ours, r.unit),
                     format_rate(r.rdkafka, r.unit),
                     r.baseline > 0 ? fmt::format("{} ({})", format_rate(r.baseline, r.unit), r.baseline_name) : "n/a",
                     format_ratio(r.ours, r.baseline), format_ratio(r.rdkafka, r.baseline));
  return t;
}

}  // namespace streamcraft::bench

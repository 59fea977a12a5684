// A small SVG plot of a run: three stacked panels sharing the time axis —
// dials per minute, the abandon rate over its window against the cap, and
// agent occupancy (5-minute average).
#include <algorithm>
#include <fstream>
#include <sstream>

#include "cli.hpp"
#include "outbound/error.hpp"
#include "sim_run.hpp"

namespace outbound::cli {
namespace {

constexpr double kWidth = 960, kPanelH = 180, kLeft = 70, kRight = 20, kTop = 40, kGap = 40;

struct Panel {
  double top;
  double y_max;
  std::string title, unit;
};

std::string xml_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else if (c == '&') o += "&amp;";
    else o += c;
  }
  return o;
}

class Svg {
 public:
  Svg(double hours, int panels) : hours_(std::max(hours, 1e-6)) {
    height_ = kTop + panels * (kPanelH + kGap) + 10;
    out_ << "<svg xmlns='http://www.w3.org/2000/svg' width='" << kWidth << "' height='" << height_
         << "' font-family='sans-serif' font-size='12'>\n<rect width='100%' height='100%' fill='white'/>\n";
  }
  double x(double h) const { return kLeft + (kWidth - kLeft - kRight) * h / hours_; }
  double y(const Panel& p, double v) const { return p.top + kPanelH - kPanelH * std::clamp(v / p.y_max, 0.0, 1.0); }

  void title(const std::string& t) { out_ << "<text x='" << kLeft << "' y='22' font-size='15'>" << xml_escape(t) << "</text>\n"; }

  void frame(const Panel& p, int y_ticks, bool percent) {
    out_ << "<text x='" << kLeft << "' y='" << p.top - 6 << "'>" << xml_escape(p.title) << "</text>\n";
    out_ << "<rect x='" << kLeft << "' y='" << p.top << "' width='" << kWidth - kLeft - kRight << "' height='" << kPanelH
         << "' fill='none' stroke='#999'/>\n";
    for (int i = 0; i <= y_ticks; ++i) {
      double v = p.y_max * i / y_ticks;
      double yy = y(p, v);
      out_ << "<line x1='" << kLeft - 4 << "' x2='" << kLeft << "' y1='" << yy << "' y2='" << yy << "' stroke='#999'/>";
      out_ << "<text x='" << kLeft - 8 << "' y='" << yy + 4 << "' text-anchor='end'>"
           << (percent ? fmt_fixed(100 * v, 1) + "%" : fmt_fixed(v, v < 10 ? 1 : 0)) << "</text>\n";
    }
    int step = hours_ > 12 ? 2 : 1;
    for (int h = 0; h <= static_cast<int>(hours_); h += step) {
      double xx = x(h);
      out_ << "<line x1='" << xx << "' x2='" << xx << "' y1='" << p.top + kPanelH << "' y2='" << p.top + kPanelH + 4
           << "' stroke='#999'/><text x='" << xx << "' y='" << p.top + kPanelH + 16 << "' text-anchor='middle'>" << h
           << "h</text>\n";
    }
  }

  void line(const Panel& p, const std::vector<std::pair<double, double>>& pts, const std::string& color, bool dashed = false) {
    if (pts.empty()) return;
    out_ << "<polyline fill='none' stroke='" << color << "' stroke-width='1.5'" << (dashed ? " stroke-dasharray='6,4'" : "")
         << " points='";
    for (auto [h, v] : pts) out_ << x(h) << "," << y(p, v) << " ";
    out_ << "'/>\n";
  }

  // A dotted vertical line from the top panel to the bottom one, labelled at the top.
  void marker(const Panel& top, const Panel& bottom, double h, const std::string& label) {
    const double xx = x(h);
    out_ << "<line x1='" << xx << "' x2='" << xx << "' y1='" << top.top << "' y2='" << bottom.top + kPanelH
         << "' stroke='#888' stroke-dasharray='2,3'/><text x='" << xx + 3 << "' y='" << top.top + 12
         << "' font-size='10' fill='#555'>" << xml_escape(label) << "</text>\n";
  }

  void legend(const Panel& p, double x0, const std::string& color, const std::string& label) {
    out_ << "<line x1='" << x0 << "' x2='" << x0 + 20 << "' y1='" << p.top - 10 << "' y2='" << p.top - 10 << "' stroke='"
         << color << "' stroke-width='2'/><text x='" << x0 + 24 << "' y='" << p.top - 6 << "'>" << xml_escape(label)
         << "</text>\n";
  }

  std::string finish() {
    out_ << "</svg>\n";
    return out_.str();
  }

 private:
  double hours_, height_;
  std::ostringstream out_;
};

double nice_max(double v) {
  for (double m : {1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0})
    if (v <= m) return m;
  return v;
}

}  // namespace

void write_plot_svg(const std::string& path, const Scenario& s, const SimResult& r, const std::string& title,
                    const std::vector<PlotMarker>& markers) {
  const double hours = r.minutes.empty() ? s.duration_h : r.minutes.back().t_h;
  Svg svg(hours, 3);
  svg.title(title);
  std::vector<std::pair<double, double>> dials, rate, cap, occ;
  long peak = 1;
  for (std::size_t i = 0; i < r.minutes.size(); ++i) {
    const auto& m = r.minutes[i];
    dials.push_back({m.t_h, static_cast<double>(m.dials)});
    peak = std::max(peak, m.dials);
    rate.push_back({m.t_h, m.window_rate});
    occ.push_back({m.t_h, occupancy_mean(r, i)});
  }
  cap = {{0.0, s.abandon_cap_rate}, {hours, s.abandon_cap_rate}};
  Panel p1{kTop + 20, nice_max(static_cast<double>(peak)), "dials per minute", ""};
  Panel p2{p1.top + kPanelH + kGap, std::max(0.01, s.abandon_cap_rate * 2.0),
           "abandon rate over the cap window (" + window_words(s.abandon_window_h) + ")", "%"};
  Panel p3{p2.top + kPanelH + kGap, 1.0, "agent occupancy (5-minute mean)", "%"};
  svg.frame(p1, 4, false);
  svg.line(p1, dials, "#1f77b4");
  svg.frame(p2, 4, true);
  svg.line(p2, rate, "#d62728");
  svg.line(p2, cap, "#555", true);
  svg.legend(p2, kWidth - 330, "#d62728", "abandon rate");
  svg.legend(p2, kWidth - 190, "#555", "cap " + fmt_pct(s.abandon_cap_rate));
  svg.frame(p3, 4, true);
  svg.line(p3, occ, "#2ca02c");
  for (const auto& m : markers) svg.marker(p1, p3, m.t_h, m.label);
  std::ofstream f(path);
  if (!f) throw Error(ErrorCode::invalid_argument, "cannot write plot " + path);
  f << svg.finish();
}

}  // namespace outbound::cli

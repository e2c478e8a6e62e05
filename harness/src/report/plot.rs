//! SVG plots of latency distributions, for the files beside the JUnit
//! report.

use crate::load::Report;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 420.0;
const MARGIN: f64 = 60.0;
/// The x axis ends at the 99.99th percentile: 1 / (1 - 0.9999).
const MAX_X: f64 = 10_000.0;

/// Draws the latency-by-percentile curves of `series` (label and report)
/// in one SVG. The x axis is logarithmic in 1 / (1 - quantile), so the tail
/// (p90, p99, p99.9) gets as much room as the median.
pub fn latency_svg(title: &str, series: &[(&str, &Report)]) -> String {
    let max_latency_ms = series
        .iter()
        .flat_map(|(_, report)| report.percentiles.iter())
        .filter(|(quantile, _)| *quantile < 1.0)
        .map(|(_, value)| *value as f64 / 1000.0)
        .fold(0.001_f64, f64::max);
    let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];

    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{MARGIN}\" y=\"24\" font-size=\"14\">{}</text>\n",
        escape(title)
    );
    svg.push_str(&axes(max_latency_ms));
    for (index, (label, report)) in series.iter().enumerate() {
        let color = colors[index % colors.len()];
        let points: Vec<String> = report
            .percentiles
            .iter()
            .filter(|(quantile, _)| *quantile < 1.0)
            .map(|(quantile, value)| {
                let x = x_position(*quantile);
                let y = y_position(*value as f64 / 1000.0, max_latency_ms);
                format!("{x:.1},{y:.1}")
            })
            .collect();
        svg.push_str(&format!(
            "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{}\"/>\n",
            points.join(" ")
        ));
        let legend_y = 44.0 + 16.0 * index as f64;
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{legend_y}\" fill=\"{color}\">{} (n={}, p95 {:.2} ms)</text>\n",
            WIDTH - 300.0,
            escape(label),
            report.latency_us.count,
            report.latency_us.p95 as f64 / 1000.0
        ));
    }
    svg.push_str("</svg>\n");
    svg
}

fn axes(max_latency_ms: f64) -> String {
    let bottom = HEIGHT - MARGIN;
    let right = WIDTH - 20.0;
    let mut axes = format!(
        "<line x1=\"{MARGIN}\" y1=\"{bottom}\" x2=\"{right}\" y2=\"{bottom}\" stroke=\"black\"/>\n\
         <line x1=\"{MARGIN}\" y1=\"{MARGIN}\" x2=\"{MARGIN}\" y2=\"{bottom}\" stroke=\"black\"/>\n\
         <text x=\"{}\" y=\"{}\">percentile</text>\n\
         <text x=\"14\" y=\"{}\" transform=\"rotate(-90 14 {})\">latency (ms)</text>\n",
        WIDTH / 2.0,
        HEIGHT - 20.0,
        HEIGHT / 2.0,
        HEIGHT / 2.0
    );
    for (quantile, label) in [(0.0, "p0"), (0.5, "p50"), (0.9, "p90"), (0.99, "p99"), (0.999, "p99.9"), (0.9999, "p99.99")] {
        let x = x_position(quantile);
        axes.push_str(&format!("<text x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\">{label}</text>\n", bottom + 18.0));
    }
    for step in 0..=4 {
        let value = max_latency_ms * f64::from(step) / 4.0;
        let y = y_position(value, max_latency_ms);
        axes.push_str(&format!(
            "<text x=\"{}\" y=\"{y:.1}\" text-anchor=\"end\">{value:.2}</text>\n",
            MARGIN - 6.0
        ));
    }
    axes
}

fn x_position(quantile: f64) -> f64 {
    let spread = (1.0 / (1.0 - quantile.min(0.9999))).log10() / MAX_X.log10();
    MARGIN + spread * (WIDTH - MARGIN - 20.0)
}

fn y_position(latency_ms: f64, max_latency_ms: f64) -> f64 {
    let bottom = HEIGHT - MARGIN;
    bottom - (latency_ms / max_latency_ms) * (bottom - MARGIN)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

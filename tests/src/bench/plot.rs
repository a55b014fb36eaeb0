//! The lookup-cost chart of BENCHMARKS.md: ns per lookup against entries, log–log, one line
//! per implementation, as an SVG.
//!
//! ```text
//!   hotpath --plot docs/lookup.svg ──► measurements ──► plotters (SVG backend) ──► file
//! ```

use std::path::Path;

use plotters::prelude::*;

/// One line of the chart: a name and (entries, ns per lookup) points.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// (entries, ns) points, in increasing entries.
    pub points: Vec<(f64, f64)>,
}

/// Line colours, in series order.
const COLOURS: [RGBColor; 4] = [
    RGBColor(0x7f, 0x7f, 0x7f),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x1f, 0x77, 0xb4),
];

/// Writes the chart of `series` to `path`, titled `title`.
///
/// # Errors
///
/// Whatever the SVG backend reports (typically the file cannot be written).
pub fn lookup_chart(
    path: &Path,
    title: &str,
    series: &[Series],
) -> Result<(), Box<dyn std::error::Error>> {
    let points = || series.iter().flat_map(|s| s.points.iter().copied());
    let (x_min, x_max) = points().fold((f64::MAX, f64::MIN), |(lo, hi), (x, _)| {
        (lo.min(x), hi.max(x))
    });
    let (y_min, y_max) = points().fold((f64::MAX, f64::MIN), |(lo, hi), (_, y)| {
        (lo.min(y), hi.max(y))
    });
    let root = SVGBackend::new(path, (900, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(
            (x_min / 1.5..x_max * 1.5).log_scale(),
            (y_min / 2.0..y_max * 2.0).log_scale(),
        )?;
    chart
        .configure_mesh()
        .x_desc("entries in the table")
        .y_desc("ns per lookup (median)")
        .x_label_formatter(&|x| entries_label(*x))
        .y_label_formatter(&|y| ns_label(*y))
        .draw()?;
    for (s, colour) in series.iter().zip(COLOURS.iter().cycle()) {
        let style = colour.stroke_width(2);
        chart
            .draw_series(LineSeries::new(s.points.iter().copied(), style))?
            .label(s.name.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
        chart.draw_series(s.points.iter().map(|&p| Circle::new(p, 4, colour.filled())))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

fn entries_label(x: f64) -> String {
    if x >= 1e6 {
        format!("{}M", x / 1e6)
    } else if x >= 1e3 {
        format!("{}k", x / 1e3)
    } else {
        format!("{x}")
    }
}

fn ns_label(y: f64) -> String {
    if y >= 1e6 {
        format!("{} ms", y / 1e6)
    } else if y >= 1e3 {
        format!("{} µs", y / 1e3)
    } else {
        format!("{y} ns")
    }
}

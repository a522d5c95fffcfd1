//! `--plot`: the training curves as SVG, averaged over folds: the training objective and
//! the test F1 after each epoch, one line per loss (at most `cv::CURVE_POINTS` points each).

use std::path::Path;

use plotters::prelude::*;

use crate::error::CliError;

use super::report::LossResult;

/// Writes the SVG to `path`.
pub fn write(path: &Path, title: &str, results: &[LossResult]) -> Result<(), CliError> {
    draw(path, title, results)
        .map_err(|e| CliError::new(format!("{}: cannot write plot: {e}", path.display())))
}

fn draw(
    path: &Path,
    title: &str,
    results: &[LossResult],
) -> Result<(), Box<dyn std::error::Error>> {
    type Points = Vec<(f32, f32)>;
    let curves: Vec<(String, Points, Points)> = results
        .iter()
        .map(|r| {
            let c = r.mean_curve();
            let loss = c.iter().map(|p| (p.epoch as f32, p.loss)).collect();
            let f1 = c.iter().map(|p| (p.epoch as f32, p.test_f1)).collect();
            (r.spec.name.clone(), loss, f1)
        })
        .collect();
    let epochs = curves
        .iter()
        .filter_map(|c| c.1.last().map(|p| p.0))
        .fold(2.0f32, f32::max);
    let max_loss = curves
        .iter()
        .flat_map(|c| c.1.iter().map(|p| p.1))
        .fold(0.0f32, f32::max)
        .max(1e-3)
        * 1.05;

    let root = SVGBackend::new(path, (1100, 450)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(title, ("sans-serif", 18))?;
    let (left, right) = root.split_horizontally(550);
    let panels = [
        (
            left,
            "training objective (mean over folds)",
            max_loss,
            1usize,
        ),
        (
            right,
            "test F1 after each epoch (mean over folds)",
            1.0f32,
            2usize,
        ),
    ];
    for (area, caption, y_max, which) in panels {
        let mut chart = ChartBuilder::on(&area)
            .caption(caption, ("sans-serif", 15))
            .margin(12)
            .x_label_area_size(35)
            .y_label_area_size(50)
            .build_cartesian_2d(1f32..epochs, 0f32..y_max)?;
        chart
            .configure_mesh()
            .x_desc("epoch")
            .light_line_style(WHITE)
            .draw()?;
        for (i, (name, loss, f1)) in curves.iter().enumerate() {
            let color = Palette99::pick(i).to_rgba();
            let points = if which == 1 { loss } else { f1 };
            chart
                .draw_series(LineSeries::new(
                    points.iter().copied(),
                    color.stroke_width(2),
                ))?
                .label(name.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
    }
    root.present()?;
    Ok(())
}

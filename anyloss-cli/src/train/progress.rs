//! Progress of `anyloss train` on stderr: a bar on a terminal; otherwise (a log file, a
//! pipe, CI) a plain line when each loss finishes and at most every
//! [`Progress::LINE_INTERVAL`] while one trains, so a long run is never silent.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Where progress goes.
enum Sink {
    /// `--quiet`.
    Quiet,
    /// A terminal: an updating bar (hidden for runs too short to need it).
    Bar(ProgressBar),
    /// Anything else: plain lines.
    Lines,
}

/// Progress over all epochs of all losses and rounds.
pub struct Progress {
    sink: Sink,
    total: u64,
    done: u64,
    loss: String,
    rounds: u8,
    loss_started: Instant,
    last_line: Instant,
}

impl Progress {
    /// The longest a plain-line run stays silent while a loss trains.
    pub const LINE_INTERVAL: Duration = Duration::from_secs(5);

    /// Work (epochs × rows × features) below which a terminal shows no bar.
    const BAR_WORK: u64 = 20_000_000;

    /// Progress over `total` epochs that cost `work` in all.
    pub fn new(total: u64, work: u64, quiet: bool) -> Self {
        let sink = if quiet {
            Sink::Quiet
        } else if std::io::stderr().is_terminal() {
            if work < Self::BAR_WORK {
                Sink::Bar(ProgressBar::hidden())
            } else {
                let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
                if let Ok(style) =
                    ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} epochs ({eta})")
                {
                    bar.set_style(style.progress_chars("=> "));
                }
                Sink::Bar(bar)
            }
        } else {
            Sink::Lines
        };
        let now = Instant::now();
        Self {
            sink,
            total,
            done: 0,
            loss: String::new(),
            rounds: 0,
            loss_started: now,
            last_line: now,
        }
    }

    /// The loss `name` starts, over `rounds` rounds.
    pub fn start(&mut self, name: &str, rounds: u8) {
        self.loss = name.to_string();
        self.rounds = rounds;
        self.loss_started = Instant::now();
        if let Sink::Bar(bar) = &self.sink {
            bar.set_message(name.to_string());
        }
    }

    /// One epoch of round `round` (0-based) finished.
    pub fn epoch_done(&mut self, round: u8) {
        self.done += 1;
        match &self.sink {
            Sink::Bar(bar) => bar.inc(1),
            Sink::Lines if self.last_line.elapsed() >= Self::LINE_INTERVAL => {
                self.last_line = Instant::now();
                eprintln!(
                    "anyloss train: {}: round {}/{}; {}/{} epochs of the run ({:.0}%)",
                    self.loss,
                    u32::from(round) + 1,
                    self.rounds,
                    self.done,
                    self.total,
                    100.0 * self.done as f64 / self.total.max(1) as f64
                );
            }
            Sink::Lines | Sink::Quiet => {}
        }
    }

    /// The current loss finished all its rounds.
    pub fn finish_loss(&mut self) {
        if let Sink::Lines = self.sink {
            self.last_line = Instant::now();
            eprintln!(
                "anyloss train: {}: {} rounds done in {:.1} s",
                self.loss,
                self.rounds,
                self.loss_started.elapsed().as_secs_f64()
            );
        }
    }

    /// Training is over: clears the bar.
    pub fn finish(&self) {
        if let Sink::Bar(bar) = &self.sink {
            bar.finish_and_clear();
        }
    }
}

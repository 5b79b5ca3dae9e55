//! Scoring: fit points from the profile, engagement points from touches with decay.

mod engagement;
mod fit;

pub use engagement::Engagement;
pub use fit::{fit_points, Grade};

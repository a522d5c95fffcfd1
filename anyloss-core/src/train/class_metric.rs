//! A multi-class metric loss ([`MulticlassLoss`]: an averaged metric of the one-vs-rest soft
//! entries through the softmax) as a training objective.

use crate::error::{Error, Parameter};
use crate::multiclass::{ClassConfusion, Layout, MulticlassLoss, MulticlassOutput, Objective};
use crate::samples::Input;

use super::batch_objective::{BatchLoss, BatchObjective};
use super::softmax_head::MAX_CLASSES;

/// `loss` over heads with `C` output logits (the softmax is the loss's own). Its loss is the
/// batch's metric loss, its gradient that of [`MulticlassLoss::gradient`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassMetric<const C: usize, O> {
    loss: MulticlassLoss<O>,
}

impl<const C: usize, O: Objective> ClassMetric<C, O> {
    /// The objective of `loss` over `C` classes (2 to 256; `InvalidParameter(Shape)`
    /// otherwise).
    pub fn new(loss: MulticlassLoss<O>) -> Result<Self, Error> {
        if !(2..=MAX_CLASSES).contains(&C) {
            return Err(Error::InvalidParameter(Parameter::Shape));
        }
        Ok(Self { loss })
    }

    /// The wrapped loss.
    pub fn loss(&self) -> &MulticlassLoss<O> {
        &self.loss
    }
}

impl<const C: usize, O: Objective> BatchObjective for ClassMetric<C, O> {
    type Sums = ClassConfusion<C>;
    type Evaluated = MulticlassOutput<C>;

    fn outputs(&self) -> usize {
        C
    }

    fn valid_label(&self, label: u8) -> bool {
        usize::from(label) < C
    }

    fn accumulate(
        &self,
        sums: &mut ClassConfusion<C>,
        logits: &[f32],
        labels: &[u8],
    ) -> Result<(), Error> {
        let layout = Layout::<C>::sample_major(labels.len())?;
        *sums += self
            .loss
            .confusion(&layout, labels, Input::Logits(logits))?;
        Ok(())
    }

    fn evaluate(&self, sums: &ClassConfusion<C>, _n: usize) -> (BatchLoss, Self::Evaluated) {
        let out = self.loss.evaluate(sums);
        let loss = BatchLoss {
            loss: out.loss,
            bce: 0.0,
            metric: None,
        };
        (loss, out)
    }

    fn gradient(
        &self,
        evaluated: &Self::Evaluated,
        logits: &[f32],
        labels: &[u8],
        _n: usize,
        dz: &mut [f32],
    ) -> Result<(), Error> {
        let layout = Layout::<C>::sample_major(labels.len())?;
        self.loss
            .gradient(evaluated, &layout, labels, Input::Logits(logits), dz)
    }

    fn warm_start(&self) -> Option<Self> {
        None
    }
}

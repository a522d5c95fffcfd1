//! The straight-line program for a metric's value and partials: the nodes of the DAG that
//! the five outputs reach, in topological order, with the domain guard of each operation.
//! The host evaluator runs it, the emitter prints it as Rust.

use std::collections::HashMap;

use crate::graph::Graph;
use crate::node::{Guard, Id, Node};

/// A compiled value-and-gradient program.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Program {
    /// Operations in topological order; operands index into this vector.
    pub nodes: Vec<Node>,
    /// `[value, ∂TP, ∂FN, ∂FP, ∂TN]` as indices into `nodes`.
    pub outputs: [usize; 5],
    /// `(i, guard)`: node `i` must satisfy `guard`, or the metric is undefined there.
    pub guards: Vec<(usize, Guard)>,
    /// `in_value[i]`: node `i` is needed for the value, not only for the gradient.
    pub in_value: Vec<bool>,
}

impl Program {
    /// Keeps the nodes reachable from `outputs`, renumbered densely.
    pub fn new(g: &Graph, outputs: [Id; 5]) -> Self {
        let n = g.len();
        let reachable = reach(g, &outputs);
        let for_value = reach(g, &outputs[..1]);
        let mut new_id = vec![usize::MAX; n];
        let mut nodes = Vec::new();
        let mut in_value = Vec::new();
        for id in (0..n).filter(|&id| reachable.get(id).copied().unwrap_or(false)) {
            if let Some(slot) = new_id.get_mut(id) {
                *slot = nodes.len();
            }
            let renumber = |x: Id| new_id.get(x).copied().unwrap_or(usize::MAX);
            nodes.push(g.node(id).map(renumber));
            in_value.push(for_value.get(id).copied().unwrap_or(false));
        }
        let outputs = outputs.map(|o| new_id.get(o).copied().unwrap_or(usize::MAX));
        let (nodes, in_value, outputs) = share_reciprocals(&nodes, &in_value, outputs);
        let constant = |nodes: &[Node], i: usize| match nodes.get(i) {
            Some(Node::Const(bits)) => Some(f64::from_bits(*bits)),
            _ => None,
        };
        let mut guards: Vec<(usize, Guard)> = nodes
            .iter()
            .filter_map(|node| node.guard(|i| constant(&nodes, i)))
            .collect();
        guards.sort_by_key(|&(i, g)| (i, g as u8));
        guards.dedup();
        Self {
            nodes,
            outputs,
            guards,
            in_value,
        }
    }

    /// The constants the program uses.
    pub fn constants(&self) -> impl Iterator<Item = f64> + '_ {
        self.nodes.iter().filter_map(|n| match n {
            Node::Const(bits) => Some(f64::from_bits(*bits)),
            _ => None,
        })
    }

    /// Operations in value and partials together (constants and counts are free).
    pub fn total_ops(&self) -> usize {
        self.nodes.iter().filter(|n| !n.is_leaf()).count()
    }

    /// Operations the value alone needs.
    pub fn value_ops(&self) -> usize {
        self.nodes
            .iter()
            .zip(&self.in_value)
            .filter(|(n, &v)| v && !n.is_leaf())
            .count()
    }

    /// `[value, ∂TP, ∂FN, ∂FP, ∂TN]` at the counts `[TP, FN, FP, TN]` in f64: undefined
    /// where a guard fails, an overflow where a guarded-in operation gives a non-finite
    /// result or an output does not fit in `f32`.
    pub fn eval(&self, counts: [f64; 4], scratch: &mut Vec<f64>) -> Outcome {
        scratch.clear();
        for node in &self.nodes {
            let v = node.eval(|i| scratch.get(i).copied().unwrap_or(f64::NAN), counts);
            scratch.push(v);
        }
        let at = |i: usize| scratch.get(i).copied().unwrap_or(f64::NAN);
        if !self.guards.iter().all(|&(i, g)| g.holds(at(i))) {
            return Outcome::Undefined;
        }
        if !scratch.iter().all(|v| v.is_finite()) {
            if let Some(node) = self.first_live_non_finite(scratch) {
                return Outcome::Overflow {
                    node,
                    in_value: None,
                };
            }
        }
        let out = self.outputs.map(at);
        // An output that is finite in f64 but beyond f32's range overflows where the metric
        // hands it over.
        if let Some((k, &node)) = self
            .outputs
            .iter()
            .enumerate()
            .find(|(_, &o)| !(at(o) as f32).is_finite())
        {
            return Outcome::Overflow {
                node,
                in_value: Some(k == 0),
            };
        }
        Outcome::Defined(out)
    }

    /// The first node (in evaluation order, so where the overflow began) that is not
    /// finite and that an output depends on at these values: a `min`/`max` derivative's
    /// branch that is not taken does not count.
    fn first_live_non_finite(&self, values: &[f64]) -> Option<usize> {
        let at = |i: usize| values.get(i).copied().unwrap_or(f64::NAN);
        let mut live = vec![false; self.nodes.len()];
        for &o in &self.outputs {
            if let Some(l) = live.get_mut(o) {
                *l = true;
            }
        }
        for i in (0..self.nodes.len()).rev() {
            if !live.get(i).copied().unwrap_or(false) {
                continue;
            }
            let Some(node) = self.nodes.get(i) else {
                continue;
            };
            let mut mark = |j: usize| {
                if let Some(l) = live.get_mut(j) {
                    *l = true;
                }
            };
            match *node {
                Node::Select(a, b, then, otherwise) => {
                    mark(a);
                    mark(b);
                    mark(if at(a) <= at(b) { then } else { otherwise });
                }
                _ => node.operands().for_each(mark),
            }
        }
        (0..self.nodes.len()).find(|&i| live.get(i).copied().unwrap_or(false) && !at(i).is_finite())
    }
}

/// The result of running a [`Program`] at one point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Outcome {
    /// `[value, ∂TP, ∂FN, ∂FP, ∂TN]`, all finite and within `f32`'s range.
    Defined([f64; 5]),
    /// A guard fails: a zero denominator, a `sqrt` of a negative number, ...
    Undefined,
    /// Node `node` is where the value or gradient overflowed.
    Overflow {
        /// Index into [`Program::nodes`].
        node: usize,
        /// For an output beyond f32's range, whether it is the value (rather than a
        /// partial); `None` for a step that is not finite.
        in_value: Option<bool>,
    },
}

/// Divisions by a denominator shared by several divisions become one reciprocal and
/// multiplications, as the hand-written metrics share `1/whole`: a division costs several
/// multiplications. Returns the new nodes, their value flags and the outputs.
fn share_reciprocals(
    nodes: &[Node],
    in_value: &[bool],
    outputs: [usize; 5],
) -> (Vec<Node>, Vec<bool>, [usize; 5]) {
    let is_one =
        |i: usize| matches!(nodes.get(i), Some(Node::Const(b)) if f64::from_bits(*b) == 1.0);
    let mut divisions = vec![0usize; nodes.len()];
    for node in nodes {
        if let Node::Div(_, y) = *node {
            if let Some(d) = divisions.get_mut(y) {
                *d += 1;
            }
        }
    }
    let mut out: Vec<Node> = Vec::with_capacity(nodes.len() + 2);
    let mut out_value: Vec<bool> = Vec::with_capacity(nodes.len() + 2);
    let mut map = vec![usize::MAX; nodes.len()];
    let mut reciprocal: HashMap<usize, usize> = HashMap::new();
    let mut one: Option<usize> = None;
    for (i, node) in nodes.iter().enumerate() {
        let v = in_value.get(i).copied().unwrap_or(false);
        let renumber = |x: usize| map.get(x).copied().unwrap_or(usize::MAX);
        let new = match *node {
            Node::Div(x, y) if divisions.get(y).copied().unwrap_or(0) >= 2 => {
                let r = match reciprocal.get(&y) {
                    Some(&r) => r,
                    None => {
                        let one_id = *one.get_or_insert_with(|| {
                            out.push(Node::Const(1.0f64.to_bits()));
                            out_value.push(false);
                            out.len() - 1
                        });
                        out.push(Node::Div(one_id, renumber(y)));
                        out_value.push(false);
                        reciprocal.insert(y, out.len() - 1);
                        out.len() - 1
                    }
                };
                if let Some(flag) = out_value.get_mut(r) {
                    *flag |= v;
                }
                if is_one(x) {
                    if let Some(m) = map.get_mut(i) {
                        *m = r;
                    }
                    continue;
                }
                Node::Mul(renumber(x), r)
            }
            other => other.map(renumber),
        };
        out.push(new);
        out_value.push(v);
        if let Some(m) = map.get_mut(i) {
            *m = out.len() - 1;
        }
    }
    let outputs = outputs.map(|o| map.get(o).copied().unwrap_or(usize::MAX));
    (out, out_value, outputs)
}

/// Marks the nodes `roots` depend on. Ids are topological, so one backward sweep suffices.
fn reach(g: &Graph, roots: &[Id]) -> Vec<bool> {
    let mut marked = vec![false; g.len()];
    for &r in roots {
        if let Some(m) = marked.get_mut(r) {
            *m = true;
        }
    }
    for id in (0..g.len()).rev() {
        if marked.get(id).copied().unwrap_or(false) {
            for op in g.node(id).operands() {
                if let Some(m) = marked.get_mut(op) {
                    *m = true;
                }
            }
        }
    }
    marked
}

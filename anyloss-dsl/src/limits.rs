//! Limits against abusive input. A formula over any of them is rejected by one linear
//! pre-scan before the recursive parser runs, so no input can overflow the stack.

/// Longest accepted source, in bytes.
pub const MAX_INPUT_BYTES: usize = 1 << 20;
/// Deepest accepted nesting of parentheses (grouping and calls together).
pub const MAX_NESTING: usize = 32;
/// Most accepted tokens (numbers, names, operators, parentheses, commas, `=` and `;`). This
/// bounds the expression's node count, and with it the depth of operator chains such as
/// `2^2^...^2` or `- - ... - x` that recurse without parentheses.
pub const MAX_TOKENS: usize = 1000;

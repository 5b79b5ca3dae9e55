//! The sandbox every hook runs in: a raw rhai engine with only the packages rules
//! need, and the policy's limits.

use crate::policy::RuleLimits;
use rhai::packages::{
    ArithmeticPackage, BasicArrayPackage, BasicIteratorPackage, BasicMapPackage, BasicMathPackage,
    BasicStringPackage, LogicPackage, MoreStringPackage, Package,
};

/// A rhai engine for hooks:
///
/// - from [`rhai::Engine::new_raw`], so no module resolver (no file access, no
///   `import`), and none of the language-core package (no `sleep`, no `eval` of text,
///   no `parse_json`);
/// - with arithmetic, logic, strings, arrays, maps, math and ranges (for `for` loops);
/// - `eval`, `import` and `export` refused by the compiler; `print` and `debug` do
///   nothing (nothing reaches standard output);
/// - strict variables: a name that is neither a view, a local nor a parameter is a
///   compile error;
/// - every limit of `[rules.limits]`.
pub(super) fn engine(limits: &RuleLimits) -> rhai::Engine {
    let mut engine = rhai::Engine::new_raw();
    ArithmeticPackage::new().register_into_engine(&mut engine);
    LogicPackage::new().register_into_engine(&mut engine);
    BasicStringPackage::new().register_into_engine(&mut engine);
    MoreStringPackage::new().register_into_engine(&mut engine);
    BasicArrayPackage::new().register_into_engine(&mut engine);
    BasicMapPackage::new().register_into_engine(&mut engine);
    BasicMathPackage::new().register_into_engine(&mut engine);
    BasicIteratorPackage::new().register_into_engine(&mut engine);
    for symbol in ["eval", "import", "export"] {
        engine.disable_symbol(symbol);
    }
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});
    engine.set_strict_variables(true);
    engine.set_allow_shadowing(false);
    engine.set_max_operations(limits.max_operations);
    engine.set_max_call_levels(limits.max_call_levels);
    engine.set_max_expr_depths(limits.max_expr_depth, limits.max_expr_depth);
    engine.set_max_string_size(limits.max_string_size);
    engine.set_max_array_size(limits.max_array_size);
    engine.set_max_map_size(limits.max_map_size);
    engine
}

//! `wasi-conform coverage` for WASI 0.3: per function of the 0.3 WIT, how
//! many cases call it.
//!
//! A component guest prints no trace, so each p3 case lists the functions
//! its scenario calls (`calls` in its manifest). Two checks keep the list
//! honest: every name is a function of the WIT (`wasi:sockets/types.tcp-socket.bind`:
//! the interface without its version, the resource if any, the function),
//! and every name is imported by the case's built guest, so a case can
//! never claim a function its guest does not reach.

use crate::exec::wit_source;
use crate::model::case::Case;
use anyhow::{Context, Result, bail};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use wit_parser::{FunctionKind, InterfaceId, Resolve, WorldItem};

/// Functions called by fewer cases than this are flagged.
pub const FEW_CASES: usize = 3;

/// The cases calling each function of the WASI 0.3 WIT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WitCoverage {
    /// Every function by name, uncalled ones included: the number of cases.
    pub functions: BTreeMap<String, usize>,
}

/// One function of a WASI WIT, by two names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitFunction {
    /// `wasi:pkg/iface.[resource.]func` (`wasi:filesystem/types.descriptor.open-at`).
    pub name: String,
    /// The name a guest's trace line gives a call of it: `resource.func` for
    /// a resource's function, else `iface.func` (`descriptor.open-at`,
    /// `environment.get-arguments`).
    pub trace_name: String,
}

/// `function` of `interface`, named both ways.
fn describe(
    resolve: &Resolve,
    interface: InterfaceId,
    function: &wit_parser::Function,
) -> WitFunction {
    let iface = &resolve.interfaces[interface];
    let package = &resolve.packages[iface.package.expect("a named interface has a package")];
    let iface_name = iface.name.as_deref().unwrap_or("");
    let prefix = format!(
        "{}:{}/{iface_name}",
        package.name.namespace, package.name.name,
    );
    let resource = match function.kind {
        FunctionKind::Method(id)
        | FunctionKind::Static(id)
        | FunctionKind::AsyncMethod(id)
        | FunctionKind::AsyncStatic(id)
        | FunctionKind::Constructor(id) => resolve.types[id].name.clone(),
        FunctionKind::Freestanding | FunctionKind::AsyncFreestanding => None,
    };
    let item = function.item_name();
    match resource {
        Some(resource) => WitFunction {
            name: format!("{prefix}.{resource}.{item}"),
            trace_name: format!("{resource}.{item}"),
        },
        None => WitFunction {
            name: format!("{prefix}.{item}"),
            trace_name: format!("{iface_name}.{item}"),
        },
    }
}

/// Every function of `interfaces`.
fn functions_of(
    resolve: &Resolve,
    interfaces: impl Iterator<Item = InterfaceId>,
) -> Vec<WitFunction> {
    let mut functions = Vec::new();
    for id in interfaces {
        for function in resolve.interfaces[id].functions.values() {
            functions.push(describe(resolve, id, function));
        }
    }
    functions
}

/// Every function of the `wasi:*@0.MINOR.*` packages of the WIT in `dir`
/// (unstable items are left out, as the guests' bindings leave them).
pub fn wasi_functions(dir: &Path, minor: u64) -> Result<Vec<WitFunction>> {
    let mut resolve = Resolve::default();
    resolve
        .push_dir(dir)
        .with_context(|| format!("{}: cannot read the WASI 0.{minor} WIT", dir.display()))?;
    let ids: Vec<InterfaceId> = resolve
        .interfaces
        .iter()
        .filter(|(_, iface)| {
            iface.package.is_some_and(|p| {
                let name = &resolve.packages[p].name;
                name.namespace == "wasi"
                    && name
                        .version
                        .as_ref()
                        .is_some_and(|v| v.major == 0 && v.minor == minor)
            })
        })
        .map(|(id, _)| id)
        .collect();
    Ok(functions_of(&resolve, ids.into_iter()))
}

/// Every function of the WASI 0.3 WIT in `dir`, by its full name.
pub fn wit_functions(dir: &Path) -> Result<BTreeSet<String>> {
    Ok(wasi_functions(dir, 3)?
        .into_iter()
        .map(|f| f.name)
        .collect())
}

/// The functions the component at `path` imports, named as [`wit_functions`].
pub fn imported_functions(path: &Path) -> Result<BTreeSet<String>> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let decoded = wit_component::decode(&bytes)
        .with_context(|| format!("{}: not a component", path.display()))?;
    let (resolve, world) = match decoded {
        wit_parser::decoding::DecodedWasm::Component(resolve, world) => (resolve, world),
        wit_parser::decoding::DecodedWasm::WitPackage(..) => {
            bail!("{}: a WIT package, not a component", path.display())
        }
    };
    let ids: Vec<InterfaceId> = resolve.worlds[world]
        .imports
        .values()
        .filter_map(|item| match item {
            WorldItem::Interface { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    Ok(functions_of(&resolve, ids.into_iter())
        .into_iter()
        .map(|f| f.name)
        .collect())
}

impl WitCoverage {
    /// Counts the `calls` of `cases` against the functions of the 0.3 WIT
    /// the harness builds the guests with; a call that names no function is
    /// an error naming the case's manifest.
    pub fn of(cases: &[Case]) -> Result<WitCoverage> {
        let mut functions: BTreeMap<String, usize> = wit_functions(&wit_source::p3_wit()?)?
            .into_iter()
            .map(|name| (name, 0))
            .collect();
        for case in cases {
            for call in &case.calls {
                let Some(count) = functions.get_mut(call) else {
                    bail!(
                        "{}: case `{}` calls `{call}`, which is no function of the WASI 0.3 WIT",
                        case.source.display(),
                        case.name
                    );
                };
                *count += 1;
            }
        }
        Ok(WitCoverage { functions })
    }

    /// The table: one row per function, rows under [`FEW_CASES`] flagged.
    pub fn table(&self) -> String {
        function_table(&self.functions, "0.3", 56, "the `calls` of the p3 cases")
    }
}

/// A coverage table of one WASI version's functions (names padded to
/// `width`): one row per function, rows under [`FEW_CASES`] flagged, and a
/// summary naming where the counts come from (`source`).
pub fn function_table(
    functions: &BTreeMap<String, usize>,
    version: &str,
    width: usize,
    source: &str,
) -> String {
    let mut out = format!(
        "{:<width$} {:>5}\n",
        format!("WASI {version} function"),
        "cases"
    );
    for (name, cases) in functions {
        let flag = if *cases < FEW_CASES { "  <" } else { "" };
        let _ = writeln!(out, "{name:<width$} {cases:>5}{flag}");
    }
    let called = functions.values().filter(|c| **c > 0).count();
    let few = functions.values().filter(|c| **c < FEW_CASES).count();
    let _ = writeln!(
        out,
        "\n{called} of {} WASI {version} functions called by at least one case; {few} by fewer \
         than {FEW_CASES} (marked <); from {source}",
        functions.len()
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::guests::Guests;
    use crate::layout::Layout;
    use crate::model::abi::Abi;
    use crate::suite::manifest;

    #[test]
    fn the_wit_has_the_0_3_functions_by_interface_resource_and_name() {
        let functions = wit_functions(&wit_source::p3_wit().unwrap()).unwrap();
        for name in [
            "wasi:clocks/monotonic-clock.now",
            "wasi:sockets/types.tcp-socket.bind",
            "wasi:sockets/types.tcp-socket.create",
            "wasi:filesystem/types.descriptor.read-via-stream",
            "wasi:cli/exit.exit",
        ] {
            assert!(functions.contains(name), "{name} not in {functions:?}");
        }
        assert!(functions.iter().all(|f| !f.contains("@")));
    }

    /// Every p3 case's calls are imported by its guest: a case cannot claim
    /// a function its guest never reaches.
    #[test]
    fn every_p3_case_calls_only_what_its_guest_imports() {
        let layout = Layout::discover();
        let cases: Vec<Case> = manifest::load_dir(&layout.cases)
            .unwrap()
            .into_iter()
            .filter(|case| case.abis.contains(&Abi::P3))
            .collect();
        assert!(cases.iter().any(|case| !case.calls.is_empty()));
        let guests = Guests::build(&layout, &BTreeSet::from([Abi::P3]), None).unwrap();
        let mut imports: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        let mut wrong = Vec::new();
        for case in &cases {
            let imported = imports
                .entry(&case.guest)
                .or_insert_with(|| imported_functions(&guests.path(&case.guest, Abi::P3)).unwrap());
            for call in case.calls.iter().filter(|call| !imported.contains(*call)) {
                wrong.push(format!("{}: {call}", case.name));
            }
        }
        assert!(
            wrong.is_empty(),
            "calls their guest does not import:\n{}",
            wrong.join("\n")
        );
        WitCoverage::of(&cases).unwrap();
    }
}

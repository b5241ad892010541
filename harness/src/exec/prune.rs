//! Pruning a guest's WASI imports: some runtimes (Bun) refuse to instantiate
//! a module that imports a function they lack (`sock_accept`) even when it
//! is never called, so such a runtime gets a module importing only the
//! functions a case calls; each other WASI function becomes a local one that
//! traps.
//!
//! In the function index space imports come first. With `k` of `n` function
//! imports removed, the kept imports get indices `0..n-k` (in their order),
//! the removed ones become the first `k` defined functions (`n-k..n`, in
//! their order), and every defined function keeps its index (`>= n`): the
//! index map only permutes `0..n`. Every section is re-encoded through that
//! map, the `name` section too (so each function keeps its name); other
//! custom sections are copied as they are (DWARF, whose code offsets move,
//! then describes the old code).

use std::convert::Infallible;
use wasm_encoder::reencode::{self, Reencode};
use wasm_encoder::{CodeSection, Function, FunctionSection, NameSection, SectionId};
use wasmparser::{Import, Name, Parser, Payload, TypeRef};

/// The module whose functions WASI guests import.
const WASI: &str = "wasi_snapshot_preview1";

/// The module `wasm` with every `wasi_snapshot_preview1` function import that
/// `keep` rejects turned into a local function that traps (`unreachable`).
/// Returns the bytes unchanged-equivalent when nothing is removed.
pub fn keep_imports(wasm: &[u8], keep: impl Fn(&str) -> bool) -> anyhow::Result<Vec<u8>> {
    let mut prune = Prune {
        keep: &keep,
        map: Vec::new(),
        stubs: Vec::new(),
        functions_done: false,
        code_done: false,
    };
    let mut imports = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        if let Payload::ImportSection(section) = payload? {
            for import in section.into_imports() {
                let import = import?;
                if let TypeRef::Func(ty) | TypeRef::FuncExact(ty) = import.ty {
                    imports.push((ty, prune.is_removed(&import)));
                }
            }
        }
    }
    let mut kept = 0;
    let mut stub = imports.iter().filter(|&&(_, removed)| !removed).count() as u32;
    for (ty, removed) in imports {
        let next = if removed { &mut stub } else { &mut kept };
        prune.map.push(*next);
        *next += 1;
        if removed {
            prune.stubs.push(ty);
        }
    }
    if prune.stubs.is_empty() {
        return Ok(wasm.to_vec());
    }
    let mut module = wasm_encoder::Module::new();
    prune.parse_core_module(&mut module, Parser::new(0), wasm)?;
    Ok(module.finish())
}

/// The re-encoder: drops the removed imports, prepends their stubs to the
/// defined functions and renumbers functions.
struct Prune<'a> {
    keep: &'a dyn Fn(&str) -> bool,
    /// The new index of each imported function, by old index.
    map: Vec<u32>,
    /// The type of each removed import, in order: the stubs' types.
    stubs: Vec<u32>,
    /// Whether the stubs are in the function section yet.
    functions_done: bool,
    /// Whether the stubs' bodies are in the code section yet.
    code_done: bool,
}

type Error = reencode::Error<Infallible>;

impl Prune<'_> {
    /// Whether `import` is a WASI function import that goes.
    fn is_removed(&self, import: &Import) -> bool {
        matches!(import.ty, TypeRef::Func(_) | TypeRef::FuncExact(_))
            && import.module == WASI
            && !(self.keep)(import.name)
    }

    /// The new index of function `func`.
    fn new_index(&self, func: u32) -> u32 {
        self.map.get(func as usize).copied().unwrap_or(func)
    }

    /// Adds the stubs' types to `functions`.
    fn stub_functions(&mut self, functions: &mut FunctionSection) {
        for &ty in &self.stubs {
            functions.function(ty);
        }
        self.functions_done = true;
    }

    /// Adds the stubs' bodies, `unreachable`, to `code`.
    fn stub_bodies(&mut self, code: &mut CodeSection) {
        let mut body = Function::new([]);
        body.instructions().unreachable().end();
        for _ in &self.stubs {
            code.function(&body);
        }
        self.code_done = true;
    }

    /// Function names renumbered, in increasing index order as the name
    /// section requires.
    fn function_names(&self, names: wasmparser::NameMap) -> Result<wasm_encoder::NameMap, Error> {
        let mut entries = Vec::new();
        for naming in names {
            let naming = naming?;
            entries.push((self.new_index(naming.index), naming.name));
        }
        entries.sort_by_key(|&(index, _)| index);
        let mut map = wasm_encoder::NameMap::new();
        for (index, name) in entries {
            map.append(index, name);
        }
        Ok(map)
    }

    /// Per-function names (locals, labels) renumbered likewise.
    fn indirect_names(
        &self,
        names: wasmparser::IndirectNameMap,
    ) -> Result<wasm_encoder::IndirectNameMap, Error> {
        let mut entries = Vec::new();
        for naming in names {
            let naming = naming?;
            let inner = reencode::utils::name_map::<Infallible>(naming.names, Ok)?;
            entries.push((self.new_index(naming.index), inner));
        }
        entries.sort_by_key(|&(index, _)| index);
        let mut map = wasm_encoder::IndirectNameMap::new();
        for (index, inner) in &entries {
            map.append(*index, inner);
        }
        Ok(map)
    }
}

impl Reencode for Prune<'_> {
    type Error = Infallible;

    fn function_index(&mut self, func: u32) -> Result<u32, Error> {
        Ok(self.new_index(func))
    }

    fn parse_import_section(
        &mut self,
        imports: &mut wasm_encoder::ImportSection,
        section: wasmparser::ImportSectionReader<'_>,
    ) -> Result<(), Error> {
        for import in section.into_imports() {
            let import = import?;
            if !self.is_removed(&import) {
                self.parse_import(imports, import)?;
            }
        }
        Ok(())
    }

    fn parse_function_section(
        &mut self,
        functions: &mut FunctionSection,
        section: wasmparser::FunctionSectionReader<'_>,
    ) -> Result<(), Error> {
        self.stub_functions(functions);
        reencode::utils::parse_function_section(self, functions, section)
    }

    fn parse_code_section(
        &mut self,
        code: &mut CodeSection,
        section: wasmparser::CodeSectionReader<'_>,
    ) -> Result<(), Error> {
        self.stub_bodies(code);
        reencode::utils::parse_code_section(self, code, section)
    }

    /// Adds the function and code sections where a module without them
    /// would have had them.
    fn intersperse_section_hook(
        &mut self,
        module: &mut wasm_encoder::Module,
        _after: Option<SectionId>,
        before: Option<SectionId>,
    ) -> Result<(), Error> {
        let only_before_functions = [SectionId::Type, SectionId::Import, SectionId::Function];
        if !self.functions_done && before.is_none_or(|id| !only_before_functions.contains(&id)) {
            let mut functions = FunctionSection::new();
            self.stub_functions(&mut functions);
            module.section(&functions);
        }
        if !self.code_done && before.is_none_or(|id| id == SectionId::Data) {
            let mut code = CodeSection::new();
            self.stub_bodies(&mut code);
            module.section(&code);
        }
        Ok(())
    }

    fn parse_custom_name_subsection(
        &mut self,
        names: &mut NameSection,
        section: Name<'_>,
    ) -> Result<(), Error> {
        match section {
            Name::Function(map) => names.functions(&self.function_names(map)?),
            Name::Local(map) => names.locals(&self.indirect_names(map)?),
            Name::Label(map) => names.labels(&self.indirect_names(map)?),
            other => return reencode::utils::parse_custom_name_subsection(self, names, other),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::guests::Guests;
    use crate::layout::Layout;
    use crate::model::abi::Abi;
    use std::collections::BTreeSet;
    use wasmtime::{Engine, Instance, Linker, Module, Store, Trap};

    /// Three WASI imports (`b` in the middle, of its own type), a non-WASI
    /// global import, calls, a table filled by `elem` and by `ref.func`.
    const GUEST: &str = r#"
        (module
          (type $r (func (result i32)))
          (import "wasi_snapshot_preview1" "a" (func $a (result i32)))
          (import "wasi_snapshot_preview1" "b" (func $b (param i32) (result i32)))
          (import "env" "g" (global $g i32))
          (import "wasi_snapshot_preview1" "c" (func $c (result i32)))
          (table 4 funcref)
          (elem (i32.const 0) func $a $call_b $c)
          (elem declare func $c)
          (func $call_a (export "call_a") (result i32) (call $a))
          (func $call_b (export "call_b") (result i32) (call $b (i32.const 7)))
          (func $call_c (export "call_c") (result i32) (call $c))
          (func $via_table (export "via_table") (param i32) (result i32)
            (call_indirect (type $r) (local.get 0)))
          (func $via_ref (export "via_ref") (result i32)
            (table.set (i32.const 3) (ref.func $c))
            (call_indirect (type $r) (i32.const 3)))
          (func $_start (export "_start") (drop (call $call_a))))
    "#;

    /// Validates `wasm` and lists its imports as `module/name`.
    fn imports(wasm: &[u8]) -> Vec<String> {
        wasmparser::Validator::new().validate_all(wasm).unwrap();
        let mut names = Vec::new();
        for payload in Parser::new(0).parse_all(wasm) {
            if let Payload::ImportSection(section) = payload.unwrap() {
                for import in section.into_imports() {
                    let import = import.unwrap();
                    names.push(format!("{}/{}", import.module, import.name));
                }
            }
        }
        names
    }

    /// The function names of `wasm`'s name section, in order.
    fn function_names(wasm: &[u8]) -> Vec<(u32, String)> {
        let mut names = Vec::new();
        for payload in Parser::new(0).parse_all(wasm) {
            if let Payload::CustomSection(section) = payload.unwrap()
                && let wasmparser::KnownCustom::Name(reader) = section.as_known()
            {
                for name in reader {
                    if let Name::Function(map) = name.unwrap() {
                        for naming in map {
                            let naming = naming.unwrap();
                            names.push((naming.index, naming.name.to_owned()));
                        }
                    }
                }
            }
        }
        names
    }

    /// `wasm` instantiated on wasmtime with host functions only for the
    /// imports it keeps (`a` returns 1, `b` 2, `c` 3) and global `env/g`.
    fn instantiate(wasm: &[u8]) -> (Store<()>, Instance) {
        let engine = Engine::default();
        let module = Module::new(&engine, wasm).unwrap();
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        for import in module.imports() {
            match (import.module(), import.name()) {
                (WASI, "a") => linker.func_wrap(WASI, "a", || 1i32),
                (WASI, "b") => linker.func_wrap(WASI, "b", |_: i32| 2i32),
                (WASI, "c") => linker.func_wrap(WASI, "c", || 3i32),
                ("env", "g") => {
                    let ty = wasmtime::GlobalType::new(
                        wasmtime::ValType::I32,
                        wasmtime::Mutability::Const,
                    );
                    let global = wasmtime::Global::new(&mut store, ty, 0i32.into()).unwrap();
                    linker.define(&store, "env", "g", global)
                }
                other => panic!("unexpected import {other:?}"),
            }
            .unwrap();
        }
        let instance = linker.instantiate(&mut store, &module).unwrap();
        (store, instance)
    }

    /// The result of export `name` called with `args`, or its trap.
    fn call<Params: wasmtime::WasmParams>(
        (store, instance): &mut (Store<()>, Instance),
        name: &str,
        args: Params,
    ) -> Result<i32, Trap> {
        let func = instance
            .get_typed_func::<Params, i32>(&mut *store, name)
            .unwrap();
        func.call(&mut *store, args)
            .map_err(|e| *e.downcast_ref::<Trap>().expect("only traps"))
    }

    #[test]
    fn pruned_import_traps_and_the_rest_still_reaches_its_target() {
        let wasm = wat::parse_str(GUEST).unwrap();
        let pruned = keep_imports(&wasm, |name| name != "b").unwrap();
        assert_eq!(
            imports(&pruned),
            [format!("{WASI}/a"), "env/g".into(), format!("{WASI}/c")]
        );
        // The stub is the first defined function and keeps its name.
        let names = function_names(&pruned);
        let expected = [(0, "a"), (1, "c"), (2, "b"), (3, "call_a"), (4, "call_b")];
        assert_eq!(names[..5], expected.map(|(i, n)| (i, n.to_owned())));

        let mut instance = instantiate(&pruned);
        assert_eq!(call(&mut instance, "call_a", ()), Ok(1));
        assert_eq!(call(&mut instance, "call_c", ()), Ok(3));
        assert_eq!(call(&mut instance, "via_table", 0), Ok(1));
        assert_eq!(call(&mut instance, "via_table", 2), Ok(3));
        assert_eq!(call(&mut instance, "via_ref", ()), Ok(3));
        let unreachable = Err(Trap::UnreachableCodeReached);
        assert_eq!(call(&mut instance, "call_b", ()), unreachable);
        assert_eq!(call(&mut instance, "via_table", 1), unreachable);
    }

    #[test]
    fn keeping_everything_keeps_the_imports() {
        let wasm = wat::parse_str(GUEST).unwrap();
        let same = keep_imports(&wasm, |_| true).unwrap();
        assert_eq!(imports(&same), imports(&wasm));
        let mut instance = instantiate(&same);
        assert_eq!(call(&mut instance, "call_b", ()), Ok(2));
    }

    /// A module with no function or code section gets both.
    #[test]
    fn module_without_functions_gets_the_stubs() {
        let wasm = wat::parse_str(
            r#"(module
                 (import "wasi_snapshot_preview1" "a" (func (result i32)))
                 (import "wasi_snapshot_preview1" "b" (func $b (param i32) (result i32)))
                 (export "b" (func $b)))"#,
        )
        .unwrap();
        let pruned = keep_imports(&wasm, |name| name == "a").unwrap();
        assert_eq!(imports(&pruned), [format!("{WASI}/a")]);
        let mut instance = instantiate(&pruned);
        assert_eq!(
            call(&mut instance, "b", 0),
            Err(Trap::UnreachableCodeReached)
        );
    }

    /// The `calls` guest, pruned of `sock_accept`, still validates and
    /// imports everything else.
    #[test]
    fn calls_guest_without_sock_accept() {
        let layout = Layout::discover();
        let guests = Guests::build(&layout, &BTreeSet::from([Abi::P1]), None).unwrap();
        let path = guests.check(&layout, "calls", Abi::P1).unwrap();
        let wasm = std::fs::read(path).unwrap();
        let pruned = keep_imports(&wasm, |name| name != "sock_accept").unwrap();
        let mut expected = imports(&wasm);
        let before = expected.len();
        expected.retain(|import| *import != format!("{WASI}/sock_accept"));
        assert_eq!(expected.len(), before - 1);
        assert_eq!(imports(&pruned), expected);
    }
}

//! The ways a guest is packaged and run.

use std::fmt;
use std::str::FromStr;

/// How a guest reaches the runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Abi {
    /// A wasm32-wasip1 core module importing `wasi_snapshot_preview1`.
    P1,
    /// The same p1 module wrapped into a component with the preview1 adapter.
    P1Component,
    /// A wasm32-wasip2 component written against WASI 0.2.
    P2,
    /// A wasm32-wasip2 component written against WASI 0.3 (async, streams
    /// and futures).
    P3,
}

impl Abi {
    /// Every ABI, in display order.
    pub const ALL: [Abi; 4] = [Abi::P1, Abi::P1Component, Abi::P2, Abi::P3];

    /// The name used in manifests, file names and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Abi::P1 => "p1",
            Abi::P1Component => "p1-component",
            Abi::P2 => "p2",
            Abi::P3 => "p3",
        }
    }

    /// Whether the guest is a component (which can only exit ok or err).
    pub fn is_component(self) -> bool {
        self != Abi::P1
    }

    /// The exit status a guest with p1 exit status `p1_exit` shows under this ABI.
    ///
    /// WASI 0.2 `wasi:cli/exit.exit` carries only ok/err (`exit-with-code` is
    /// unstable), so a component exits 0 or 1; see RATIONALE.md.
    pub fn exit_status(self, p1_exit: i32) -> i32 {
        if self.is_component() && p1_exit != 0 {
            1
        } else {
            p1_exit
        }
    }
}

/// The world a component targets, which says how the runtime runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum World {
    /// `wasi:cli/command`: the runtime calls `run` and the guest ends.
    #[default]
    Command,
    /// `wasi:http/service` (0.3) or `wasi:http/proxy` (0.2): the runtime
    /// serves the guest's handler over HTTP, printing its `http://` address
    /// on stderr, until it is stopped.
    HttpService,
}

impl fmt::Display for Abi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Abi {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Abi::ALL
            .into_iter()
            .find(|abi| abi.name() == s)
            .ok_or_else(|| format!("unknown ABI `{s}` (expected one of p1, p1-component, p2, p3)"))
    }
}

impl serde::Serialize for Abi {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for Abi {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for abi in Abi::ALL {
            assert_eq!(abi.name().parse::<Abi>(), Ok(abi));
        }
        assert!("p4".parse::<Abi>().is_err());
    }

    #[test]
    fn components_exit_ok_or_err() {
        assert_eq!(Abi::P1.exit_status(7), 7);
        assert_eq!(Abi::P1Component.exit_status(7), 1);
        assert_eq!(Abi::P2.exit_status(0), 0);
    }
}

//! The preview1 `errno` enum, in the wire order of `typenames.witx`.

macro_rules! errnos {
    ($($variant:ident = $name:literal,)*) => {
        /// A preview1 error code; the discriminant is the `u16` wire value.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u16)]
        pub enum Errno {
            $(
                #[doc = concat!("witx `", $name, "`")]
                $variant,
            )*
        }

        impl Errno {
            /// Every errno, in wire order.
            pub const ALL: &'static [Errno] = &[$(Errno::$variant,)*];

            /// The witx name (`"success"`, `"badf"`, `"2big"`, ...).
            pub fn name(&self) -> &'static str {
                match self {
                    $(Errno::$variant => $name,)*
                }
            }
        }
    };
}

errnos! {
    Success = "success",
    Toobig = "2big",
    Acces = "acces",
    Addrinuse = "addrinuse",
    Addrnotavail = "addrnotavail",
    Afnosupport = "afnosupport",
    Again = "again",
    Already = "already",
    Badf = "badf",
    Badmsg = "badmsg",
    Busy = "busy",
    Canceled = "canceled",
    Child = "child",
    Connaborted = "connaborted",
    Connrefused = "connrefused",
    Connreset = "connreset",
    Deadlk = "deadlk",
    Destaddrreq = "destaddrreq",
    Dom = "dom",
    Dquot = "dquot",
    Exist = "exist",
    Fault = "fault",
    Fbig = "fbig",
    Hostunreach = "hostunreach",
    Idrm = "idrm",
    Ilseq = "ilseq",
    Inprogress = "inprogress",
    Intr = "intr",
    Inval = "inval",
    Io = "io",
    Isconn = "isconn",
    Isdir = "isdir",
    Loop = "loop",
    Mfile = "mfile",
    Mlink = "mlink",
    Msgsize = "msgsize",
    Multihop = "multihop",
    Nametoolong = "nametoolong",
    Netdown = "netdown",
    Netreset = "netreset",
    Netunreach = "netunreach",
    Nfile = "nfile",
    Nobufs = "nobufs",
    Nodev = "nodev",
    Noent = "noent",
    Noexec = "noexec",
    Nolck = "nolck",
    Nolink = "nolink",
    Nomem = "nomem",
    Nomsg = "nomsg",
    Noprotoopt = "noprotoopt",
    Nospc = "nospc",
    Nosys = "nosys",
    Notconn = "notconn",
    Notdir = "notdir",
    Notempty = "notempty",
    Notrecoverable = "notrecoverable",
    Notsock = "notsock",
    Notsup = "notsup",
    Notty = "notty",
    Nxio = "nxio",
    Overflow = "overflow",
    Ownerdead = "ownerdead",
    Perm = "perm",
    Pipe = "pipe",
    Proto = "proto",
    Protonosupport = "protonosupport",
    Prototype = "prototype",
    Range = "range",
    Rofs = "rofs",
    Spipe = "spipe",
    Srch = "srch",
    Stale = "stale",
    Timedout = "timedout",
    Txtbsy = "txtbsy",
    Xdev = "xdev",
    Notcapable = "notcapable",
}

impl Errno {
    /// The errno with this witx name, if any.
    pub fn from_name(name: &str) -> Option<Errno> {
        Errno::ALL.iter().copied().find(|e| e.name() == name)
    }

    /// The errno with this wire value, if any.
    pub fn from_wire(value: u16) -> Option<Errno> {
        Errno::ALL.get(usize::from(value)).copied()
    }

    /// The `u16` wire value.
    pub fn wire(self) -> u16 {
        self as u16
    }
}

impl std::fmt::Display for Errno {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_order_matches_witx() {
        assert_eq!(Errno::ALL.len(), 77);
        assert_eq!(Errno::Success.wire(), 0);
        assert_eq!(Errno::Badf.wire(), 8);
        assert_eq!(Errno::Fault.wire(), 21);
        assert_eq!(Errno::Inval.wire(), 28);
        assert_eq!(Errno::Noent.wire(), 44);
        assert_eq!(Errno::Notcapable.wire(), 76);
        for (i, e) in Errno::ALL.iter().enumerate() {
            assert_eq!(usize::from(e.wire()), i);
            assert_eq!(Errno::from_name(e.name()), Some(*e));
        }
        assert_eq!(Errno::from_name("2big"), Some(Errno::Toobig));
        assert_eq!(Errno::from_wire(77), None);
    }
}

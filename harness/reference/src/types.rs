//! The preview1 value types of `typenames.witx`: flags, enums and records,
//! with encoders/decoders for their witx byte layout (little endian).

use crate::errno::Errno;

/// A file descriptor number.
pub type Fd = u32;
/// Timestamp in nanoseconds.
pub type Timestamp = u64;
/// File size or offset.
pub type Filesize = u64;
/// Directory cookie: 0 is the start of the directory.
pub type Dircookie = u64;
/// Inode (file serial number).
pub type Inode = u64;

macro_rules! flags {
    ($(#[$doc:meta])* $name:ident: $repr:ty { $($flag:ident = $bit:literal, $fname:literal;)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct $name(pub $repr);

        impl $name {
            $(
                #[doc = concat!("witx `", $fname, "`")]
                pub const $flag: $name = $name(1 << $bit);
            )*
            /// No flag set.
            pub const EMPTY: $name = $name(0);
            /// Every flag the witx defines.
            pub const ALL: $name = $name(0 $(| (1 << $bit))*);
            const NAMES: &'static [(&'static str, $name)] = &[$(($fname, $name::$flag),)*];

            /// Accepts `bits` only if it sets no bit the witx leaves undefined.
            pub fn from_bits(bits: $repr) -> Option<$name> {
                (bits & !$name::ALL.0 == 0).then_some($name(bits))
            }

            /// Whether every flag of `other` is set in `self`.
            pub fn contains(self, other: $name) -> bool {
                self.0 & other.0 == other.0
            }

            /// Whether any flag of `other` is set in `self`.
            pub fn intersects(self, other: $name) -> bool {
                self.0 & other.0 != 0
            }

            /// Whether no flag is set.
            pub fn is_empty(self) -> bool {
                self.0 == 0
            }
        }

        impl std::ops::BitOr for $name {
            type Output = $name;
            fn bitor(self, rhs: $name) -> $name {
                $name(self.0 | rhs.0)
            }
        }

        impl std::ops::BitAnd for $name {
            type Output = $name;
            fn bitand(self, rhs: $name) -> $name {
                $name(self.0 & rhs.0)
            }
        }

        impl std::ops::Not for $name {
            type Output = $name;
            fn not(self) -> $name {
                $name(!self.0 & $name::ALL.0)
            }
        }

        /// The witx names joined by `|`, or `0` when empty.
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let set: Vec<&str> = $name::NAMES
                    .iter()
                    .filter(|(_, flag)| self.contains(*flag))
                    .map(|(n, _)| *n)
                    .collect();
                if set.is_empty() {
                    f.write_str("0")
                } else {
                    f.write_str(&set.join("|"))
                }
            }
        }
    };
}

macro_rules! enumeration {
    ($(#[$doc:meta])* $name:ident: $repr:ty { $($variant:ident = $vname:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr($repr)]
        pub enum $name {
            $(
                #[doc = concat!("witx `", $vname, "`")]
                $variant,
            )*
        }

        impl $name {
            const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The variant with this wire value, if the witx defines one.
            pub fn from_wire(value: u64) -> Option<$name> {
                usize::try_from(value).ok().and_then(|i| $name::ALL.get(i)).copied()
            }

            /// The witx name.
            pub fn name(&self) -> &'static str {
                match self {
                    $($name::$variant => $vname,)*
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

flags! {
    /// `rights`: what a descriptor may be used for.
    Rights: u64 {
        FD_DATASYNC = 0, "fd_datasync";
        FD_READ = 1, "fd_read";
        FD_SEEK = 2, "fd_seek";
        FD_FDSTAT_SET_FLAGS = 3, "fd_fdstat_set_flags";
        FD_SYNC = 4, "fd_sync";
        FD_TELL = 5, "fd_tell";
        FD_WRITE = 6, "fd_write";
        FD_ADVISE = 7, "fd_advise";
        FD_ALLOCATE = 8, "fd_allocate";
        PATH_CREATE_DIRECTORY = 9, "path_create_directory";
        PATH_CREATE_FILE = 10, "path_create_file";
        PATH_LINK_SOURCE = 11, "path_link_source";
        PATH_LINK_TARGET = 12, "path_link_target";
        PATH_OPEN = 13, "path_open";
        FD_READDIR = 14, "fd_readdir";
        PATH_READLINK = 15, "path_readlink";
        PATH_RENAME_SOURCE = 16, "path_rename_source";
        PATH_RENAME_TARGET = 17, "path_rename_target";
        PATH_FILESTAT_GET = 18, "path_filestat_get";
        PATH_FILESTAT_SET_SIZE = 19, "path_filestat_set_size";
        PATH_FILESTAT_SET_TIMES = 20, "path_filestat_set_times";
        FD_FILESTAT_GET = 21, "fd_filestat_get";
        FD_FILESTAT_SET_SIZE = 22, "fd_filestat_set_size";
        FD_FILESTAT_SET_TIMES = 23, "fd_filestat_set_times";
        PATH_SYMLINK = 24, "path_symlink";
        PATH_REMOVE_DIRECTORY = 25, "path_remove_directory";
        PATH_UNLINK_FILE = 26, "path_unlink_file";
        POLL_FD_READWRITE = 27, "poll_fd_readwrite";
        SOCK_SHUTDOWN = 28, "sock_shutdown";
        SOCK_ACCEPT = 29, "sock_accept";
    }
}

flags! {
    /// `fdflags`: descriptor flags.
    Fdflags: u16 {
        APPEND = 0, "append";
        DSYNC = 1, "dsync";
        NONBLOCK = 2, "nonblock";
        RSYNC = 3, "rsync";
        SYNC = 4, "sync";
    }
}

flags! {
    /// `fstflags`: which timestamps `*_set_times` adjusts.
    Fstflags: u16 {
        ATIM = 0, "atim";
        ATIM_NOW = 1, "atim_now";
        MTIM = 2, "mtim";
        MTIM_NOW = 3, "mtim_now";
    }
}

flags! {
    /// `lookupflags`: how paths are resolved.
    Lookupflags: u32 {
        SYMLINK_FOLLOW = 0, "symlink_follow";
    }
}

flags! {
    /// `oflags`: how `path_open` opens.
    Oflags: u16 {
        CREAT = 0, "creat";
        DIRECTORY = 1, "directory";
        EXCL = 2, "excl";
        TRUNC = 3, "trunc";
    }
}

flags! {
    /// `eventrwflags`: state of an fd in an event.
    Eventrwflags: u16 {
        FD_READWRITE_HANGUP = 0, "fd_readwrite_hangup";
    }
}

flags! {
    /// `subclockflags`: how a clock subscription's timeout is read.
    Subclockflags: u16 {
        SUBSCRIPTION_CLOCK_ABSTIME = 0, "subscription_clock_abstime";
    }
}

flags! {
    /// `riflags`: flags given to `sock_recv`.
    Riflags: u16 {
        RECV_PEEK = 0, "recv_peek";
        RECV_WAITALL = 1, "recv_waitall";
    }
}

flags! {
    /// `roflags`: flags returned by `sock_recv`.
    Roflags: u16 {
        RECV_DATA_TRUNCATED = 0, "recv_data_truncated";
    }
}

flags! {
    /// `sdflags`: which socket channels `sock_shutdown` closes.
    Sdflags: u8 {
        RD = 0, "rd";
        WR = 1, "wr";
    }
}

flags! {
    /// `siflags`: flags given to `sock_send`; the witx defines none ("must be set to zero").
    Siflags: u16 {}
}

enumeration! {
    /// `clockid`.
    Clockid: u32 {
        Realtime = "realtime",
        Monotonic = "monotonic",
        ProcessCputimeId = "process_cputime_id",
        ThreadCputimeId = "thread_cputime_id",
    }
}

enumeration! {
    /// `whence`: the base of `fd_seek`.
    Whence: u8 {
        Set = "set",
        Cur = "cur",
        End = "end",
    }
}

enumeration! {
    /// `filetype`.
    Filetype: u8 {
        Unknown = "unknown",
        BlockDevice = "block_device",
        CharacterDevice = "character_device",
        Directory = "directory",
        RegularFile = "regular_file",
        SocketDgram = "socket_dgram",
        SocketStream = "socket_stream",
        SymbolicLink = "symbolic_link",
    }
}

enumeration! {
    /// `advice`: the `fd_advise` access pattern.
    Advice: u8 {
        Normal = "normal",
        Sequential = "sequential",
        Random = "random",
        Willneed = "willneed",
        Dontneed = "dontneed",
        Noreuse = "noreuse",
    }
}

enumeration! {
    /// `eventtype`.
    Eventtype: u8 {
        Clock = "clock",
        FdRead = "fd_read",
        FdWrite = "fd_write",
    }
}

enumeration! {
    /// `signal`: the `proc_raise` condition.
    Signal: u8 {
        None = "none", Hup = "hup", Int = "int", Quit = "quit", Ill = "ill", Trap = "trap",
        Abrt = "abrt", Bus = "bus", Fpe = "fpe", Kill = "kill", Usr1 = "usr1", Segv = "segv",
        Usr2 = "usr2", Pipe = "pipe", Alrm = "alrm", Term = "term", Chld = "chld", Cont = "cont",
        Stop = "stop", Tstp = "tstp", Ttin = "ttin", Ttou = "ttou", Urg = "urg", Xcpu = "xcpu",
        Xfsz = "xfsz", Vtalrm = "vtalrm", Prof = "prof", Winch = "winch", Poll = "poll",
        Pwr = "pwr", Sys = "sys",
    }
}

fn put_u16(buf: &mut [u8], at: usize, v: u16) {
    buf[at..at + 2].copy_from_slice(&v.to_le_bytes());
}

fn put_u32(buf: &mut [u8], at: usize, v: u32) {
    buf[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn put_u64(buf: &mut [u8], at: usize, v: u64) {
    buf[at..at + 8].copy_from_slice(&v.to_le_bytes());
}

fn get_u16(buf: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([buf[at], buf[at + 1]])
}

fn get_u32(buf: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(buf[at..at + 4].try_into().expect("4 bytes"))
}

fn get_u64(buf: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(buf[at..at + 8].try_into().expect("8 bytes"))
}

/// `fdstat`: 24 bytes, align 8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fdstat {
    /// `fs_filetype`.
    pub filetype: Filetype,
    /// `fs_flags`.
    pub flags: Fdflags,
    /// `fs_rights_base`: rights for operations on this descriptor.
    pub rights_base: Rights,
    /// `fs_rights_inheriting`: the most descriptors opened through it may get.
    pub rights_inheriting: Rights,
}

impl Fdstat {
    /// Encoded size in bytes.
    pub const SIZE: usize = 24;
    /// Alignment in guest memory.
    pub const ALIGN: u32 = 8;

    /// The witx byte layout.
    pub fn encode(&self) -> [u8; Self::SIZE] {
        let mut b = [0; Self::SIZE];
        b[0] = self.filetype as u8;
        put_u16(&mut b, 2, self.flags.0);
        put_u64(&mut b, 8, self.rights_base.0);
        put_u64(&mut b, 16, self.rights_inheriting.0);
        b
    }
}

/// `filestat`: 64 bytes, align 8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Filestat {
    /// Device ID.
    pub dev: u64,
    /// File serial number.
    pub ino: Inode,
    /// File type.
    pub filetype: Filetype,
    /// Number of hard links.
    pub nlink: u64,
    /// File size, or a symlink's target length.
    pub size: Filesize,
    /// Last data access.
    pub atim: Timestamp,
    /// Last data modification.
    pub mtim: Timestamp,
    /// Last status change.
    pub ctim: Timestamp,
}

impl Filestat {
    /// Encoded size in bytes.
    pub const SIZE: usize = 64;
    /// Alignment in guest memory.
    pub const ALIGN: u32 = 8;

    /// The witx byte layout.
    pub fn encode(&self) -> [u8; Self::SIZE] {
        let mut b = [0; Self::SIZE];
        put_u64(&mut b, 0, self.dev);
        put_u64(&mut b, 8, self.ino);
        b[16] = self.filetype as u8;
        put_u64(&mut b, 24, self.nlink);
        put_u64(&mut b, 32, self.size);
        put_u64(&mut b, 40, self.atim);
        put_u64(&mut b, 48, self.mtim);
        put_u64(&mut b, 56, self.ctim);
        b
    }
}

/// `prestat` (the only variant, `preopentype::dir`): 8 bytes, align 4.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prestat {
    /// `prestat_dir::pr_name_len`.
    pub name_len: u32,
}

impl Prestat {
    /// Encoded size in bytes.
    pub const SIZE: usize = 8;
    /// Alignment in guest memory.
    pub const ALIGN: u32 = 4;

    /// The witx byte layout (tag 0 = `dir`).
    pub fn encode(&self) -> [u8; Self::SIZE] {
        let mut b = [0; Self::SIZE];
        put_u32(&mut b, 4, self.name_len);
        b
    }
}

/// A `dirent` header followed by its name, as `fd_readdir` stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dirent {
    /// `d_next`: the cookie of the next entry.
    pub next: Dircookie,
    /// `d_ino`.
    pub ino: Inode,
    /// `d_type`.
    pub filetype: Filetype,
    /// The name (`d_namlen` is its length).
    pub name: String,
}

impl Dirent {
    /// Size of the `dirent` header before the name.
    pub const HEADER_SIZE: usize = 24;

    /// Appends the header (24 bytes) and the name bytes.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        let mut b = [0; Self::HEADER_SIZE];
        put_u64(&mut b, 0, self.next);
        put_u64(&mut b, 8, self.ino);
        put_u32(&mut b, 16, self.name.len() as u32);
        b[20] = self.filetype as u8;
        out.extend_from_slice(&b);
        out.extend_from_slice(self.name.as_bytes());
    }
}

/// What a `subscription` waits for (`subscription_u`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubscriptionKind {
    /// `subscription_clock`.
    Clock {
        /// The clock to compare with.
        id: Clockid,
        /// Absolute or relative timestamp, per `flags`.
        timeout: Timestamp,
        /// Allowed extra wait.
        precision: Timestamp,
        /// `subscription_clock_abstime` or nothing.
        flags: Subclockflags,
    },
    /// `eventtype::fd_read` on this fd.
    FdRead(Fd),
    /// `eventtype::fd_write` on this fd.
    FdWrite(Fd),
}

/// `subscription`: 48 bytes, align 8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Subscription {
    /// Returned in the matching `event`.
    pub userdata: u64,
    /// What to wait for.
    pub kind: SubscriptionKind,
}

impl Subscription {
    /// Encoded size in bytes.
    pub const SIZE: usize = 48;
    /// Alignment in guest memory.
    pub const ALIGN: u32 = 8;

    /// Decodes the witx layout; an unknown tag, clock id or flag bit is `inval`.
    pub fn decode(b: &[u8; Self::SIZE]) -> Result<Subscription, Errno> {
        let userdata = get_u64(b, 0);
        let kind = match Eventtype::from_wire(u64::from(b[8])).ok_or(Errno::Inval)? {
            Eventtype::Clock => SubscriptionKind::Clock {
                id: Clockid::from_wire(u64::from(get_u32(b, 16))).ok_or(Errno::Inval)?,
                timeout: get_u64(b, 24),
                precision: get_u64(b, 32),
                flags: Subclockflags::from_bits(get_u16(b, 40)).ok_or(Errno::Inval)?,
            },
            Eventtype::FdRead => SubscriptionKind::FdRead(get_u32(b, 16)),
            Eventtype::FdWrite => SubscriptionKind::FdWrite(get_u32(b, 16)),
        };
        Ok(Subscription { userdata, kind })
    }
}

/// `event`: 32 bytes, align 8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    /// The subscription's `userdata`.
    pub userdata: u64,
    /// Non-success if the subscription could not be processed.
    pub error: Errno,
    /// What happened.
    pub kind: Eventtype,
    /// `event_fd_readwrite::nbytes` (0 for clock events).
    pub nbytes: Filesize,
    /// `event_fd_readwrite::flags`.
    pub flags: Eventrwflags,
}

impl Event {
    /// Encoded size in bytes.
    pub const SIZE: usize = 32;

    /// The witx byte layout.
    pub fn encode(&self) -> [u8; Self::SIZE] {
        let mut b = [0; Self::SIZE];
        put_u64(&mut b, 0, self.userdata);
        put_u16(&mut b, 8, self.error.wire());
        b[10] = self.kind as u8;
        put_u64(&mut b, 16, self.nbytes);
        put_u16(&mut b, 24, self.flags.0);
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_reject_unknown_bits() {
        assert_eq!(Oflags::from_bits(0b1111), Some(Oflags::ALL));
        assert_eq!(Oflags::from_bits(0b1_0000), None);
        assert_eq!(Rights::ALL.0, (1 << 30) - 1);
        assert_eq!(Siflags::from_bits(1), None);
        assert_eq!((Oflags::CREAT | Oflags::EXCL).to_string(), "creat|excl");
        assert_eq!(Fdflags::EMPTY.to_string(), "0");
    }

    #[test]
    fn enums_reject_unknown_values() {
        assert_eq!(Whence::from_wire(2), Some(Whence::End));
        assert_eq!(Whence::from_wire(3), None);
        assert_eq!(Clockid::from_wire(u64::MAX), None);
        assert_eq!(Signal::from_wire(30), Some(Signal::Sys));
    }

    #[test]
    fn layouts() {
        let st = Fdstat {
            filetype: Filetype::Directory,
            flags: Fdflags::APPEND,
            rights_base: Rights::FD_READ,
            rights_inheriting: Rights::FD_WRITE,
        }
        .encode();
        assert_eq!(st[0], 3);
        assert_eq!(&st[2..4], &[1, 0]);
        assert_eq!(st[8], 2);
        assert_eq!(st[16], 64);

        let mut d = Vec::new();
        Dirent {
            next: 1,
            ino: 2,
            filetype: Filetype::RegularFile,
            name: "ab".into(),
        }
        .encode_into(&mut d);
        assert_eq!(d.len(), 26);
        assert_eq!(
            (d[0], d[8], d[16], d[20], &d[24..]),
            (1, 2, 2, 4, &b"ab"[..])
        );

        let mut s = [0u8; 48];
        s[0] = 7;
        s[8] = 0;
        s[16] = 1;
        s[24] = 5;
        s[40] = 1;
        let sub = Subscription::decode(&s).unwrap();
        assert_eq!(sub.userdata, 7);
        assert_eq!(
            sub.kind,
            SubscriptionKind::Clock {
                id: Clockid::Monotonic,
                timeout: 5,
                precision: 0,
                flags: Subclockflags::SUBSCRIPTION_CLOCK_ABSTIME
            }
        );
        s[8] = 3;
        assert_eq!(Subscription::decode(&s), Err(Errno::Inval));
    }
}

//! wasi:filesystem (types, preopens). A descriptor or directory-entry-stream
//! argument prints as `"self"` (and `"new-descriptor"`, `"other"`) with the
//! caller's label; flags print as arrays of WIT flag names (an undefined bit
//! as `bit<n>`), enums by case name. Timestamps, inode-like values and
//! metadata hashes are never printed: callers check properties instead.

use super::traced;
use crate::{J, fmt, obj, trace};
use alloc::string::String;
use alloc::vec::Vec;
use wasip2::filesystem::preopens;
use wasip2::filesystem::types::{
    self, Advice, Descriptor, DescriptorFlags, DescriptorStat, DescriptorType, DirectoryEntry,
    DirectoryEntryStream, ErrorCode, Filesize, MetadataHashValue, NewTimestamp, OpenFlags,
    PathFlags,
};
use wasip2::io::error::Error;
use wasip2::io::streams::{InputStream, OutputStream};

/// The `descriptor-flags` names, by bit.
pub const DESCRIPTOR_FLAGS: [&str; 6] = [
    "read",
    "write",
    "file-integrity-sync",
    "data-integrity-sync",
    "requested-write-sync",
    "mutate-directory",
];
/// The `path-flags` names, by bit.
pub const PATH_FLAGS: [&str; 1] = ["symlink-follow"];
/// The `open-flags` names, by bit.
pub const OPEN_FLAGS: [&str; 4] = ["create", "directory", "exclusive", "truncate"];
/// The `descriptor-type` case names.
pub const DESCRIPTOR_TYPES: [&str; 8] = [
    "unknown",
    "block-device",
    "character-device",
    "directory",
    "fifo",
    "symbolic-link",
    "regular-file",
    "socket",
];
/// The `advice` case names.
pub const ADVICE: [&str; 6] = [
    "normal",
    "sequential",
    "random",
    "will-need",
    "dont-need",
    "no-reuse",
];

/// The names of the set bits of `bits`, by `names`; others as `bit<n>`.
pub fn flag_names(bits: u8, names: &[&str]) -> J {
    J::Arr(
        (0..8)
            .filter(|i| bits & (1 << i) != 0)
            .map(|i| match names.get(i) {
                Some(n) => J::from(*n),
                None => J::from(fmt!("bit{i}")),
            })
            .collect(),
    )
}

pub fn type_name(t: DescriptorType) -> &'static str {
    DESCRIPTOR_TYPES[t as usize]
}

/// A `new-timestamp` as shown: `"no-change"`, `"now"` or
/// `{"seconds":s,"nanoseconds":n}`.
fn timestamp(t: &NewTimestamp) -> J {
    match t {
        NewTimestamp::NoChange => "no-change".into(),
        NewTimestamp::Now => "now".into(),
        NewTimestamp::Timestamp(d) => obj! {"seconds" => d.seconds, "nanoseconds" => d.nanoseconds},
    }
}

/// A stat as shown: the type, and for what is not a directory its size and
/// link count (a directory's depend on the host filesystem).
fn stat_json(s: &DescriptorStat) -> J {
    let ret = obj! {"type" => type_name(s.type_)};
    if s.type_ == DescriptorType::Directory {
        ret
    } else {
        ret.with("size", s.size).with("link-count", s.link_count)
    }
}

fn fs<T>(
    call: &str,
    args: J,
    r: Result<T, ErrorCode>,
    ret: impl FnOnce(&T) -> J,
) -> Result<T, ErrorCode> {
    traced(call, args, r, ErrorCode::name, ret)
}

fn done<T>(_: &T) -> J {
    obj!()
}

/// `preopens.get-directories`: ret `{"preopens":[path,...]}` in the host's
/// order.
pub fn get_directories() -> Vec<(Descriptor, String)> {
    let dirs = preopens::get_directories();
    let paths: Vec<J> = dirs.iter().map(|(_, p)| J::from(p)).collect();
    trace(
        "preopens.get-directories",
        obj!(),
        Ok(obj! {"preopens" => J::Arr(paths)}),
    );
    dirs
}

/// `descriptor.read-via-stream(offset)`.
pub fn read_via_stream(
    d: &Descriptor,
    label: &str,
    offset: Filesize,
) -> Result<InputStream, ErrorCode> {
    fs(
        "descriptor.read-via-stream",
        obj! {"self" => label, "offset" => offset},
        d.read_via_stream(offset),
        done,
    )
}

/// `descriptor.write-via-stream(offset)`.
pub fn write_via_stream(
    d: &Descriptor,
    label: &str,
    offset: Filesize,
) -> Result<OutputStream, ErrorCode> {
    fs(
        "descriptor.write-via-stream",
        obj! {"self" => label, "offset" => offset},
        d.write_via_stream(offset),
        done,
    )
}

/// `descriptor.append-via-stream`.
pub fn append_via_stream(d: &Descriptor, label: &str) -> Result<OutputStream, ErrorCode> {
    fs(
        "descriptor.append-via-stream",
        obj! {"self" => label},
        d.append_via_stream(),
        done,
    )
}

/// `descriptor.advise(offset, length, advice)`.
pub fn advise(
    d: &Descriptor,
    label: &str,
    offset: Filesize,
    length: Filesize,
    advice: Advice,
) -> Result<(), ErrorCode> {
    fs(
        "descriptor.advise",
        obj! {"self" => label, "offset" => offset, "length" => length, "advice" => ADVICE[advice as usize]},
        d.advise(offset, length, advice),
        done,
    )
}

/// `descriptor.sync-data`.
pub fn sync_data(d: &Descriptor, label: &str) -> Result<(), ErrorCode> {
    fs(
        "descriptor.sync-data",
        obj! {"self" => label},
        d.sync_data(),
        done,
    )
}

/// `descriptor.sync`.
pub fn sync(d: &Descriptor, label: &str) -> Result<(), ErrorCode> {
    fs("descriptor.sync", obj! {"self" => label}, d.sync(), done)
}

/// `descriptor.get-flags`: ret `{"flags":[names]}`.
pub fn get_flags(d: &Descriptor, label: &str) -> Result<DescriptorFlags, ErrorCode> {
    fs(
        "descriptor.get-flags",
        obj! {"self" => label},
        d.get_flags(),
        |f| obj! {"flags" => flag_names(f.bits(), &DESCRIPTOR_FLAGS)},
    )
}

/// `descriptor.get-type`: ret `{"type":name}`.
pub fn get_type(d: &Descriptor, label: &str) -> Result<DescriptorType, ErrorCode> {
    fs(
        "descriptor.get-type",
        obj! {"self" => label},
        d.get_type(),
        |t| obj! {"type" => type_name(*t)},
    )
}

/// `descriptor.set-size(size)`.
pub fn set_size(d: &Descriptor, label: &str, size: Filesize) -> Result<(), ErrorCode> {
    fs(
        "descriptor.set-size",
        obj! {"self" => label, "size" => size},
        d.set_size(size),
        done,
    )
}

/// `descriptor.set-times(atim, mtim)`.
pub fn set_times(
    d: &Descriptor,
    label: &str,
    atim: NewTimestamp,
    mtim: NewTimestamp,
) -> Result<(), ErrorCode> {
    fs(
        "descriptor.set-times",
        obj! {"self" => label, "data-access-timestamp" => timestamp(&atim), "data-modification-timestamp" => timestamp(&mtim)},
        d.set_times(atim, mtim),
        done,
    )
}

/// `descriptor.read(length, offset)`: ret `{"nread":n}`, and `"end"` when no
/// byte came back. With bytes, the WIT's end-of-file flag may be set or not
/// ("indicates that the end of the file was reached": one host sets it on a
/// short read at the end, another only on an empty one), so the trace
/// leaves it out and a case that cares checks it (RATIONALE.md, "How does
/// WASI 0.2's filesystem map onto preview1?").
pub fn read(
    d: &Descriptor,
    label: &str,
    length: Filesize,
    offset: Filesize,
) -> Result<(Vec<u8>, bool), ErrorCode> {
    fs(
        "descriptor.read",
        obj! {"self" => label, "length" => length, "offset" => offset},
        d.read(length, offset),
        |(data, end)| match data.is_empty() {
            true => obj! {"nread" => 0, "end" => *end},
            false => obj! {"nread" => data.len()},
        },
    )
}

/// `descriptor.write(buffer, offset)`: args `{"self","len","offset"}`, ret
/// `{"written":n}`.
pub fn write(
    d: &Descriptor,
    label: &str,
    data: &[u8],
    offset: Filesize,
) -> Result<Filesize, ErrorCode> {
    fs(
        "descriptor.write",
        obj! {"self" => label, "len" => data.len(), "offset" => offset},
        d.write(data, offset),
        |n| obj! {"written" => *n},
    )
}

/// `descriptor.read-directory`.
pub fn read_directory(d: &Descriptor, label: &str) -> Result<DirectoryEntryStream, ErrorCode> {
    fs(
        "descriptor.read-directory",
        obj! {"self" => label},
        d.read_directory(),
        done,
    )
}

/// `descriptor.create-directory-at(path)`.
pub fn create_directory_at(d: &Descriptor, label: &str, path: &str) -> Result<(), ErrorCode> {
    fs(
        "descriptor.create-directory-at",
        obj! {"self" => label, "path" => path},
        d.create_directory_at(path),
        done,
    )
}

/// `descriptor.stat`: ret the type, and size and link count of what is not
/// a directory.
pub fn stat(d: &Descriptor, label: &str) -> Result<DescriptorStat, ErrorCode> {
    fs(
        "descriptor.stat",
        obj! {"self" => label},
        d.stat(),
        stat_json,
    )
}

/// `descriptor.stat-at(path-flags, path)`: ret as [`stat`].
pub fn stat_at(
    d: &Descriptor,
    label: &str,
    path_flags: PathFlags,
    path: &str,
) -> Result<DescriptorStat, ErrorCode> {
    fs(
        "descriptor.stat-at",
        obj! {"self" => label, "path-flags" => flag_names(path_flags.bits(), &PATH_FLAGS), "path" => path},
        d.stat_at(path_flags, path),
        stat_json,
    )
}

/// `descriptor.set-times-at(path-flags, path, atim, mtim)`.
pub fn set_times_at(
    d: &Descriptor,
    label: &str,
    path_flags: PathFlags,
    path: &str,
    atim: NewTimestamp,
    mtim: NewTimestamp,
) -> Result<(), ErrorCode> {
    fs(
        "descriptor.set-times-at",
        obj! {
            "self" => label,
            "path-flags" => flag_names(path_flags.bits(), &PATH_FLAGS),
            "path" => path,
            "data-access-timestamp" => timestamp(&atim),
            "data-modification-timestamp" => timestamp(&mtim),
        },
        d.set_times_at(path_flags, path, atim, mtim),
        done,
    )
}

/// `descriptor.link-at(old-path-flags, old-path, new-descriptor, new-path)`.
pub fn link_at(
    d: &Descriptor,
    label: &str,
    old_path_flags: PathFlags,
    old_path: &str,
    new: &Descriptor,
    new_label: &str,
    new_path: &str,
) -> Result<(), ErrorCode> {
    fs(
        "descriptor.link-at",
        obj! {
            "self" => label,
            "old-path-flags" => flag_names(old_path_flags.bits(), &PATH_FLAGS),
            "old-path" => old_path,
            "new-descriptor" => new_label,
            "new-path" => new_path,
        },
        d.link_at(old_path_flags, old_path, new, new_path),
        done,
    )
}

/// `descriptor.open-at(path-flags, path, open-flags, flags)`.
pub fn open_at(
    d: &Descriptor,
    label: &str,
    path_flags: PathFlags,
    path: &str,
    open_flags: OpenFlags,
    flags: DescriptorFlags,
) -> Result<Descriptor, ErrorCode> {
    fs(
        "descriptor.open-at",
        obj! {
            "self" => label,
            "path-flags" => flag_names(path_flags.bits(), &PATH_FLAGS),
            "path" => path,
            "open-flags" => flag_names(open_flags.bits(), &OPEN_FLAGS),
            "flags" => flag_names(flags.bits(), &DESCRIPTOR_FLAGS),
        },
        d.open_at(path_flags, path, open_flags, flags),
        done,
    )
}

/// `descriptor.readlink-at(path)`: ret `{"target":string}`.
pub fn readlink_at(d: &Descriptor, label: &str, path: &str) -> Result<String, ErrorCode> {
    fs(
        "descriptor.readlink-at",
        obj! {"self" => label, "path" => path},
        d.readlink_at(path),
        |t| obj! {"target" => t},
    )
}

/// `descriptor.remove-directory-at(path)`.
pub fn remove_directory_at(d: &Descriptor, label: &str, path: &str) -> Result<(), ErrorCode> {
    fs(
        "descriptor.remove-directory-at",
        obj! {"self" => label, "path" => path},
        d.remove_directory_at(path),
        done,
    )
}

/// `descriptor.rename-at(old-path, new-descriptor, new-path)`.
pub fn rename_at(
    d: &Descriptor,
    label: &str,
    old_path: &str,
    new: &Descriptor,
    new_label: &str,
    new_path: &str,
) -> Result<(), ErrorCode> {
    fs(
        "descriptor.rename-at",
        obj! {"self" => label, "old-path" => old_path, "new-descriptor" => new_label, "new-path" => new_path},
        d.rename_at(old_path, new, new_path),
        done,
    )
}

/// `descriptor.symlink-at(old-path, new-path)`.
pub fn symlink_at(
    d: &Descriptor,
    label: &str,
    old_path: &str,
    new_path: &str,
) -> Result<(), ErrorCode> {
    fs(
        "descriptor.symlink-at",
        obj! {"self" => label, "old-path" => old_path, "new-path" => new_path},
        d.symlink_at(old_path, new_path),
        done,
    )
}

/// `descriptor.unlink-file-at(path)`.
pub fn unlink_file_at(d: &Descriptor, label: &str, path: &str) -> Result<(), ErrorCode> {
    fs(
        "descriptor.unlink-file-at",
        obj! {"self" => label, "path" => path},
        d.unlink_file_at(path),
        done,
    )
}

/// `descriptor.is-same-object(other)`: ret `{"same":bool}`.
pub fn is_same_object(d: &Descriptor, label: &str, other: &Descriptor, other_label: &str) -> bool {
    let same = d.is_same_object(other);
    trace(
        "descriptor.is-same-object",
        obj! {"self" => label, "other" => other_label},
        Ok(obj! {"same" => same}),
    );
    same
}

/// `descriptor.metadata-hash`: ret `{}` (the value is the host's).
pub fn metadata_hash(d: &Descriptor, label: &str) -> Result<MetadataHashValue, ErrorCode> {
    fs(
        "descriptor.metadata-hash",
        obj! {"self" => label},
        d.metadata_hash(),
        done,
    )
}

/// `descriptor.metadata-hash-at(path-flags, path)`: ret `{}`.
pub fn metadata_hash_at(
    d: &Descriptor,
    label: &str,
    path_flags: PathFlags,
    path: &str,
) -> Result<MetadataHashValue, ErrorCode> {
    fs(
        "descriptor.metadata-hash-at",
        obj! {"self" => label, "path-flags" => flag_names(path_flags.bits(), &PATH_FLAGS), "path" => path},
        d.metadata_hash_at(path_flags, path),
        done,
    )
}

fn entry_json(e: &DirectoryEntry) -> J {
    obj! {"name" => &e.name, "type" => type_name(e.type_)}
}

/// `directory-entry-stream.read-directory-entry`: ret `{"entry":{"name",
/// "type"}}`, or `{"entry":null}` at the end.
pub fn read_directory_entry(
    s: &DirectoryEntryStream,
    label: &str,
) -> Result<Option<DirectoryEntry>, ErrorCode> {
    fs(
        "directory-entry-stream.read-directory-entry",
        obj! {"self" => label},
        s.read_directory_entry(),
        |e| obj! {"entry" => e.as_ref().map(entry_json)},
    )
}

/// `read-directory-entry` until the end (or an error), as one trace line:
/// args `{"self":label,"until":"end"}`, ret `{"entries":[...]}` **sorted
/// by name** (the order is the host's). Returns the entries in the host's
/// order.
pub fn read_directory_entries(
    s: &DirectoryEntryStream,
    label: &str,
) -> Result<Vec<DirectoryEntry>, ErrorCode> {
    let mut entries = Vec::new();
    let r = loop {
        match s.read_directory_entry() {
            Ok(Some(e)) => entries.push(e),
            Ok(None) => break Ok(entries),
            Err(e) => break Err(e),
        }
    };
    fs(
        "directory-entry-stream.read-directory-entry",
        obj! {"self" => label, "until" => "end"},
        r,
        |entries| {
            let mut sorted: Vec<&DirectoryEntry> = entries.iter().collect();
            sorted.sort_by(|a, b| a.name.cmp(&b.name));
            obj! {"entries" => J::Arr(sorted.into_iter().map(entry_json).collect())}
        },
    )
}

/// `types.filesystem-error-code(err)`: args `{"err":label}`, ret
/// `{"code":name|null}`.
pub fn filesystem_error_code(e: &Error, label: &str) -> Option<ErrorCode> {
    let code = types::filesystem_error_code(e);
    trace(
        "types.filesystem-error-code",
        obj! {"err" => label},
        Ok(obj! {"code" => code.map(|c| c.name())}),
    );
    code
}

//! fs <scenario>: `wasi:filesystem@0.3.0` on the first preopen. Results the
//! text fixes are checks; the others are printed (`NAME: RESULT`), so that
//! runtimes can be compared by their output. The error paths that only POSIX
//! or the host decides are in `fs_errors`.
use guest_support::{check, check_detail, fmt};
use guests_p3::Stop;
use guests_p3::wasi::clocks::system_clock::Instant;
use guests_p3::wasi::filesystem::preopens;
use guests_p3::wasi::filesystem::types::{
    Advice, Descriptor, DescriptorFlags, DescriptorType, ErrorCode, NewTimestamp, OpenFlags,
    PathFlags,
};
use guests_p3::wit_stream;
use std::fmt::Debug;

guests_p3::scenario_command!(scenario);

/// Opens `path` under `dir` for reading and writing, `create`d if asked.
async fn open(dir: &Descriptor, path: &str, create: bool) -> Result<Descriptor, ErrorCode> {
    let oflags = if create {
        OpenFlags::CREATE
    } else {
        OpenFlags::empty()
    };
    open_with(
        dir,
        path,
        oflags,
        DescriptorFlags::READ | DescriptorFlags::WRITE,
    )
    .await
}

/// Opens `path` under `dir` with `oflags` and `flags`, a final symlink not
/// followed.
async fn open_with(
    dir: &Descriptor,
    path: &str,
    oflags: OpenFlags,
    flags: DescriptorFlags,
) -> Result<Descriptor, ErrorCode> {
    dir.open_at(PathFlags::empty(), path.to_string(), oflags, flags)
        .await
}

/// [`open`] for a step a scenario needs first: failing, it stops the scenario.
async fn set_up(dir: &Descriptor, path: &str, create: bool) -> Result<Descriptor, Stop> {
    open(dir, path, create)
        .await
        .map_err(|e| Stop::Setup(fmt!("cannot open {path}: {e:?}")))
}

/// The directory `path` under `dir`, opened for reading (`mutate` adds
/// `mutate-directory`), for a step a scenario needs first.
async fn set_up_dir(dir: &Descriptor, path: &str, mutate: bool) -> Result<Descriptor, Stop> {
    let flags = if mutate {
        DescriptorFlags::READ | DescriptorFlags::MUTATE_DIRECTORY
    } else {
        DescriptorFlags::READ
    };
    open_with(dir, path, OpenFlags::DIRECTORY, flags)
        .await
        .map_err(|e| Stop::Setup(fmt!("cannot open directory {path}: {e:?}")))
}

/// The file `path` under `dir`, opened read-only, for a step a scenario
/// needs first.
async fn set_up_read_only(dir: &Descriptor, path: &str) -> Result<Descriptor, Stop> {
    open_with(dir, path, OpenFlags::empty(), DescriptorFlags::READ)
        .await
        .map_err(|e| Stop::Setup(fmt!("cannot open {path} read-only: {e:?}")))
}

/// A step a scenario needs first that returns nothing (a directory or a
/// link to make): failing, it stops the scenario.
fn need(what: &str, result: Result<(), ErrorCode>) -> Result<(), Stop> {
    result.map_err(|e| Stop::Setup(fmt!("{what}: {e:?}")))
}

/// Sends `data` through `write-via-stream` at `offset`, or through
/// `append-via-stream` when `offset` is `None`: whether the host took every
/// byte, and how the call's future resolved.
async fn send(
    file: &Descriptor,
    data: &[u8],
    offset: Option<u64>,
) -> (bool, Result<(), ErrorCode>) {
    let (mut tx, rx) = wit_stream::new();
    let done = match offset {
        Some(offset) => file.write_via_stream(rx, offset),
        None => file.append_via_stream(rx),
    };
    let rest = tx.write_all(data.to_vec()).await;
    drop(tx);
    (rest.is_empty(), done.await)
}

/// Writes `data` at `offset` through `write-via-stream`.
async fn write(file: &Descriptor, data: &[u8], offset: u64) -> Result<(), ErrorCode> {
    let (taken, done) = send(file, data, Some(offset)).await;
    check("write-via-stream takes every byte", taken);
    done
}

/// Appends `data` through `append-via-stream`.
async fn append(file: &Descriptor, data: &[u8]) -> Result<(), ErrorCode> {
    let (taken, done) = send(file, data, None).await;
    check("append-via-stream takes every byte", taken);
    done
}

/// Everything from `offset` on, through `read-via-stream`.
async fn read(file: &Descriptor, offset: u64) -> Result<Vec<u8>, ErrorCode> {
    let (rx, done) = file.read_via_stream(offset);
    let data = rx.collect().await;
    done.await.map(|()| data)
}

/// [`read`] as text, to print.
async fn read_text(file: &Descriptor, offset: u64) -> Result<String, ErrorCode> {
    read(file, offset)
        .await
        .map(|data| String::from_utf8_lossy(&data).into_owned())
}

/// The entries `read-directory` streams, sorted by name (the text fixes no
/// order), and how its future resolved.
async fn entries(dir: &Descriptor) -> (Vec<(String, DescriptorType)>, Result<(), ErrorCode>) {
    let (stream, done) = dir.read_directory();
    let mut entries: Vec<(String, DescriptorType)> = stream
        .collect()
        .await
        .into_iter()
        .map(|e| (e.name, e.type_))
        .collect();
    let done = done.await;
    entries.sort_by(|x, y| x.0.cmp(&y.0));
    (entries, done)
}

/// The `stat-at` of `path` under `dir`, a final symlink followed if `follow`.
async fn stat_at(
    dir: &Descriptor,
    follow: bool,
    path: &str,
) -> Result<guests_p3::wasi::filesystem::types::DescriptorStat, ErrorCode> {
    let flags = if follow {
        PathFlags::SYMLINK_FOLLOW
    } else {
        PathFlags::empty()
    };
    dir.stat_at(flags, path.to_string()).await
}

/// The type `stat-at` gives `path` (see [`stat_at`]).
async fn type_at(dir: &Descriptor, follow: bool, path: &str) -> Result<DescriptorType, ErrorCode> {
    stat_at(dir, follow, path).await.map(|s| s.type_)
}

/// The size `stat-at` gives `path` (see [`stat_at`]).
async fn size_at(dir: &Descriptor, follow: bool, path: &str) -> Result<u64, ErrorCode> {
    stat_at(dir, follow, path).await.map(|s| s.size)
}

/// An instant `seconds` after the epoch.
fn instant(seconds: i64) -> Instant {
    Instant {
        seconds,
        nanoseconds: 0,
    }
}

/// A timestamp as `stat` reports it equals `want`, or the platform keeps
/// none (`None`: "the platform doesn't maintain" it).
fn kept(got: Option<Instant>, want: Instant) -> bool {
    got.is_none_or(|got| got == want)
}

/// Prints `NAME: RESULT`, for a result the text leaves to POSIX or the host.
fn show(name: &str, result: impl Debug) {
    println!("{name}: {result:?}");
}

/// `result` is one of `allowed`; its name is printed either way.
fn one_of(name: &str, result: Result<(), ErrorCode>, allowed: &[ErrorCode]) {
    let ok = matches!(&result, Err(code) if allowed.contains(code));
    check_detail(name, ok, Some(&fmt!("{result:?}")));
}

/// The error-code the sandbox rule gives a path that starts with `/` or
/// leaves the base directory.
const NOT_PERMITTED: [ErrorCode; 1] = [ErrorCode::NotPermitted];

async fn scenario(name: &str) -> Result<(), Stop> {
    let preopens = preopens::get_directories();
    let (dir, _) = preopens
        .first()
        .ok_or_else(|| Stop::Setup("no preopen".into()))?;
    match name {
        "preopen-type" => {
            check(
                "the preopen is a directory",
                dir.get_type().await == Ok(DescriptorType::Directory),
            );
        }
        "absolute-path" => {
            one_of(
                "stat-at of an absolute path",
                dir.stat_at(PathFlags::empty(), "/etc".into())
                    .await
                    .map(drop),
                &NOT_PERMITTED,
            );
        }
        "dotdot-escape" => {
            one_of(
                "open-at of ..",
                open(dir, "..", false).await.map(drop),
                &NOT_PERMITTED,
            );
            check(
                "create-directory-at a",
                dir.create_directory_at("a".into()).await.is_ok(),
            );
            one_of(
                "create-directory-at a/../../x",
                dir.create_directory_at("a/../../x".into()).await,
                &NOT_PERMITTED,
            );
        }
        "symlink-absolute" => {
            one_of(
                "symlink-at to /etc/passwd",
                dir.symlink_at("/etc/passwd".into(), "l".into()).await,
                &NOT_PERMITTED,
            );
        }
        "rmdir-not-empty" => {
            check(
                "create-directory-at d",
                dir.create_directory_at("d".into()).await.is_ok(),
            );
            check("create d/f", open(dir, "d/f", true).await.is_ok());
            one_of(
                "remove-directory-at of a non-empty directory",
                dir.remove_directory_at("d".into()).await,
                &[ErrorCode::NotEmpty],
            );
        }
        "link-errors" => {
            check("create f", open(dir, "f", true).await.is_ok());
            check("create g", open(dir, "g", true).await.is_ok());
            check(
                "create-directory-at d",
                dir.create_directory_at("d".into()).await.is_ok(),
            );
            let link = |old: &'static str, new: &'static str| {
                dir.link_at(PathFlags::empty(), old.into(), dir, new.into())
            };
            one_of(
                "link-at of a missing old path",
                link("missing", "n").await,
                &[ErrorCode::NoEntry],
            );
            one_of(
                "link-at onto an existing new path",
                link("f", "g").await,
                &[ErrorCode::Exist],
            );
            one_of(
                "link-at of a directory",
                link("d", "n").await,
                &[ErrorCode::NotPermitted],
            );
        }
        "unlink-directory" => {
            check(
                "create-directory-at d",
                dir.create_directory_at("d".into()).await.is_ok(),
            );
            one_of(
                "unlink-file-at of a directory",
                dir.unlink_file_at("d".into()).await,
                &[
                    ErrorCode::NotPermitted,
                    ErrorCode::Access,
                    ErrorCode::IsDirectory,
                ],
            );
        }
        "write-read" => {
            let file = set_up(dir, "f", true).await?;
            check(
                "write-via-stream of 11 bytes",
                write(&file, b"hello world", 0).await.is_ok(),
            );
            check(
                "write-via-stream at offset 6",
                write(&file, b"WASI!", 6).await.is_ok(),
            );
            let data = read(&file, 0).await;
            check_detail(
                "read-via-stream reads back what was written",
                data.as_deref() == Ok(b"hello WASI!"),
                Some(&fmt!("{data:?}")),
            );
            let tail = read(&file, 6).await;
            check(
                "read-via-stream from offset 6",
                tail.as_deref() == Ok(b"WASI!"),
            );
            let size = file.stat().await.map(|s| s.size);
            check_detail("stat size is 11", size == Ok(11), Some(&fmt!("{size:?}")));
        }
        "write-past-end" => {
            let file = set_up(dir, "f", true).await?;
            check(
                "write-via-stream of 2 bytes",
                write(&file, b"ab", 0).await.is_ok(),
            );
            check(
                "write-via-stream at offset 5",
                write(&file, b"z", 5).await.is_ok(),
            );
            let data = read(&file, 0).await;
            check_detail(
                "the gap reads as zeros",
                data.as_deref() == Ok(b"ab\0\0\0z"),
                Some(&fmt!("{data:?}")),
            );
        }
        "set-size" => {
            let file = set_up(dir, "f", true).await?;
            check(
                "write-via-stream of 3 bytes",
                write(&file, b"abc", 0).await.is_ok(),
            );
            check("set-size 6", file.set_size(6).await.is_ok());
            let grown = read(&file, 0).await;
            check_detail(
                "growing fills with zeros",
                grown.as_deref() == Ok(b"abc\0\0\0"),
                Some(&fmt!("{grown:?}")),
            );
            check("set-size 1", file.set_size(1).await.is_ok());
            let shrunk = read(&file, 0).await;
            check("shrinking keeps the start", shrunk.as_deref() == Ok(b"a"));
        }
        "append" => {
            let file = set_up(dir, "f", true).await?;
            check(
                "write-via-stream of 2 bytes",
                write(&file, b"ab", 0).await.is_ok(),
            );
            check(
                "append-via-stream ends ok",
                append(&file, b"cd").await.is_ok(),
            );
            let data = read(&file, 0).await;
            check_detail(
                "appended at the end",
                data.as_deref() == Ok(b"abcd"),
                Some(&fmt!("{data:?}")),
            );
        }
        "readlink-absolute" => {
            let target = dir.readlink_at("out-abs".into()).await.map(drop);
            one_of(
                "readlink-at of a symlink to an absolute path",
                target,
                &NOT_PERMITTED,
            );
        }
        "symlink-escape" => {
            one_of(
                "open-at following a symlink to ../canary.txt",
                dir.open_at(
                    PathFlags::SYMLINK_FOLLOW,
                    "out-file".into(),
                    OpenFlags::empty(),
                    DescriptorFlags::READ,
                )
                .await
                .map(drop),
                &NOT_PERMITTED,
            );
            one_of(
                "stat-at following a symlink to /etc/hostname",
                dir.stat_at(PathFlags::SYMLINK_FOLLOW, "out-abs".into())
                    .await
                    .map(drop),
                &NOT_PERMITTED,
            );
        }
        "stat-symlink" => {
            check("create a.txt", open(dir, "a.txt", true).await.is_ok());
            check(
                "symlink-at l -> a.txt",
                dir.symlink_at("a.txt".into(), "l".into()).await.is_ok(),
            );
            let plain = dir
                .stat_at(PathFlags::empty(), "l".into())
                .await
                .map(|s| s.type_);
            check_detail(
                "stat-at without symlink-follow sees the link",
                plain == Ok(DescriptorType::SymbolicLink),
                Some(&fmt!("{plain:?}")),
            );
            let followed = dir
                .stat_at(PathFlags::SYMLINK_FOLLOW, "l".into())
                .await
                .map(|s| s.type_);
            check_detail(
                "stat-at with symlink-follow sees the file",
                followed == Ok(DescriptorType::RegularFile),
                Some(&fmt!("{followed:?}")),
            );
        }
        "posix-errors" => {
            // Similar to POSIX: printed, not checked.
            println!(
                "open-at missing: {:?}",
                open(dir, "missing", false).await.map(drop)
            );
            check(
                "create-directory-at d",
                dir.create_directory_at("d".into()).await.is_ok(),
            );
            println!(
                "create-directory-at d again: {:?}",
                dir.create_directory_at("d".into()).await
            );
            println!(
                "remove-directory-at missing: {:?}",
                dir.remove_directory_at("missing".into()).await
            );
            println!(
                "unlink-file-at missing: {:?}",
                dir.unlink_file_at("missing".into()).await
            );
            println!(
                "rename-at missing: {:?}",
                dir.rename_at("missing".into(), dir, "n".into()).await
            );
        }
        "rename" => {
            check("create a.txt", open(dir, "a.txt", true).await.is_ok());
            check(
                "rename-at a.txt b.txt",
                dir.rename_at("a.txt".into(), dir, "b.txt".into())
                    .await
                    .is_ok(),
            );
            let old = dir
                .stat_at(PathFlags::empty(), "a.txt".into())
                .await
                .map(drop);
            check("the old name is gone", old == Err(ErrorCode::NoEntry));
            let new = dir
                .stat_at(PathFlags::empty(), "b.txt".into())
                .await
                .map(|s| s.type_);
            check(
                "the new name is the file",
                new == Ok(DescriptorType::RegularFile),
            );
        }
        "readlink" => {
            check(
                "symlink-at l -> sub/a.txt",
                dir.symlink_at("sub/a.txt".into(), "l".into()).await.is_ok(),
            );
            let target = dir.readlink_at("l".into()).await;
            check_detail(
                "readlink-at returns the link's contents",
                target.as_deref() == Ok("sub/a.txt"),
                Some(&fmt!("{target:?}")),
            );
        }
        "set-times" => {
            let file = set_up(dir, "f", true).await?;
            let when = Instant {
                seconds: 1_000_000_000,
                nanoseconds: 0,
            };
            let set = file
                .set_times(NewTimestamp::NoChange, NewTimestamp::Timestamp(when))
                .await;
            check_detail(
                "set-times of the modification time",
                set.is_ok(),
                Some(&fmt!("{set:?}")),
            );
            let mtime = file.stat().await.map(|s| s.data_modification_timestamp);
            check_detail(
                "stat shows the time set",
                mtime == Ok(Some(when)),
                Some(&fmt!("{mtime:?}")),
            );
        }
        "open-flags" => {
            // Similar to POSIX openat: printed, not checked.
            check(
                "write f",
                async { write(&open(dir, "f", true).await?, b"data", 0).await }
                    .await
                    .is_ok(),
            );
            let open_with = |oflags: OpenFlags| {
                dir.open_at(
                    PathFlags::empty(),
                    "f".into(),
                    oflags,
                    DescriptorFlags::READ | DescriptorFlags::WRITE,
                )
            };
            println!(
                "directory flag on a file: {:?}",
                open_with(OpenFlags::DIRECTORY).await.map(drop)
            );
            println!(
                "create|exclusive on an existing file: {:?}",
                open_with(OpenFlags::CREATE | OpenFlags::EXCLUSIVE)
                    .await
                    .map(drop)
            );
            let truncated = open_with(OpenFlags::TRUNCATE).await;
            println!("truncate: {:?}", truncated.as_ref().map(drop));
            if let Ok(file) = truncated {
                println!(
                    "size after truncate: {:?}",
                    file.stat().await.map(|s| s.size)
                );
            }
            let read_only = dir
                .open_at(
                    PathFlags::empty(),
                    "f".into(),
                    OpenFlags::empty(),
                    DescriptorFlags::READ,
                )
                .await;
            if let Ok(file) = read_only {
                println!(
                    "get-flags of a read-only open: {:?}",
                    file.get_flags().await
                );
            }
        }
        "read-directory" => {
            for name in ["b", "a", "c"] {
                check("create a file", open(dir, name, true).await.is_ok());
            }
            check(
                "create-directory-at sub",
                dir.create_directory_at("sub".into()).await.is_ok(),
            );
            let (entries, done) = entries(dir).await;
            check("read-directory's future resolves ok", done.is_ok());
            // The text says nothing of `.` and `..` or the order: print sorted.
            for (name, kind) in &entries {
                println!("{name}: {kind:?}");
            }
        }
        "same-object" => {
            let a = set_up(dir, "f", true).await?;
            let b = set_up(dir, "f", false).await?;
            let c = set_up(dir, "g", true).await?;
            check(
                "two descriptors of one file are the same object",
                a.is_same_object(&b).await,
            );
            check(
                "descriptors of two files are not",
                !a.is_same_object(&c).await,
            );
        }
        "metadata-hash" => {
            let file = set_up(dir, "f", true).await?;
            let first = file.metadata_hash().await;
            check(
                "metadata-hash twice is the same",
                first.is_ok() && file.metadata_hash().await == first,
            );
            let at = dir.metadata_hash_at(PathFlags::empty(), "f".into()).await;
            check(
                "metadata-hash-at of the same file is its metadata-hash",
                at == first,
            );
        }
        // read-via-stream and append-via-stream (fixture `tree`: a.txt
        // holds "hello\n").
        "read-concurrent" => {
            let file = set_up_read_only(dir, "a.txt").await?;
            let (mut first, first_done) = file.read_via_stream(0);
            let (second, second_done) = file.read_via_stream(2);
            let (_, mut head) = first.read(Vec::with_capacity(2)).await;
            let tail = second.collect().await;
            check(
                "the stream from offset 2 reads to the end",
                tail == b"llo\n",
            );
            check(
                "the stream from offset 2 ends ok",
                second_done.await.is_ok(),
            );
            head.extend(first.collect().await);
            check_detail(
                "the stream from offset 0, read around it, reads the whole file",
                head == b"hello\n",
                Some(&fmt!("{head:?}")),
            );
            check("the stream from offset 0 ends ok", first_done.await.is_ok());
        }
        "read-past-end" => {
            let file = set_up_read_only(dir, "a.txt").await?;
            // Similar to pread: at and past the end there is nothing to read.
            for offset in [6, 7, 4096] {
                show(
                    &fmt!("read-via-stream from {offset}"),
                    read_text(&file, offset).await,
                );
            }
        }
        "append-after-gap" => {
            let file = set_up(dir, "f", true).await?;
            check("write ab at 0", write(&file, b"ab", 0).await.is_ok());
            check("write z at 4", write(&file, b"z", 4).await.is_ok());
            show("append-via-stream c", append(&file, b"c").await);
            show("append-via-stream d", append(&file, b"d").await);
            show("contents", read_text(&file, 0).await);
        }
        "write-empty" => {
            let file = set_up(dir, "f", true).await?;
            check("write ab at 0", write(&file, b"ab", 0).await.is_ok());
            // Whether a write of nothing past the end extends the file, the
            // text leaves open ("extended to the extent of the write").
            show(
                "write-via-stream of no bytes at 10",
                write(&file, b"", 10).await,
            );
            show("size", file.stat().await.map(|s| s.size));
        }
        // advise (fixture `tree`): similar to posix_fadvise, which accepts
        // any range.
        "advise" => {
            let file = set_up_read_only(dir, "a.txt").await?;
            for advice in [
                Advice::Normal,
                Advice::Sequential,
                Advice::Random,
                Advice::WillNeed,
                Advice::DontNeed,
                Advice::NoReuse,
            ] {
                show(
                    &fmt!("advise 0 6 {advice:?}"),
                    file.advise(0, 6, advice).await,
                );
            }
        }
        "advise-ranges" => {
            let file = set_up_read_only(dir, "a.txt").await?;
            for (offset, length) in [(0, 0), (6, 0), (6, 100), (4096, 4096), (2, u64::MAX)] {
                show(
                    &fmt!("advise {offset} {length} Normal"),
                    file.advise(offset, length, Advice::Normal).await,
                );
            }
        }
        // sync-data and sync.
        "sync-data" => {
            let file = set_up(dir, "f", true).await?;
            check("write data", write(&file, b"data", 0).await.is_ok());
            let synced = file.sync_data().await;
            check_detail(
                "sync-data of a written file",
                synced.is_ok(),
                Some(&fmt!("{synced:?}")),
            );
        }
        "sync" => {
            let file = set_up(dir, "f", true).await?;
            check("write data", write(&file, b"data", 0).await.is_ok());
            check("set-size 2", file.set_size(2).await.is_ok());
            let synced = file.sync().await;
            check_detail(
                "sync of a written file",
                synced.is_ok(),
                Some(&fmt!("{synced:?}")),
            );
        }
        "sync-read-only" => {
            let file = set_up_read_only(dir, "a.txt").await?;
            let data = file.sync_data().await;
            check_detail(
                "sync-data of a read-only file succeeds",
                data.is_ok(),
                Some(&fmt!("{data:?}")),
            );
            let all = file.sync().await;
            check_detail(
                "sync of a read-only file succeeds",
                all.is_ok(),
                Some(&fmt!("{all:?}")),
            );
        }
        "sync-directory" => {
            let sub = set_up_dir(dir, "dir", false).await?;
            for (which, d) in [("the preopen", dir), ("a directory opened read-only", &sub)] {
                let data = d.sync_data().await;
                check_detail(
                    &fmt!("sync-data of {which} succeeds"),
                    data.is_ok(),
                    Some(&fmt!("{data:?}")),
                );
                let all = d.sync().await;
                check_detail(
                    &fmt!("sync of {which} succeeds"),
                    all.is_ok(),
                    Some(&fmt!("{all:?}")),
                );
            }
        }
        // get-flags and get-type.
        "get-flags" => {
            check("create f", open(dir, "f", true).await.is_ok());
            // Similar to fcntl F_GETFL: printed.
            for (label, flags) in [
                ("read|write", DescriptorFlags::READ | DescriptorFlags::WRITE),
                ("write", DescriptorFlags::WRITE),
                ("read", DescriptorFlags::READ),
            ] {
                match open_with(dir, "f", OpenFlags::empty(), flags).await {
                    Ok(file) => show(&fmt!("get-flags of a {label} open"), file.get_flags().await),
                    Err(e) => show(&fmt!("open-at {label}"), Err::<(), _>(e)),
                }
            }
        }
        "get-flags-directory" => {
            // The preopen's flags are the host's; a directory opened for
            // reading has read (wasi-testsuite filesystem-flags-and-type).
            show("get-flags of the preopen", dir.get_flags().await);
            let sub = set_up_dir(dir, "dir", false).await?;
            show(
                "get-flags of a directory opened read",
                sub.get_flags().await,
            );
        }
        "get-type" => {
            let file = set_up_read_only(dir, "a.txt").await?;
            let sub = set_up_dir(dir, "dir", false).await?;
            for (path, d) in [("a.txt", &file), ("dir", &sub)] {
                let kind = d.get_type().await;
                let stat = d.stat().await.map(|s| s.type_);
                let at = type_at(dir, false, path).await;
                check_detail(
                    &fmt!("get-type of {path} is stat's type"),
                    kind.is_ok() && kind == stat,
                    Some(&fmt!("{kind:?} {stat:?}")),
                );
                check_detail(
                    &fmt!("get-type of {path} is stat-at's type"),
                    kind == at,
                    Some(&fmt!("{kind:?} {at:?}")),
                );
                show(&fmt!("get-type of {path}"), kind);
            }
        }
        "get-type-follow" => {
            let follow = |path: &str, oflags| {
                dir.open_at(
                    PathFlags::SYMLINK_FOLLOW,
                    path.to_string(),
                    oflags,
                    DescriptorFlags::READ,
                )
            };
            let file = follow("link-a", OpenFlags::empty()).await;
            match &file {
                Ok(file) => {
                    check(
                        "open-at link-a following it opens the file",
                        file.get_type().await == Ok(DescriptorType::RegularFile),
                    );
                    check(
                        "which reads as a.txt",
                        read(file, 0).await.as_deref() == Ok(b"hello\n"),
                    );
                }
                Err(e) => {
                    check_detail(
                        "open-at link-a with symlink-follow",
                        false,
                        Some(&fmt!("{e:?}")),
                    );
                }
            }
            let sub = follow("link-dir", OpenFlags::DIRECTORY).await;
            let kind = match &sub {
                Ok(sub) => sub.get_type().await,
                Err(e) => Err(e.clone()),
            };
            check_detail(
                "open-at link-dir following it opens the directory",
                kind == Ok(DescriptorType::Directory),
                Some(&fmt!("{kind:?}")),
            );
        }
        // set-times and set-times-at.
        "set-times-no-change" => {
            let file = set_up(dir, "f", true).await?;
            let (t1, t2, t3) = (
                instant(1_000_000_000),
                instant(1_100_000_000),
                instant(1_200_000_000),
            );
            check(
                "set-times of both",
                file.set_times(NewTimestamp::Timestamp(t1), NewTimestamp::Timestamp(t2))
                    .await
                    .is_ok(),
            );
            check(
                "set-times no-change, then a modification time",
                file.set_times(NewTimestamp::NoChange, NewTimestamp::Timestamp(t3))
                    .await
                    .is_ok(),
            );
            let stat = file.stat().await;
            check_detail(
                "no-change left the access time",
                stat.as_ref()
                    .is_ok_and(|s| kept(s.data_access_timestamp, t1)),
                Some(&fmt!("{stat:?}")),
            );
            check(
                "the modification time was set",
                stat.as_ref()
                    .is_ok_and(|s| s.data_modification_timestamp == Some(t3)),
            );
            check(
                "set-times of the access time, no-change",
                file.set_times(NewTimestamp::Timestamp(t2), NewTimestamp::NoChange)
                    .await
                    .is_ok(),
            );
            check(
                "set-times no-change, no-change",
                file.set_times(NewTimestamp::NoChange, NewTimestamp::NoChange)
                    .await
                    .is_ok(),
            );
            let stat = file.stat().await;
            check_detail(
                "the access time is the one set",
                stat.as_ref()
                    .is_ok_and(|s| kept(s.data_access_timestamp, t2)),
                Some(&fmt!("{stat:?}")),
            );
            check(
                "no-change left the modification time",
                stat.as_ref()
                    .is_ok_and(|s| s.data_modification_timestamp == Some(t3)),
            );
        }
        "set-times-now" => {
            let file = set_up(dir, "f", true).await?;
            let old = instant(1_000_000_000);
            check(
                "set-times of both to 2001-09-09",
                file.set_times(NewTimestamp::Timestamp(old), NewTimestamp::Timestamp(old))
                    .await
                    .is_ok(),
            );
            let set = file.set_times(NewTimestamp::Now, NewTimestamp::Now).await;
            check_detail("set-times now, now", set.is_ok(), Some(&fmt!("{set:?}")));
            // Which clock "the system clock associated with the filesystem"
            // is, the text leaves to the host: only that the times moved on
            // from 2001 is checked.
            let stat = file.stat().await;
            let moved = |t: Option<Instant>| t.is_none_or(|t| t.seconds > old.seconds);
            check_detail(
                "the modification time is now, not 2001",
                stat.as_ref().is_ok_and(|s| {
                    s.data_modification_timestamp.is_some() && moved(s.data_modification_timestamp)
                }),
                Some(&fmt!("{stat:?}")),
            );
            check(
                "the access time is now, not 2001",
                stat.as_ref().is_ok_and(|s| moved(s.data_access_timestamp)),
            );
        }
        "set-times-directory" => {
            need(
                "create-directory-at d",
                dir.create_directory_at("d".into()).await,
            )?;
            let sub = set_up_dir(dir, "d", true).await?;
            let (atime, mtime) = (instant(1_000_000_000), instant(1_100_000_000));
            let set = sub
                .set_times(
                    NewTimestamp::Timestamp(atime),
                    NewTimestamp::Timestamp(mtime),
                )
                .await;
            check_detail(
                "set-times of an open directory",
                set.is_ok(),
                Some(&fmt!("{set:?}")),
            );
            let stat = sub.stat().await;
            check_detail(
                "stat shows the times set",
                stat.as_ref().is_ok_and(|s| {
                    kept(s.data_access_timestamp, atime)
                        && s.data_modification_timestamp == Some(mtime)
                }),
                Some(&fmt!("{stat:?}")),
            );
        }
        "set-times-at" => {
            need(
                "create-directory-at d",
                dir.create_directory_at("d".into()).await,
            )?;
            check("create f", open(dir, "f", true).await.is_ok());
            let (atime, mtime) = (instant(1_000_000_000), instant(1_100_000_000));
            for path in ["f", "d"] {
                let set = dir
                    .set_times_at(
                        PathFlags::empty(),
                        path.to_string(),
                        NewTimestamp::Timestamp(atime),
                        NewTimestamp::Timestamp(mtime),
                    )
                    .await;
                check_detail(
                    &fmt!("set-times-at {path}"),
                    set.is_ok(),
                    Some(&fmt!("{set:?}")),
                );
                let stat = stat_at(dir, false, path).await;
                check_detail(
                    &fmt!("stat-at {path} shows the times set"),
                    stat.as_ref().is_ok_and(|s| {
                        kept(s.data_access_timestamp, atime)
                            && s.data_modification_timestamp == Some(mtime)
                    }),
                    Some(&fmt!("{stat:?}")),
                );
            }
        }
        "set-times-at-symlink" => {
            check("create f", open(dir, "f", true).await.is_ok());
            need(
                "symlink-at l -> f",
                dir.symlink_at("f".into(), "l".into()).await,
            )?;
            let set = |flags: PathFlags, seconds: i64| {
                dir.set_times_at(
                    flags,
                    "l".into(),
                    NewTimestamp::NoChange,
                    NewTimestamp::Timestamp(instant(seconds)),
                )
            };
            let mtimes = async || {
                let of = async |follow: bool| {
                    stat_at(dir, follow, "l")
                        .await
                        .map(|s| s.data_modification_timestamp.map(|t| t.seconds))
                };
                (of(false).await, of(true).await)
            };
            // Similar to utimensat with and without AT_SYMLINK_NOFOLLOW:
            // printed.
            show(
                "set-times-at l, not following it, to 1000000000",
                set(PathFlags::empty(), 1_000_000_000).await,
            );
            let (link, file) = mtimes().await;
            show("the link's modification time", link);
            show(
                "f's modification time is 1000000000",
                file.map(|t| t == Some(1_000_000_000)),
            );
            show(
                "set-times-at l, following it, to 1100000000",
                set(PathFlags::SYMLINK_FOLLOW, 1_100_000_000).await,
            );
            let (link, file) = mtimes().await;
            show("the link's modification time", link);
            show("f's modification time", file);
        }
        // read-directory.
        "read-directory-no-dots" => {
            need(
                "create-directory-at e",
                dir.create_directory_at("e".into()).await,
            )?;
            let empty = set_up_dir(dir, "e", false).await?;
            let (listed, done) = entries(&empty).await;
            check("read-directory of e resolves ok", done.is_ok());
            check_detail(
                "an empty directory lists nothing",
                listed.is_empty(),
                Some(&fmt!("{listed:?}")),
            );
            let (listed, done) = entries(dir).await;
            check("read-directory of the preopen resolves ok", done.is_ok());
            check_detail(
                "the preopen lists e, and no . or ..",
                listed == [("e".to_string(), DescriptorType::Directory)],
                Some(&fmt!("{listed:?}")),
            );
        }
        "read-directory-twice" => {
            // fixture `tree`: eight entries.
            let (mut first, first_done) = dir.read_directory();
            let one = first.next().await;
            let (second, second_done) = dir.read_directory();
            let mut all: Vec<String> = second.collect().await.into_iter().map(|e| e.name).collect();
            check("the second stream resolves ok", second_done.await.is_ok());
            let mut rest: Vec<String> = first.collect().await.into_iter().map(|e| e.name).collect();
            check("the first stream resolves ok", first_done.await.is_ok());
            rest.extend(one.map(|e| e.name));
            rest.sort();
            all.sort();
            check_detail(
                "the second stream lists every entry",
                all.len() == 8,
                Some(&fmt!("{all:?}")),
            );
            check_detail(
                "the first stream, read around the second, lists the same entries",
                rest == all,
                Some(&fmt!("{rest:?}")),
            );
            let (third, _) = entries(dir).await;
            check(
                "a third stream starts at the beginning again",
                third.into_iter().map(|e| e.0).collect::<Vec<_>>() == all,
            );
        }
        "read-directory-types" => {
            // fixture `tree`. The type of a symlink's entry, the text leaves
            // open ("the file referred to"); wasi-testsuite expects
            // symbolic-link.
            let (listed, done) = entries(dir).await;
            check("read-directory resolves ok", done.is_ok());
            for (name, kind) in &listed {
                println!("{name}: {kind:?}");
            }
        }
        // create-directory-at, remove-directory-at.
        "mkdir" => {
            let made = dir.create_directory_at("d".into()).await;
            check_detail(
                "create-directory-at d",
                made.is_ok(),
                Some(&fmt!("{made:?}")),
            );
            let nested = dir.create_directory_at("d/e".into()).await;
            check_detail(
                "create-directory-at d/e",
                nested.is_ok(),
                Some(&fmt!("{nested:?}")),
            );
            for path in ["d", "d/e"] {
                check(
                    &fmt!("stat-at {path} is a directory"),
                    type_at(dir, false, path).await == Ok(DescriptorType::Directory),
                );
            }
        }
        "rmdir" => {
            need(
                "create-directory-at d",
                dir.create_directory_at("d".into()).await,
            )?;
            need(
                "create-directory-at d/e",
                dir.create_directory_at("d/e".into()).await,
            )?;
            for path in ["d/e", "d"] {
                let removed = dir.remove_directory_at(path.into()).await;
                check_detail(
                    &fmt!("remove-directory-at {path}"),
                    removed.is_ok(),
                    Some(&fmt!("{removed:?}")),
                );
                check(
                    &fmt!("{path} is gone"),
                    type_at(dir, false, path).await == Err(ErrorCode::NoEntry),
                );
            }
        }
        // stat, stat-at (fixture `tree`).
        "stat-sizes" => {
            let file = set_up_read_only(dir, "a.txt").await?;
            let size = file.stat().await.map(|s| s.size);
            check_detail(
                "stat of a.txt: 6 bytes",
                size == Ok(6),
                Some(&fmt!("{size:?}")),
            );
            for (path, follow, want) in [
                ("a.txt", false, 6),
                ("empty.txt", false, 0),
                ("link-a", false, "a.txt".len() as u64),
                ("dir/up-a", false, "../a.txt".len() as u64),
                ("link-a", true, 6),
            ] {
                let size = size_at(dir, follow, path).await;
                let how = if follow { " following it" } else { "" };
                check_detail(
                    &fmt!("stat-at {path}{how}: {want} bytes"),
                    size == Ok(want),
                    Some(&fmt!("{size:?}")),
                );
            }
        }
        "stat-link-count" => {
            let file = set_up(dir, "f", true).await?;
            let count = async || file.stat().await.map(|s| s.link_count);
            check("a new file has one link", count().await == Ok(1));
            need(
                "link-at f g",
                dir.link_at(PathFlags::empty(), "f".into(), dir, "g".into())
                    .await,
            )?;
            check("after link-at, two", count().await == Ok(2));
            check(
                "stat-at of the new name: two",
                stat_at(dir, false, "g").await.map(|s| s.link_count) == Ok(2),
            );
            need("unlink-file-at g", dir.unlink_file_at("g".into()).await)?;
            check("after unlink-file-at, one again", count().await == Ok(1));
        }
        "stat-follow-chain" => {
            need(
                "symlink-at l2 -> link-a",
                dir.symlink_at("link-a".into(), "l2".into()).await,
            )?;
            let chain = stat_at(dir, true, "l2").await.map(|s| (s.type_, s.size));
            check_detail(
                "stat-at following l2 -> link-a -> a.txt sees a.txt",
                chain == Ok((DescriptorType::RegularFile, 6)),
                Some(&fmt!("{chain:?}")),
            );
            let link = type_at(dir, false, "l2").await;
            check(
                "stat-at of l2 without symlink-follow sees the link",
                link == Ok(DescriptorType::SymbolicLink),
            );
            let to_dir = type_at(dir, true, "link-dir").await;
            check_detail(
                "stat-at following link-dir sees the directory",
                to_dir == Ok(DescriptorType::Directory),
                Some(&fmt!("{to_dir:?}")),
            );
        }
        // link-at.
        "link" => {
            let file = set_up(dir, "f", true).await?;
            check("write data", write(&file, b"data", 0).await.is_ok());
            need(
                "create-directory-at d",
                dir.create_directory_at("d".into()).await,
            )?;
            let sub = set_up_dir(dir, "d", true).await?;
            let linked = dir
                .link_at(PathFlags::empty(), "f".into(), &sub, "g".into())
                .await;
            check_detail(
                "link-at f to g in another directory's descriptor",
                linked.is_ok(),
                Some(&fmt!("{linked:?}")),
            );
            let other = set_up(dir, "d/g", false).await?;
            check(
                "the new name reads the file's data",
                read(&other, 0).await.as_deref() == Ok(b"data"),
            );
            check(
                "the new name is the same object",
                file.is_same_object(&other).await,
            );
        }
        "link-follow" => {
            // fixture `tree`. Similar to linkat with and without
            // AT_SYMLINK_FOLLOW: printed.
            let link = |flags: PathFlags, old: &'static str, new: &'static str| {
                dir.link_at(flags, old.into(), dir, new.into())
            };
            show(
                "link-at link-a h1 following it",
                link(PathFlags::SYMLINK_FOLLOW, "link-a", "h1").await,
            );
            show("h1", type_at(dir, false, "h1").await);
            show(
                "link-at link-a h2",
                link(PathFlags::empty(), "link-a", "h2").await,
            );
            show("h2", type_at(dir, false, "h2").await);
        }
        // open-at (fixture `tree`).
        "open-create" => {
            let made = open_with(
                dir,
                "new",
                OpenFlags::CREATE,
                DescriptorFlags::READ | DescriptorFlags::WRITE,
            )
            .await;
            check_detail(
                "open-at create of a new name",
                made.is_ok(),
                Some(&fmt!("{:?}", made.as_ref().map(drop))),
            );
            let stat = stat_at(dir, false, "new").await.map(|s| (s.type_, s.size));
            check_detail(
                "it is an empty regular file",
                stat == Ok((DescriptorType::RegularFile, 0)),
                Some(&fmt!("{stat:?}")),
            );
            let existing = open_with(
                dir,
                "a.txt",
                OpenFlags::CREATE,
                DescriptorFlags::READ | DescriptorFlags::WRITE,
            )
            .await;
            match existing {
                Ok(file) => {
                    let data = read(&file, 0).await;
                    check_detail(
                        "open-at create of an existing file keeps its data",
                        data.as_deref() == Ok(b"hello\n"),
                        Some(&fmt!("{data:?}")),
                    );
                }
                Err(e) => {
                    check_detail(
                        "open-at create of an existing file",
                        false,
                        Some(&fmt!("{e:?}")),
                    );
                }
            }
        }
        "open-truncate" => {
            let opened = open_with(
                dir,
                "a.txt",
                OpenFlags::TRUNCATE,
                DescriptorFlags::READ | DescriptorFlags::WRITE,
            )
            .await;
            match opened {
                Ok(file) => {
                    let size = file.stat().await.map(|s| s.size);
                    check_detail("the size is 0", size == Ok(0), Some(&fmt!("{size:?}")));
                    let data = read(&file, 0).await;
                    check("nothing reads back", data.as_deref() == Ok(b""));
                }
                Err(e) => {
                    check_detail("open-at truncate of a.txt", false, Some(&fmt!("{e:?}")));
                }
            }
        }
        // readlink-at (fixture `tree`).
        "readlink-fixture" => {
            for (path, want) in [
                ("link-a", "a.txt"),
                ("link-dir", "dir"),
                ("dangling", "missing.txt"),
                ("loop1", "loop2"),
                ("dir/up-a", "../a.txt"),
            ] {
                let target = dir.readlink_at(path.into()).await;
                check_detail(
                    &fmt!("readlink-at {path} is {want}"),
                    target.as_deref() == Ok(want),
                    Some(&fmt!("{target:?}")),
                );
            }
            let sub = set_up_dir(dir, "dir", false).await?;
            let target = sub.readlink_at("up-a".into()).await;
            check_detail(
                "readlink-at up-a from dir's descriptor is ../a.txt",
                target.as_deref() == Ok("../a.txt"),
                Some(&fmt!("{target:?}")),
            );
        }
        // rename-at (fixture `tree`).
        "rename-directory" => {
            let moved = dir.rename_at("dir".into(), dir, "moved".into()).await;
            check_detail(
                "rename-at dir moved",
                moved.is_ok(),
                Some(&fmt!("{moved:?}")),
            );
            check(
                "dir is gone",
                type_at(dir, false, "dir").await == Err(ErrorCode::NoEntry),
            );
            check(
                "its contents moved with it",
                size_at(dir, false, "moved/b.txt").await == Ok(4),
            );
            let sub = set_up_dir(dir, "moved", true).await?;
            let across = dir.rename_at("a.txt".into(), &sub, "a2.txt".into()).await;
            check_detail(
                "rename-at a.txt to a2.txt in another directory's descriptor",
                across.is_ok(),
                Some(&fmt!("{across:?}")),
            );
            check(
                "a.txt is gone",
                type_at(dir, false, "a.txt").await == Err(ErrorCode::NoEntry),
            );
            check(
                "moved/a2.txt is the file",
                size_at(dir, false, "moved/a2.txt").await == Ok(6),
            );
        }
        "rename-over-file" => {
            // Similar to renameat, which replaces an existing file: printed.
            show(
                "rename-at a.txt empty.txt",
                dir.rename_at("a.txt".into(), dir, "empty.txt".into()).await,
            );
            show("a.txt", type_at(dir, false, "a.txt").await);
            show("empty.txt's size", size_at(dir, false, "empty.txt").await);
        }
        // symlink-at, unlink-file-at.
        "symlink-dangling" => {
            let made = dir.symlink_at("nowhere".into(), "l".into()).await;
            check_detail(
                "symlink-at to a missing target",
                made.is_ok(),
                Some(&fmt!("{made:?}")),
            );
            check(
                "stat-at sees a symlink",
                type_at(dir, false, "l").await == Ok(DescriptorType::SymbolicLink),
            );
            let target = dir.readlink_at("l".into()).await;
            check(
                "readlink-at returns its target",
                target.as_deref() == Ok("nowhere"),
            );
        }
        "unlink" => {
            // fixture `tree`.
            for (path, kept_path) in [
                ("link-a", Some(("a.txt", DescriptorType::RegularFile))),
                ("link-dir", Some(("dir", DescriptorType::Directory))),
                ("dangling", None),
                ("a.txt", None),
            ] {
                let removed = dir.unlink_file_at(path.into()).await;
                check_detail(
                    &fmt!("unlink-file-at {path}"),
                    removed.is_ok(),
                    Some(&fmt!("{removed:?}")),
                );
                check(
                    &fmt!("{path} is gone"),
                    type_at(dir, false, path).await == Err(ErrorCode::NoEntry),
                );
                if let Some((target, kind)) = kept_path {
                    check(
                        &fmt!("its target {target} is still there"),
                        type_at(dir, false, target).await == Ok(kind),
                    );
                }
            }
        }
        // is-same-object, metadata-hash, metadata-hash-at.
        "same-object-directory" => {
            // fixture `tree`.
            let here = set_up_dir(dir, ".", false).await?;
            let sub = set_up_dir(dir, "dir", false).await?;
            let via_link = dir
                .open_at(
                    PathFlags::SYMLINK_FOLLOW,
                    "link-dir".into(),
                    OpenFlags::DIRECTORY,
                    DescriptorFlags::READ,
                )
                .await
                .map_err(|e| Stop::Setup(fmt!("cannot open link-dir: {e:?}")))?;
            check(
                "the preopen and . opened from it are the same object",
                dir.is_same_object(&here).await,
            );
            check(
                "the preopen and a subdirectory are not",
                !dir.is_same_object(&sub).await,
            );
            check(
                "dir and link-dir followed are the same object",
                sub.is_same_object(&via_link).await,
            );
        }
        "same-object-link" => {
            let file = set_up(dir, "f", true).await?;
            need(
                "link-at f g",
                dir.link_at(PathFlags::empty(), "f".into(), dir, "g".into())
                    .await,
            )?;
            let linked = set_up(dir, "g", false).await?;
            check(
                "a file and its hard link are the same object",
                file.is_same_object(&linked).await,
            );
            need(
                "rename-at g h",
                dir.rename_at("g".into(), dir, "h".into()).await,
            )?;
            let renamed = set_up(dir, "h", false).await?;
            check(
                "a descriptor opened before a rename and one opened after are the same object",
                linked.is_same_object(&renamed).await,
            );
            check(
                "a file and the directory holding it are not",
                !file.is_same_object(dir).await,
            );
        }
        "metadata-hash-differ" => {
            let f = set_up(dir, "f", true).await?;
            let g = set_up(dir, "g", true).await?;
            check("write f", write(&f, b"a", 0).await.is_ok());
            check("write g", write(&g, b"bb", 0).await.is_ok());
            let (hf, hg, hd) = (
                f.metadata_hash().await,
                g.metadata_hash().await,
                dir.metadata_hash().await,
            );
            check_detail(
                "every metadata-hash succeeds",
                hf.is_ok() && hg.is_ok() && hd.is_ok(),
                Some(&fmt!("{hf:?} {hg:?} {hd:?}")),
            );
            check("two files of different sizes hash differently", hf != hg);
            check("a file and a directory hash differently", hf != hd);
        }
        "metadata-hash-at" => {
            let file = set_up(dir, "f", true).await?;
            need(
                "link-at f g",
                dir.link_at(PathFlags::empty(), "f".into(), dir, "g".into())
                    .await,
            )?;
            need(
                "symlink-at l -> f",
                dir.symlink_at("f".into(), "l".into()).await,
            )?;
            let hash = file.metadata_hash().await;
            check("metadata-hash of f", hash.is_ok());
            let at =
                |flags: PathFlags, path: &'static str| dir.metadata_hash_at(flags, path.into());
            check(
                "metadata-hash-at of its hard link is the same",
                at(PathFlags::empty(), "g").await == hash,
            );
            check(
                "metadata-hash-at of a symlink to it, followed, is the same",
                at(PathFlags::SYMLINK_FOLLOW, "l").await == hash,
            );
            let link = at(PathFlags::empty(), "l").await;
            check(
                "metadata-hash-at of the symlink itself differs",
                link.is_ok() && link != hash,
            );
        }
        other => return Err(Stop::Unknown(other.into())),
    };
    Ok(())
}

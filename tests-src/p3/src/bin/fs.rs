//! fs <scenario>: `wasi:filesystem@0.3.0` on the first preopen. Results the
//! text fixes are checks; the others are printed (`NAME: RESULT`), so that
//! runtimes can be compared by their output.
use guest_support::{check, check_detail, fmt};
use guests_p3::Stop;
use guests_p3::wasi::clocks::system_clock::Instant;
use guests_p3::wasi::filesystem::preopens;
use guests_p3::wasi::filesystem::types::{
    Descriptor, DescriptorFlags, DescriptorType, ErrorCode, NewTimestamp, OpenFlags, PathFlags,
};
use guests_p3::wit_stream;

guests_p3::scenario_command!(scenario);

/// Opens `path` under `dir` for reading and writing, `create`d if asked.
async fn open(dir: &Descriptor, path: &str, create: bool) -> Result<Descriptor, ErrorCode> {
    let oflags = if create {
        OpenFlags::CREATE
    } else {
        OpenFlags::empty()
    };
    dir.open_at(
        PathFlags::empty(),
        path.to_string(),
        oflags,
        DescriptorFlags::READ | DescriptorFlags::WRITE,
    )
    .await
}

/// [`open`] for a step a scenario needs first: failing, it stops the scenario.
async fn set_up(dir: &Descriptor, path: &str, create: bool) -> Result<Descriptor, Stop> {
    open(dir, path, create)
        .await
        .map_err(|e| Stop::Setup(fmt!("cannot open {path}: {e:?}")))
}

/// Writes `data` at `offset` through `write-via-stream`.
async fn write(file: &Descriptor, data: &[u8], offset: u64) -> Result<(), ErrorCode> {
    let (mut tx, rx) = wit_stream::new();
    let done = file.write_via_stream(rx, offset);
    let rest = tx.write_all(data.to_vec()).await;
    drop(tx);
    check("write-via-stream takes every byte", rest.is_empty());
    done.await
}

/// Everything from `offset` on, through `read-via-stream`.
async fn read(file: &Descriptor, offset: u64) -> Result<Vec<u8>, ErrorCode> {
    let (rx, done) = file.read_via_stream(offset);
    let data = rx.collect().await;
    done.await.map(|()| data)
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
            let (mut tx, rx) = wit_stream::new();
            let done = file.append_via_stream(rx);
            let rest = tx.write_all(b"cd".to_vec()).await;
            drop(tx);
            check("append-via-stream takes every byte", rest.is_empty());
            check("append-via-stream ends ok", done.await.is_ok());
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
            let (entries, done) = dir.read_directory();
            let mut entries: Vec<(String, DescriptorType)> = entries
                .collect()
                .await
                .into_iter()
                .map(|e| (e.name, e.type_))
                .collect();
            check("read-directory's future resolves ok", done.await.is_ok());
            entries.sort_by(|x, y| x.0.cmp(&y.0));
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
        other => return Err(Stop::Unknown(other.into())),
    };
    Ok(())
}

//! The wasi:filesystem statements: every `descriptor` method,
//! `directory-entry-stream.read-directory-entry`, `preopens.get-directories`
//! and `types.filesystem-error-code`. Arguments follow the WIT's order, the
//! descriptor first (`descriptor.open-at $sandbox symlink-follow a.txt
//! create read,write as f`).

use crate::parse::{advice, descriptor_flags, nanos, open_flags, path_flags, timestamp};
use crate::slots::{Ctx, Res};
use crate::{Stmt, outcome};
use guest_support::p2::fs;
use guest_support::script::{bytes, string};
use wasip2::filesystem::types::{DescriptorStat, ErrorCode};

fn errno<T>(r: &Result<T, ErrorCode>) -> Option<String> {
    outcome(r, ErrorCode::name)
}

/// `$st.type`, `.size`, `.nlink`, and `.atim` `.mtim` `.ctim` (nanoseconds)
/// where the host gives them.
fn bind_stat(ctx: &mut Ctx, bind: Option<&str>, s: &DescriptorStat) {
    let mut fields = vec![
        ("", s.size),
        ("type", s.type_ as u64),
        ("size", s.size),
        ("nlink", s.link_count),
    ];
    for (name, t) in [
        ("atim", &s.data_access_timestamp),
        ("mtim", &s.data_modification_timestamp),
        ("ctim", &s.status_change_timestamp),
    ] {
        if let Some(t) = t {
            fields.push((name, nanos(t)));
        }
    }
    ctx.set(bind, &fields);
}

/// Runs one filesystem statement; `None` when nothing was called.
pub(crate) fn run(ctx: &mut Ctx, s: &Stmt) -> Option<String> {
    let (bind, a) = (s.bind, |i| s.arg(i));
    match s.cmd() {
        "preopens.get-directories" => {
            let dirs = fs::get_directories();
            ctx.set(bind, &[("", dirs.len() as u64)]);
            Some("ok".into())
        }
        "types.filesystem-error-code" => {
            s.want(1)?;
            let code = fs::filesystem_error_code(ctx.error(a(1))?, a(1));
            ctx.set(bind, &[("", code.is_some() as u64)]);
            Some("ok".into())
        }
        "directory-entry-stream.read-directory-entry" => {
            let d = ctx.dir(a(1))?;
            if a(2) == "all" {
                let r = fs::read_directory_entries(d, a(1));
                if let Ok(entries) = &r {
                    ctx.set(bind, &[("", entries.len() as u64)]);
                }
                return errno(&r);
            }
            let r = fs::read_directory_entry(d, a(1));
            if let Ok(e) = &r {
                ctx.set(bind, &[("", e.is_some() as u64)]);
                ctx.set_data(bind, e.as_ref().map_or(&b""[..], |e| e.name.as_bytes()));
            }
            errno(&r)
        }
        cmd => {
            let method = cmd.strip_prefix("descriptor.")?;
            s.want(1)?;
            descriptor(ctx, s, method)
        }
    }
}

/// `descriptor.METHOD $d ...`.
fn descriptor(ctx: &mut Ctx, s: &Stmt, method: &str) -> Option<String> {
    let (bind, a) = (s.bind, |i| s.arg(i));
    let (d, label) = (ctx.desc(a(1))?, a(1));
    match method {
        "read-via-stream" | "write-via-stream" | "append-via-stream" => {
            let r = match method {
                "read-via-stream" => {
                    s.want(2)?;
                    fs::read_via_stream(d, label, ctx.num(a(2))).map(Res::In)
                }
                "write-via-stream" => {
                    s.want(2)?;
                    fs::write_via_stream(d, label, ctx.num(a(2))).map(Res::Out)
                }
                _ => fs::append_via_stream(d, label).map(Res::Out),
            };
            let e = errno(&r);
            if let Ok(stream) = r {
                ctx.hold(bind, stream);
            }
            e
        }
        "advise" => {
            s.want(4)?;
            errno(&fs::advise(
                d,
                label,
                ctx.num(a(2)),
                ctx.num(a(3)),
                advice(a(4)),
            ))
        }
        "sync-data" => errno(&fs::sync_data(d, label)),
        "sync" => errno(&fs::sync(d, label)),
        "get-flags" => {
            let r = fs::get_flags(d, label);
            if let Ok(f) = &r {
                ctx.set(bind, &[("", f.bits() as u64)]);
            }
            errno(&r)
        }
        "get-type" => {
            let r = fs::get_type(d, label);
            if let Ok(t) = &r {
                ctx.set(bind, &[("", *t as u64)]);
            }
            errno(&r)
        }
        "set-size" => {
            s.want(2)?;
            errno(&fs::set_size(d, label, ctx.num(a(2))))
        }
        "set-times" => {
            s.want(3)?;
            let (atim, mtim) = (timestamp(ctx, a(2)), timestamp(ctx, a(3)));
            errno(&fs::set_times(d, label, atim, mtim))
        }
        "read" => {
            s.want(3)?;
            let r = fs::read(d, label, ctx.num(a(2)), ctx.num(a(3)));
            if let Ok((data, end)) = &r {
                ctx.set(bind, &[("", data.len() as u64), ("end", *end as u64)]);
                ctx.set_data(bind, data);
            }
            errno(&r)
        }
        "write" => {
            s.want(3)?;
            let r = fs::write(d, label, &bytes(a(2)), ctx.num(a(3)));
            if let Ok(n) = &r {
                ctx.set(bind, &[("", *n)]);
            }
            errno(&r)
        }
        "read-directory" => {
            let r = fs::read_directory(d, label);
            let e = errno(&r);
            if let Ok(stream) = r {
                ctx.hold(bind, Res::Dir(stream));
            }
            e
        }
        "create-directory-at" => {
            s.want(2)?;
            errno(&fs::create_directory_at(d, label, &string(a(2))))
        }
        "stat" => {
            let r = fs::stat(d, label);
            if let Ok(st) = &r {
                bind_stat(ctx, bind, st);
            }
            errno(&r)
        }
        "stat-at" => {
            s.want(3)?;
            let r = fs::stat_at(d, label, path_flags(a(2)), &string(a(3)));
            if let Ok(st) = &r {
                bind_stat(ctx, bind, st);
            }
            errno(&r)
        }
        "set-times-at" => {
            s.want(5)?;
            let (atim, mtim) = (timestamp(ctx, a(4)), timestamp(ctx, a(5)));
            errno(&fs::set_times_at(
                d,
                label,
                path_flags(a(2)),
                &string(a(3)),
                atim,
                mtim,
            ))
        }
        "link-at" => {
            s.want(5)?;
            let new = ctx.desc(a(4))?;
            errno(&fs::link_at(
                d,
                label,
                path_flags(a(2)),
                &string(a(3)),
                new,
                a(4),
                &string(a(5)),
            ))
        }
        "open-at" => {
            s.want(5)?;
            let r = fs::open_at(
                d,
                label,
                path_flags(a(2)),
                &string(a(3)),
                open_flags(a(4)),
                descriptor_flags(a(5)),
            );
            let e = errno(&r);
            if let Ok(f) = r {
                ctx.hold(bind, Res::Desc(f));
            }
            e
        }
        "readlink-at" => {
            s.want(2)?;
            let r = fs::readlink_at(d, label, &string(a(2)));
            if let Ok(t) = &r {
                ctx.set(bind, &[("", t.len() as u64)]);
                ctx.set_data(bind, t.as_bytes());
            }
            errno(&r)
        }
        "remove-directory-at" => {
            s.want(2)?;
            errno(&fs::remove_directory_at(d, label, &string(a(2))))
        }
        "rename-at" => {
            s.want(4)?;
            let new = ctx.desc(a(3))?;
            errno(&fs::rename_at(
                d,
                label,
                &string(a(2)),
                new,
                a(3),
                &string(a(4)),
            ))
        }
        "symlink-at" => {
            s.want(3)?;
            errno(&fs::symlink_at(d, label, &string(a(2)), &string(a(3))))
        }
        "unlink-file-at" => {
            s.want(2)?;
            errno(&fs::unlink_file_at(d, label, &string(a(2))))
        }
        "is-same-object" => {
            s.want(2)?;
            let same = fs::is_same_object(d, label, ctx.desc(a(2))?, a(2));
            ctx.set(bind, &[("", same as u64)]);
            Some("ok".into())
        }
        "metadata-hash" | "metadata-hash-at" => {
            let r = if method == "metadata-hash" {
                fs::metadata_hash(d, label)
            } else {
                s.want(3)?;
                fs::metadata_hash_at(d, label, path_flags(a(2)), &string(a(3)))
            };
            if let Ok(h) = &r {
                ctx.set(
                    bind,
                    &[("", h.lower), ("lower", h.lower), ("upper", h.upper)],
                );
            }
            errno(&r)
        }
        _ => {
            s.unknown();
            None
        }
    }
}

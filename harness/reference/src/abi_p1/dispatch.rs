//! `dispatch`: one arm per preview1 function, which checks and decodes its
//! arguments in guest memory, runs the `System` call and encodes the results.

use super::memory::{Args, Mem, put_strings, total_len};
use crate::errno::Errno;
use crate::system::System;
use crate::types::{
    Advice, Clockid, Event, Fdflags, Fdstat, Filestat, Fstflags, Lookupflags, Oflags, Prestat,
    Riflags, Rights, Sdflags, Siflags, Signal, Subscription, Whence,
};

pub(super) fn dispatch(
    sys: &mut dyn System,
    m: &mut Mem,
    name: &str,
    a: &Args,
) -> Result<(), Errno> {
    match name {
        "args_get" | "environ_get" => {
            let items = if name == "args_get" {
                sys.args_get()?
            } else {
                sys.environ_get()?
            };
            put_strings(m, &items, a.u32(0), a.u32(1))
        }
        "args_sizes_get" | "environ_sizes_get" => {
            let (count_out, size_out) = (m.out(a.u32(0), 4, 4)?, m.out(a.u32(1), 4, 4)?);
            let (count, size) = if name == "args_sizes_get" {
                sys.args_sizes_get()?
            } else {
                sys.environ_sizes_get()?
            };
            m.put(&count_out, &count.to_le_bytes());
            m.put(&size_out, &size.to_le_bytes());
            Ok(())
        }
        "clock_res_get" => {
            let id = a.enumeration(0, Clockid::from_wire)?;
            let out = m.out(a.u32(1), 8, 8)?;
            let res = sys.clock_res_get(id)?;
            m.put(&out, &res.to_le_bytes());
            Ok(())
        }
        "clock_time_get" => {
            let id = a.enumeration(0, Clockid::from_wire)?;
            let out = m.out(a.u32(2), 8, 8)?;
            let now = sys.clock_time_get(id, a.u64(1))?;
            m.put(&out, &now.to_le_bytes());
            Ok(())
        }
        "fd_advise" => {
            let advice = a.enumeration(3, Advice::from_wire)?;
            sys.fd_advise(a.u32(0), a.u64(1), a.u64(2), advice)
        }
        "fd_allocate" => sys.fd_allocate(a.u32(0), a.u64(1), a.u64(2)),
        "fd_close" => sys.fd_close(a.u32(0)),
        "fd_datasync" => sys.fd_datasync(a.u32(0)),
        "fd_fdstat_get" => {
            let out = m.out(a.u32(1), Fdstat::SIZE, Fdstat::ALIGN)?;
            let st = sys.fd_fdstat_get(a.u32(0))?;
            m.put(&out, &st.encode());
            Ok(())
        }
        "fd_fdstat_set_flags" => {
            let flags = a.flags(1, Fdflags::from_bits)?;
            sys.fd_fdstat_set_flags(a.u32(0), flags)
        }
        "fd_fdstat_set_rights" => {
            let base = Rights::from_bits(a.u64(1)).ok_or(Errno::Inval)?;
            let inheriting = Rights::from_bits(a.u64(2)).ok_or(Errno::Inval)?;
            sys.fd_fdstat_set_rights(a.u32(0), base, inheriting)
        }
        "fd_filestat_get" => {
            let out = m.out(a.u32(1), Filestat::SIZE, Filestat::ALIGN)?;
            let st = sys.fd_filestat_get(a.u32(0))?;
            m.put(&out, &st.encode());
            Ok(())
        }
        "fd_filestat_set_size" => sys.fd_filestat_set_size(a.u32(0), a.u64(1)),
        "fd_filestat_set_times" => {
            let flags = a.flags(3, Fstflags::from_bits)?;
            sys.fd_filestat_set_times(a.u32(0), a.u64(1), a.u64(2), flags)
        }
        "fd_pread" | "fd_read" => {
            let iovs = m.iovecs(a.u32(1), a.u32(2))?;
            let out_arg = if name == "fd_pread" { 4 } else { 3 };
            let out = m.out(a.u32(out_arg), 4, 4)?;
            let len = total_len(&iovs);
            let data = if name == "fd_pread" {
                sys.fd_pread(a.u32(0), len, a.u64(3))?
            } else {
                sys.fd_read(a.u32(0), len)?
            };
            let n = data.len().min(len);
            m.scatter(&iovs, &data[..n]);
            m.put(&out, &(n as u32).to_le_bytes());
            Ok(())
        }
        "fd_prestat_get" => {
            let out = m.out(a.u32(1), Prestat::SIZE, Prestat::ALIGN)?;
            let st = sys.fd_prestat_get(a.u32(0))?;
            m.put(&out, &st.encode());
            Ok(())
        }
        "fd_prestat_dir_name" => {
            let out = m.range(a.u32(1), u64::from(a.u32(2)))?;
            let name = sys.fd_prestat_dir_name(a.u32(0), a.u32(2))?;
            m.put(&out, &name[..name.len().min(out.len())]);
            Ok(())
        }
        "fd_pwrite" | "fd_write" => {
            let out_arg = if name == "fd_pwrite" { 4 } else { 3 };
            let out = m.out(a.u32(out_arg), 4, 4)?;
            let n = {
                let bufs = m.ciovecs(a.u32(1), a.u32(2))?;
                if name == "fd_pwrite" {
                    sys.fd_pwrite(a.u32(0), &bufs, a.u64(3))?
                } else {
                    sys.fd_write(a.u32(0), &bufs)?
                }
            };
            m.put(&out, &n.to_le_bytes());
            Ok(())
        }
        "fd_readdir" => {
            let buf = m.range(a.u32(1), u64::from(a.u32(2)))?;
            let out = m.out(a.u32(4), 4, 4)?;
            let data = sys.fd_readdir(a.u32(0), a.u32(2), a.u64(3))?;
            let n = data.len().min(buf.len());
            m.put(&buf, &data[..n]);
            m.put(&out, &(n as u32).to_le_bytes());
            Ok(())
        }
        "fd_renumber" => sys.fd_renumber(a.u32(0), a.u32(1)),
        "fd_seek" => {
            let whence = a.enumeration(2, Whence::from_wire)?;
            let out = m.out(a.u32(3), 8, 8)?;
            let pos = sys.fd_seek(a.u32(0), a.u64(1) as i64, whence)?;
            m.put(&out, &pos.to_le_bytes());
            Ok(())
        }
        "fd_sync" => sys.fd_sync(a.u32(0)),
        "fd_tell" => {
            let out = m.out(a.u32(1), 8, 8)?;
            let pos = sys.fd_tell(a.u32(0))?;
            m.put(&out, &pos.to_le_bytes());
            Ok(())
        }
        "path_create_directory" => sys.path_create_directory(a.u32(0), m.str(a.u32(1), a.u32(2))?),
        "path_filestat_get" => {
            let flags = a.flags(1, Lookupflags::from_bits)?;
            let out = m.out(a.u32(4), Filestat::SIZE, Filestat::ALIGN)?;
            let st = sys.path_filestat_get(a.u32(0), flags, m.str(a.u32(2), a.u32(3))?)?;
            m.put(&out, &st.encode());
            Ok(())
        }
        "path_filestat_set_times" => {
            let flags = a.flags(1, Lookupflags::from_bits)?;
            let fst = a.flags(6, Fstflags::from_bits)?;
            let path = m.str(a.u32(2), a.u32(3))?;
            sys.path_filestat_set_times(a.u32(0), flags, path, a.u64(4), a.u64(5), fst)
        }
        "path_link" => {
            let flags = a.flags(1, Lookupflags::from_bits)?;
            let old = m.str(a.u32(2), a.u32(3))?;
            let new = m.str(a.u32(5), a.u32(6))?;
            sys.path_link(a.u32(0), flags, old, a.u32(4), new)
        }
        "path_open" => {
            let dirflags = a.flags(1, Lookupflags::from_bits)?;
            let oflags = a.flags(4, Oflags::from_bits)?;
            let base = Rights::from_bits(a.u64(5)).ok_or(Errno::Inval)?;
            let inheriting = Rights::from_bits(a.u64(6)).ok_or(Errno::Inval)?;
            let fdflags = a.flags(7, Fdflags::from_bits)?;
            let out = m.out(a.u32(8), 4, 4)?;
            let path = m.str(a.u32(2), a.u32(3))?;
            let fd = sys.path_open(a.u32(0), dirflags, path, oflags, base, inheriting, fdflags)?;
            m.put(&out, &fd.to_le_bytes());
            Ok(())
        }
        "path_readlink" => {
            let buf = m.range(a.u32(3), u64::from(a.u32(4)))?;
            let out = m.out(a.u32(5), 4, 4)?;
            let target = sys.path_readlink(a.u32(0), m.str(a.u32(1), a.u32(2))?, a.u32(4))?;
            let n = target.len().min(buf.len());
            m.put(&buf, &target[..n]);
            m.put(&out, &(n as u32).to_le_bytes());
            Ok(())
        }
        "path_remove_directory" => sys.path_remove_directory(a.u32(0), m.str(a.u32(1), a.u32(2))?),
        "path_rename" => {
            let old = m.str(a.u32(1), a.u32(2))?;
            let new = m.str(a.u32(4), a.u32(5))?;
            sys.path_rename(a.u32(0), old, a.u32(3), new)
        }
        "path_symlink" => {
            let old = m.str(a.u32(0), a.u32(1))?;
            let new = m.str(a.u32(3), a.u32(4))?;
            sys.path_symlink(old, a.u32(2), new)
        }
        "path_unlink_file" => sys.path_unlink_file(a.u32(0), m.str(a.u32(1), a.u32(2))?),
        "poll_oneoff" => {
            let count = a.u32(2);
            let input = m.array(
                a.u32(0),
                count,
                Subscription::SIZE as u64,
                Subscription::ALIGN,
            )?;
            let output = m.array(a.u32(1), count, Event::SIZE as u64, 8)?;
            let nevents_out = m.out(a.u32(3), 4, 4)?;
            let subs = m
                .bytes(input)
                .chunks_exact(Subscription::SIZE)
                .map(|c| Subscription::decode(c.try_into().expect("48 bytes")))
                .collect::<Result<Vec<_>, _>>()?;
            let events = sys.poll_oneoff(&subs)?;
            let events = &events[..events.len().min(subs.len())];
            for (i, ev) in events.iter().enumerate() {
                let at = output.start + i * Event::SIZE;
                m.put(&(at..output.end), &ev.encode());
            }
            m.put(&nevents_out, &(events.len() as u32).to_le_bytes());
            Ok(())
        }
        "proc_raise" => sys.proc_raise(a.enumeration(0, Signal::from_wire)?),
        "sched_yield" => sys.sched_yield(),
        "random_get" => {
            let r = m.range(a.u32(0), u64::from(a.u32(1)))?;
            sys.random_get(&mut m.0[r])
        }
        "sock_accept" => {
            let flags = a.flags(1, Fdflags::from_bits)?;
            let out = m.out(a.u32(2), 4, 4)?;
            let fd = sys.sock_accept(a.u32(0), flags)?;
            m.put(&out, &fd.to_le_bytes());
            Ok(())
        }
        "sock_recv" => {
            let iovs = m.iovecs(a.u32(1), a.u32(2))?;
            let flags = a.flags(3, Riflags::from_bits)?;
            let (len_out, flags_out) = (m.out(a.u32(4), 4, 4)?, m.out(a.u32(5), 2, 2)?);
            let len = total_len(&iovs);
            let (data, roflags) = sys.sock_recv(a.u32(0), len, flags)?;
            let n = data.len().min(len);
            m.scatter(&iovs, &data[..n]);
            m.put(&len_out, &(n as u32).to_le_bytes());
            m.put(&flags_out, &roflags.0.to_le_bytes());
            Ok(())
        }
        "sock_send" => {
            let flags = a.flags(3, Siflags::from_bits)?;
            let out = m.out(a.u32(4), 4, 4)?;
            let n = {
                let bufs = m.ciovecs(a.u32(1), a.u32(2))?;
                sys.sock_send(a.u32(0), &bufs, flags)?
            };
            m.put(&out, &n.to_le_bytes());
            Ok(())
        }
        "sock_shutdown" => sys.sock_shutdown(a.u32(0), a.flags(1, Sdflags::from_bits)?),
        other => unreachable!("FUNCTIONS lists {other} but dispatch does not"),
    }
}

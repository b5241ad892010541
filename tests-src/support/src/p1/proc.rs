//! Clock, random, scheduling and process (exit, raise) calls.

use super::names::{clock_id_json, errno_raw, signal_name};
use super::{raw, res, traced};
use crate::{check, obj, trace_noreturn};
use wasi::Errno;

/// `clock_res_get(id)` -> ret `{}` (the value is nondeterministic; check it).
/// Takes a raw id so that invalid ids can be passed.
pub fn clock_res_get(id: u32) -> Result<u64, Errno> {
    let mut out = 0u64;
    let code = unsafe {
        wasi::wasi_snapshot_preview1::clock_res_get(id as i32, &mut out as *mut u64 as i32)
    };
    let r = if code == 0 {
        Ok(out)
    } else {
        Err(errno_raw(code))
    };
    traced(
        "clock_res_get",
        obj! {"id" => clock_id_json(id)},
        &r,
        |_| obj!(),
    );
    r
}

/// `clock_time_get(id, precision)` -> ret `{}` (check the value instead).
pub fn clock_time_get(id: u32, precision: u64) -> Result<u64, Errno> {
    let mut out = 0u64;
    let code = unsafe {
        wasi::wasi_snapshot_preview1::clock_time_get(
            id as i32,
            precision as i64,
            &mut out as *mut u64 as i32,
        )
    };
    let r = if code == 0 {
        Ok(out)
    } else {
        Err(errno_raw(code))
    };
    traced(
        "clock_time_get",
        obj! {"id" => clock_id_json(id), "precision" => precision},
        &r,
        |_| obj!(),
    );
    r
}

/// `random_get(buf)`, args `{"len":n}`, ret `{}`.
pub fn random_get(buf: &mut [u8]) -> Result<(), Errno> {
    let r = unsafe { wasi::random_get(buf.as_mut_ptr(), buf.len()) };
    traced("random_get", obj! {"len" => buf.len()}, &r, |_| obj!());
    r
}

/// `sched_yield()`, ret `{}`.
pub fn sched_yield() -> Result<(), Errno> {
    let r = unsafe { wasi::sched_yield() };
    traced("sched_yield", obj!(), &r, |_| obj!());
    r
}

/// `proc_exit(rval)`: traced before the call (it does not return). If it
/// does return, a failed check is reported and the guest exits via
/// `finish()`.
pub fn proc_exit(rval: u32) -> ! {
    trace_noreturn("proc_exit", obj! {"rval" => rval});
    unsafe { wasi::proc_exit(rval) };
    check("proc_exit does not return", false);
    crate::finish();
    unreachable!()
}

/// `proc_raise(sig)`, ret `{}`.
pub fn proc_raise(sig: u32) -> Result<(), Errno> {
    let r = res(unsafe { raw::proc_raise(sig as i32) });
    traced(
        "proc_raise",
        obj! {"sig" => signal_name(sig)},
        &r,
        |_| obj!(),
    );
    r
}

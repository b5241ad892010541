//! dns <scenario>: WASI 0.2 `wasi:sockets/ip-name-lookup` of IP literals,
//! `localhost` and malformed names: none needs a name server (a lookup of
//! an IP address string makes no "external requests"; `localhost` comes
//! from the host's own tables). Every call is traced
//! (`guest_support::p2::sockets`); a stream's addresses are read after
//! blocking on its pollable, so the trace does not depend on when the host
//! resolves. An IP literal's address is printed; other names' addresses
//! only as `"some"`. What the text leaves open (an IPv4-mapped literal, a
//! stream whose network handle was dropped) is only traced.
use guest_support::p2::sockets::{self as s, ErrorCode, IpAddress, Network};
use guest_support::{check, check_detail, finish, fmt};

fn main() {
    let scenario = std::env::args().nth(1).unwrap_or_default();
    let net = s::instance_network();
    match scenario.as_str() {
        "ip-literal" => {
            for (literal, address) in [
                ("127.0.0.1", IpAddress::Ipv4((127, 0, 0, 1))),
                ("::1", IpAddress::Ipv6((0, 0, 0, 0, 0, 0, 0, 1))),
            ] {
                let got = lookup(&net, literal, true);
                check_detail(
                    &fmt!("{literal} resolves to itself alone"),
                    matches!(&got, Ok(list) if list.len() == 1 && s::ip_text(&list[0]) == s::ip_text(&address)),
                    Some(&fmt!(
                        "{:?}",
                        got.map(|l| l.iter().map(s::ip_text).collect::<Vec<_>>())
                    )),
                );
            }
        }
        "until-none" => {
            let stream = s::resolve_addresses(&net, "net", "127.0.0.1");
            if let Ok(stream) = stream {
                let all = s::resolve_all(&stream, "r", true);
                check(
                    "the stream gives an address, then none",
                    matches!(&all, Ok(l) if l.len() == 1),
                );
                check(
                    "resolve-next-address after none is none again",
                    matches!(s::resolve_next_address(&stream, "r", true), Ok(None)),
                );
            } else {
                check("resolve-addresses of 127.0.0.1", false);
            }
        }
        "mapped-literal" => {
            let _shown = lookup(&net, "::ffff:127.0.0.1", true);
        }
        "network-dropped" => {
            let first = s::instance_network();
            let stream = s::resolve_addresses(&first, "net", "127.0.0.1");
            drop(first);
            if let Ok(stream) = stream {
                let _shown = s::resolve_all(&stream, "r", true);
            }
        }
        "localhost" => {
            let got = lookup(&net, "localhost", false);
            if let Ok(list) = &got {
                check("a lookup that succeeds has an address", !list.is_empty());
                check("no address is IPv4-mapped", !list.iter().any(is_mapped));
            }
        }
        "invalid-name" => {
            for malformed in ["", "[::1", "a b"] {
                let got = lookup(&net, malformed, false);
                check_detail(
                    &fmt!("{malformed:?} is invalid-argument"),
                    matches!(got, Err(ErrorCode::InvalidArgument)),
                    Some(&fmt!("{:?}", got.map(|l| l.len()).map_err(|e| e.name()))),
                );
            }
        }
        other => {
            guest_support::unknown_scenario(other);
        }
    }
    finish();
}

/// Whether `address` is an IPv4-mapped IPv6 address (::ffff:a.b.c.d).
fn is_mapped(address: &IpAddress) -> bool {
    matches!(address, IpAddress::Ipv6((0, 0, 0, 0, 0, 0xffff, _, _)))
}

/// Every address of `name`: `resolve-addresses`, then
/// [`s::resolve_all`]; an error of either is the result.
fn lookup(net: &Network, name: &str, show: bool) -> Result<Vec<IpAddress>, ErrorCode> {
    let stream = s::resolve_addresses(net, "net", name)?;
    s::resolve_all(&stream, "r", show)
}

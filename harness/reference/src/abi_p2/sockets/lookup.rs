//! `resolve-addresses` without a resolver: an IP literal is itself,
//! `localhost` is the loopback addresses, every other name is unknown.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use wasmtime_wasi::p2::SocketError;
use wasmtime_wasi::p2::bindings::sockets::network::ErrorCode;

use super::err;

/// Characters no host name may hold (the URL standard's forbidden domain
/// code points, besides controls and non-ASCII ones).
const FORBIDDEN: &str = " #%/:<>?@[\\]^|";

/// The addresses of `name`, in the order `resolve-next-address` returns
/// them: "If the input is an IP address string, the address is parsed and
/// returned as-is"; `localhost` is 127.0.0.1 then ::1; a syntactically
/// invalid name is `invalid-argument`, any other `name-unresolvable`.
pub fn resolve(name: &str) -> Result<Vec<IpAddr>, SocketError> {
    let literal = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .map_or_else(
            || name.parse::<IpAddr>(),
            |n| n.parse::<Ipv6Addr>().map(IpAddr::V6),
        );
    if let Ok(ip) = literal {
        // "This function never returns IPv4-mapped IPv6 addresses."
        return Ok(vec![ip.to_canonical()]);
    }
    let invalid = name.is_empty()
        || name.len() > 253
        || name
            .chars()
            .any(|c| c.is_ascii_control() || FORBIDDEN.contains(c))
        // A name ending in a number is an IPv4 address, and this one is not.
        || name
            .trim_end_matches('.')
            .rsplit('.')
            .next()
            .is_some_and(|last| !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()));
    if invalid {
        return err(ErrorCode::InvalidArgument);
    }
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.eq_ignore_ascii_case("localhost") {
        return Ok(vec![Ipv4Addr::LOCALHOST.into(), Ipv6Addr::LOCALHOST.into()]);
    }
    err(ErrorCode::NameUnresolvable)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(name: &str) -> ErrorCode {
        resolve(name).unwrap_err().downcast().unwrap()
    }

    #[test]
    fn literals_localhost_and_errors() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(resolve("127.0.0.1").unwrap(), [ip("127.0.0.1")]);
        assert_eq!(resolve("::1").unwrap(), [ip("::1")]);
        assert_eq!(resolve("[::1]").unwrap(), [ip("::1")]);
        assert_eq!(resolve("::ffff:10.0.0.1").unwrap(), [ip("10.0.0.1")]);
        assert_eq!(resolve("LocalHost.").unwrap(), [ip("127.0.0.1"), ip("::1")]);
        assert!(matches!(code("example.com"), ErrorCode::NameUnresolvable));
        assert!(matches!(code("a.localhost"), ErrorCode::NameUnresolvable));
        for bad in ["", "a b", "a/b", "[::1", "1.2.3.256", "host:80", "x\0"] {
            assert!(matches!(code(bad), ErrorCode::InvalidArgument), "{bad:?}");
        }
    }
}

//! dns <scenario>: `wasi:sockets@0.3.0` ip-name-lookup of IP literals,
//! `localhost` and malformed names: none needs a name server (a lookup of
//! an IP address string makes no "external requests"; `localhost` comes
//! from the host's own tables). Results the text leaves open are printed
//! as address families, never as addresses.
use guest_support::{check, check_detail, fmt};
use guests_p3::Stop;
use guests_p3::wasi::sockets::ip_name_lookup::{ErrorCode, resolve_addresses};
use guests_p3::wasi::sockets::types::IpAddress;

guests_p3::scenario_command!(scenario);

/// Whether `address` is an IPv4-mapped IPv6 address (::ffff:a.b.c.d).
fn is_mapped(address: &IpAddress) -> bool {
    matches!(address, IpAddress::Ipv6((0, 0, 0, 0, 0, 0xffff, _, _)))
}

/// The families of `addresses`, in the order given: what can be printed.
fn families(addresses: &[IpAddress]) -> Vec<&'static str> {
    addresses
        .iter()
        .map(|a| match a {
            IpAddress::Ipv4(_) => "ipv4",
            IpAddress::Ipv6(_) => "ipv6",
        })
        .collect()
}

/// A lookup's result, printed as `NAME: ok [families]` or `NAME: ERROR`,
/// after the checks that hold for every result: never an empty list,
/// never an IPv4-mapped address.
async fn lookup(name: &str) -> Result<Vec<IpAddress>, ErrorCode> {
    let result = resolve_addresses(name.into()).await;
    match &result {
        Ok(addresses) => {
            println!("{name:?}: ok {:?}", families(addresses));
            check(
                &fmt!("a lookup of {name:?} that succeeds has an address"),
                !addresses.is_empty(),
            );
            check(
                &fmt!("the addresses of {name:?} are not IPv4-mapped"),
                !addresses.iter().any(is_mapped),
            );
        }
        Err(e) => println!("{name:?}: {e:?}"),
    }
    result
}

async fn scenario(name: &str) -> Result<(), Stop> {
    match name {
        "ip-literal" => {
            let literals = [
                ("127.0.0.1", IpAddress::Ipv4((127, 0, 0, 1))),
                ("::1", IpAddress::Ipv6((0, 0, 0, 0, 0, 0, 0, 1))),
            ];
            for (literal, address) in literals {
                let result = resolve_addresses(literal.into()).await;
                check_detail(
                    &fmt!("{literal} resolves to itself"),
                    result == Ok(vec![address]),
                    Some(&fmt!("{result:?}")),
                );
            }
        }
        "mapped-literal" => {
            let _printed = lookup("::ffff:127.0.0.1").await;
        }
        "localhost" => {
            let _printed = lookup("localhost").await;
        }
        "invalid-name" => {
            for malformed in ["", "[::1"] {
                let result = lookup(malformed).await;
                check_detail(
                    &fmt!("{malformed:?} is invalid-argument"),
                    result == Err(ErrorCode::InvalidArgument),
                    Some(&fmt!("{result:?}")),
                );
            }
        }
        other => return Err(Stop::Unknown(other.into())),
    };
    Ok(())
}

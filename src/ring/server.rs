//! Syntax check of `server` addresses, without resolving any name.

use std::net::{Ipv4Addr, Ipv6Addr};

/// Why an address is rejected, with the offset of the offending part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AddressError {
    /// Offset in the address where the problem starts.
    pub(crate) at: usize,
    /// Length of the offending part.
    pub(crate) len: usize,
    /// What is wrong, for the label.
    pub(crate) reason: String,
}

/// Checks `address` as HAProxy's `str2sa_range` would for a ring server,
/// except that host names are checked for syntax only.
pub(crate) fn check_address(address: &str) -> Result<(), AddressError> {
    // Addresses are a few bytes long: byte scans beat the setup of the
    // vectorized searches behind `str::split_once`.
    let (prefix_len, family) = match position(address, b'@') {
        Some(at) => (at + 1, &address[..at]),
        None => (0, ""),
    };
    let rest = &address[prefix_len..];
    match family {
        "unix" | "abns" | "abnsz" => check_socket_path(rest, prefix_len),
        "" | "ipv4" | "ipv6" | "tcp" | "tcp4" | "tcp6" => check_host_port(rest, prefix_len),
        _ => Err(AddressError {
            at: 0,
            len: prefix_len,
            reason: format!("unsupported address prefix '{family}@'"),
        }),
    }
}

fn check_socket_path(path: &str, at: usize) -> Result<(), AddressError> {
    if path.is_empty() {
        return Err(AddressError { at, len: 0, reason: "missing socket path".into() });
    }
    Ok(())
}

fn check_host_port(text: &str, offset: usize) -> Result<(), AddressError> {
    let (host, port, port_at) = split_host_port(text, offset)?;
    if let Some(port) = port {
        check_port(port, port_at)?;
    }
    check_host(host, offset)
}

/// Splits `host:port` or `[v6]:port`; a bare IPv6 address has no port.
fn split_host_port(text: &str, offset: usize) -> Result<(&str, Option<&str>, usize), AddressError> {
    if let Some(inner) = text.strip_prefix('[') {
        let Some(close) = inner.find(']') else {
            return Err(AddressError {
                at: offset,
                len: text.len(),
                reason: "missing ']' after the IPv6 address".into(),
            });
        };
        let host = &inner[..close];
        let after = &inner[close + 1..];
        if host.parse::<Ipv6Addr>().is_err() {
            return Err(AddressError {
                at: offset + 1,
                len: host.len(),
                reason: "invalid IPv6 address".into(),
            });
        }
        return match after.strip_prefix(':') {
            Some(port) => Ok(("", Some(port), offset + close + 3)),
            None if after.is_empty() => Ok(("", None, 0)),
            None => Err(AddressError {
                at: offset + close + 2,
                len: after.len(),
                reason: "expected ':PORT' after ']'".into(),
            }),
        };
    }
    if text.bytes().filter(|byte| *byte == b':').count() > 1 {
        // HAProxy reads the part after the last colon as the port of an unbracketed IPv6 address.
        let colon = text.rfind(':').unwrap_or(text.len());
        let host = &text[..colon];
        if host.parse::<Ipv6Addr>().is_ok() || text.parse::<Ipv6Addr>().is_ok() {
            return Ok((
                "",
                Some(&text[colon + 1..]).filter(|p| !p.is_empty()),
                offset + colon + 1,
            ));
        }
        return Err(AddressError {
            at: offset,
            len: text.len(),
            reason: "invalid IPv6 address: write it in brackets, as [ADDRESS]:PORT".into(),
        });
    }
    match position(text, b':') {
        Some(colon) => Ok((&text[..colon], Some(&text[colon + 1..]), offset + colon + 1)),
        None => Ok((text, None, 0)),
    }
}

/// Returns the offset of the first `byte`, an ASCII byte, in `text`.
fn position(text: &str, byte: u8) -> Option<usize> {
    text.bytes().position(|b| b == byte)
}

fn check_port(port: &str, at: usize) -> Result<(), AddressError> {
    let invalid = |reason: &str| AddressError { at, len: port.len(), reason: reason.into() };
    if port.is_empty() {
        return Err(invalid("missing port after ':'"));
    }
    match port.parse::<u32>() {
        Ok(1..=65535) => Ok(()),
        Ok(_) => Err(invalid("port out of range 1-65535")),
        Err(_) => Err(invalid("port is not a number")),
    }
}

fn check_host(host: &str, at: usize) -> Result<(), AddressError> {
    if host.is_empty() || host == "*" || host.parse::<Ipv4Addr>().is_ok() {
        return Ok(());
    }
    let bad = host
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')));
    if let Some((i, c)) = bad {
        return Err(AddressError {
            at: at + i,
            len: c.len_utf8(),
            reason: format!("character '{c}' is not valid in a host name"),
        });
    }
    let numeric = host.chars().all(|c| c.is_ascii_digit() || c == '.');
    if numeric {
        return Err(AddressError { at, len: host.len(), reason: "invalid IPv4 address".into() });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_forms() {
        for address in [
            "127.0.0.1:6514",
            "syslog.example.com:514",
            "[2001:db8::1]:514",
            "ipv4@192.0.2.1:514",
            "ipv6@[::1]:514",
            "unix@/var/run/log.sock",
            "abns@log",
            "not-an-address-xyz.invalid:6514",
            "192.0.2.1",
            "2001:db8::1",
        ] {
            assert_eq!(check_address(address), Ok(()), "{address}");
        }
    }

    #[test]
    fn rejects_bad_forms() {
        assert_eq!(check_address("127.0.0.1:70000").unwrap_err().at, 10);
        assert_eq!(check_address("127.0.0.1:").unwrap_err().reason, "missing port after ':'");
        assert_eq!(check_address("300.1.1.1:514").unwrap_err().reason, "invalid IPv4 address");
        assert_eq!(check_address("a/b:514").unwrap_err().at, 1);
        assert!(check_address("[::1:514").is_err());
        assert!(check_address("udp@1.2.3.4:514").is_err());
        assert!(check_address("unix@").is_err());
    }
}

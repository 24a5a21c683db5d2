//! The name the handler greets the server with, as `smtplib.SMTP` chooses it when
//! `SMTPHandler` gives it no `local_hostname`: `socket.getfqdn()` when that contains a dot, else
//! the host's IPv4 address in brackets (`[127.0.0.1]`, also when the host name does not resolve).
//!
//! `getfqdn()` takes the host name, resolves it to its first address, looks that address up
//! (`gethostbyaddr`) and returns the first of the canonical name and its aliases that contains a
//! dot, else the canonical name; when a lookup fails, the host name itself. The reverse lookup
//! goes through the C library's `gethostbyaddr_r` on Linux, as CPython's does; elsewhere the host
//! name is used.

use std::net::{Ipv4Addr, ToSocketAddrs};

use lettre::transport::smtp::extension::ClientId;

/// smtplib's `local_hostname`.
pub(crate) fn ehlo_name() -> ClientId {
    let fqdn = fqdn();
    if fqdn.contains('.') {
        return ClientId::Domain(fqdn);
    }
    let address = (host_name().as_str(), 0)
        .to_socket_addrs()
        .ok()
        .and_then(|mut addresses| {
            addresses.find_map(|a| match a.ip() {
                std::net::IpAddr::V4(v4) => Some(v4),
                std::net::IpAddr::V6(_) => None,
            })
        })
        .unwrap_or(Ipv4Addr::LOCALHOST);
    ClientId::Ipv4(address)
}

fn host_name() -> String {
    hostname::get()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "localhost".to_owned())
}

/// Python's `socket.getfqdn()`.
pub(crate) fn fqdn() -> String {
    let host = host_name();
    match reverse::names_of(&host) {
        Some((canonical, aliases)) => std::iter::once(&canonical)
            .chain(&aliases)
            .find(|name| name.contains('.'))
            .cloned()
            .unwrap_or(canonical),
        None => host,
    }
}

#[cfg(target_os = "linux")]
mod reverse {
    use std::ffi::{CStr, c_char, c_int, c_void};
    use std::net::{IpAddr, ToSocketAddrs};

    /// glibc's and musl's `struct hostent`.
    #[repr(C)]
    struct HostEnt {
        h_name: *mut c_char,
        h_aliases: *mut *mut c_char,
        h_addrtype: c_int,
        h_length: c_int,
        h_addr_list: *mut *mut c_char,
    }

    const AF_INET: c_int = 2;
    const AF_INET6: c_int = 10;
    const ERANGE: c_int = 34;

    unsafe extern "C" {
        fn gethostbyaddr_r(
            addr: *const c_void,
            len: u32,
            kind: c_int,
            ret: *mut HostEnt,
            buf: *mut c_char,
            buflen: usize,
            result: *mut *mut HostEnt,
            h_errnop: *mut c_int,
        ) -> c_int;
    }

    /// `gethostbyaddr(name)`: the canonical name and the aliases of `name`'s first address.
    pub(super) fn names_of(name: &str) -> Option<(String, Vec<String>)> {
        let address = (name, 0).to_socket_addrs().ok()?.next()?.ip();
        let (bytes, kind): (Vec<u8>, c_int) = match address {
            IpAddr::V4(v4) => (v4.octets().to_vec(), AF_INET),
            IpAddr::V6(v6) => (v6.octets().to_vec(), AF_INET6),
        };
        let mut size = 16 * 1024;
        while size <= 1024 * 1024 {
            let mut buf = vec![0 as c_char; size];
            let mut entry = HostEnt {
                h_name: std::ptr::null_mut(),
                h_aliases: std::ptr::null_mut(),
                h_addrtype: 0,
                h_length: 0,
                h_addr_list: std::ptr::null_mut(),
            };
            let mut result: *mut HostEnt = std::ptr::null_mut();
            let mut h_errno: c_int = 0;
            // SAFETY: every pointer is valid for the call: the address bytes for their length,
            // `entry`, `buf` for `size` bytes, `result` and `h_errno`. The function writes the
            // entry's strings into `buf`, which outlives every read below.
            let status = unsafe {
                gethostbyaddr_r(
                    bytes.as_ptr().cast(),
                    bytes.len() as u32,
                    kind,
                    &mut entry,
                    buf.as_mut_ptr(),
                    size,
                    &mut result,
                    &mut h_errno,
                )
            };
            if status == ERANGE {
                size *= 4;
                continue;
            }
            if status != 0 || result.is_null() || entry.h_name.is_null() {
                return None;
            }
            // SAFETY: on success `h_name` is a NUL-terminated string in `buf`.
            let canonical = unsafe { CStr::from_ptr(entry.h_name) }
                .to_string_lossy()
                .into_owned();
            let mut aliases = Vec::new();
            let mut cursor = entry.h_aliases;
            // SAFETY: `h_aliases` is a NULL-terminated array of NUL-terminated strings in `buf`.
            unsafe {
                while !cursor.is_null() && !(*cursor).is_null() {
                    aliases.push(CStr::from_ptr(*cursor).to_string_lossy().into_owned());
                    cursor = cursor.add(1);
                }
            }
            return Some((canonical, aliases));
        }
        None
    }
}

#[cfg(not(target_os = "linux"))]
mod reverse {
    /// No reverse lookup here: `fqdn` falls back to the host name.
    pub(super) fn names_of(_name: &str) -> Option<(String, Vec<String>)> {
        None
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_name_is_never_empty() {
        assert!(!super::fqdn().is_empty());
        assert!(!super::ehlo_name().to_string().is_empty());
    }
}

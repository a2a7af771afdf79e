//! What the `.if` predicates know about the HAProxy build being targeted.

/// The feature list of the build, as `haproxy -vv` prints it after
/// `Feature list :`. The default is a Linux (`TARGET=linux-glibc`) build of
/// HAProxy 3.5 without OpenSSL, Lua, PCRE2 or QUIC: the build the
/// conformance results were recorded with.
pub const DEFAULT_FEATURES: &str = "+EPOLL -KQUEUE +NETFILTER +POLL +THREAD +BACKTRACE \
    -STATIC_PCRE -STATIC_PCRE2 +TPROXY +LINUX_TPROXY +LINUX_CAP +LINUX_SPLICE +LIBCRYPT \
    +CRYPT_H -ENGINE +GETADDRINFO -OPENSSL -OPENSSL_WOLFSSL -OPENSSL_AWSLC -ECH -LUA \
    +ACCEPT4 -CLOSEFROM -ZLIB +SLZ +CPU_AFFINITY +TFO +NS +DL +RT -DEVICEATLAS -51DEGREES \
    -WURFL -OBSOLETE_LINKER +PRCTL -PROCCTL +THREAD_DUMP -EVPORTS -OT -QUIC -PROMEX \
    -MEMORY_PROFILING +SHM_OPEN +KTLS -PCRE -PCRE_JIT -PCRE2 -PCRE2_JIT \
    -QUIC_OPENSSL_COMPAT +TRACE +FCGI +H2 +SPOE -SSL";

/// The options `enabled()` reports as on by default on Linux: the pollers,
/// splicing, `getaddrinfo()`, `SO_REUSEPORT` and zero-copy forwarding.
/// `SERVER-SSL-VERIFY-NONE` is off unless the global section sets `ssl-server-verify none`.
pub const DEFAULT_ENABLED: &[&str] =
    &["POLL", "EPOLL", "SPLICE", "GETADDRINFO", "REUSEPORT", "FAST-FORWARD"];

/// The TLS library HAProxy was built with, for the TLS predicates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsLibrary {
    /// The library's version text, as `OpenSSL_version()` returns it, such as
    /// `OpenSSL 3.0.13 30 Jan 2024`; `ssllib_name_startswith()` tests it.
    pub name: String,
    /// The library version, such as `3.0.13`, that `openssl_version_atleast()`
    /// and `openssl_version_before()` compare against.
    pub version: String,
    /// The AWS-LC API version, when the library is AWS-LC.
    pub awslc_api: Option<i64>,
}

/// Returns true when `features` (a `haproxy -vv` feature list) contains `+name`,
/// with HAProxy's own matching: the first whole-word occurrence decides.
pub(crate) fn has_feature(features: &[u8], name: &[u8]) -> bool {
    let mut from = 0;
    while from < features.len() {
        let Some(found) = find(&features[from..], name) else { return false };
        let at = from + found;
        let after = features.get(at + name.len()).copied();
        if at > 0 && matches!(after, None | Some(b' ')) {
            match features[at - 1] {
                b'+' => return true,
                b'-' => return false,
                _ => {}
            }
        }
        from = at + 1;
    }
    false
}

/// Returns the offset of the first occurrence of `needle` in `haystack`, like C's `strstr`.
pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    memchr::memmem::find(haystack, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_matches_whole_words_with_their_sign() {
        let features = DEFAULT_FEATURES.as_bytes();
        assert!(has_feature(features, b"THREAD"));
        assert!(has_feature(features, b"TRACE"));
        assert!(!has_feature(features, b"OPENSSL"));
        assert!(!has_feature(features, b"PCRE2"));
        assert!(!has_feature(features, b"HREAD"));
        assert!(!has_feature(features, b"NOPE"));
    }
}

//! What the `.if` predicates know about the HAProxy build being targeted.

use std::io::{self, Read};
use std::path::Path;

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

/// The maximum size [`BuildInfo::read_from`] reads. `haproxy -vv` prints a few
/// kilobytes.
pub const MAX_OUTPUT_SIZE: u64 = 1024 * 1024;

/// The TLS library HAProxy was built with, for the TLS predicates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsLibrary {
    /// The library's version text, as `OpenSSL_version()` returns it, such as
    /// `OpenSSL 3.0.13 30 Jan 2024`; `ssllib_name_startswith()` tests it.
    pub name: String,
    /// The library version, such as `3.0.13`, that `openssl_version_atleast()`
    /// and `openssl_version_before()` compare against.
    pub version: String,
    /// The library's `OPENSSL_VERSION_NUMBER` when it does not follow from
    /// `version`: BoringSSL and AWS-LC define 0x1010107f and LibreSSL
    /// 0x20000000, whatever their own version.
    pub version_number: Option<u32>,
    /// The AWS-LC API version, when the library is AWS-LC.
    pub awslc_api: Option<i64>,
}

/// The facts about a build that `haproxy -vv` prints and the predicates of
/// `.if` blocks test.
///
/// ```
/// use ringcfg::syntax::BuildInfo;
/// let output = "HAProxy version 3.0.5-1 2024/09/19 - https://haproxy.org/\n\
///     Feature list : +EPOLL -KQUEUE +OPENSSL\n\
///     Built with OpenSSL version : OpenSSL 3.0.13 30 Jan 2024\n\
///     Running on OpenSSL version : OpenSSL 3.0.15 3 Sep 2024\n";
/// let build = BuildInfo::parse(output);
/// assert_eq!(build.version.as_deref(), Some("3.0.5-1"));
/// assert_eq!(build.features.as_deref(), Some("+EPOLL -KQUEUE +OPENSSL"));
/// let tls = build.tls.expect("a TLS library");
/// assert_eq!(tls.version, "3.0.13");
/// assert_eq!(tls.name, "OpenSSL 3.0.15 3 Sep 2024");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BuildInfo {
    /// The version after `HAProxy version`, such as `3.0.5-1ppa1~jammy`.
    pub version: Option<String>,
    /// The `Feature list` line, followed by the `Detected feature list`
    /// line of newer releases: `feature()` searches both.
    pub features: Option<String>,
    /// The TLS library: the version of the `Built with` line, which the
    /// version predicates compare with, and the text of the `Running on`
    /// line, which `ssllib_name_startswith()` tests.
    pub tls: Option<TlsLibrary>,
}

impl BuildInfo {
    /// Reads the output of `haproxy -vv`, skipping the lines the predicates
    /// do not use.
    pub fn parse(output: &str) -> Self {
        let mut build = BuildInfo::default();
        let mut built_with = None;
        let mut running_on = None;
        // A byte-order mark, as some editors save, would hide the first line.
        let output = output.strip_prefix('\u{feff}').unwrap_or(output);
        for line in output.lines().map(str::trim) {
            if let Some(rest) = line.strip_prefix("HAProxy version ") {
                build.version = rest.split_whitespace().next().map(str::to_owned);
            } else if let Some(list) = line.strip_prefix("Feature list :") {
                build.add_features(list);
            } else if let Some(list) = line.strip_prefix("Detected feature list :") {
                build.add_features(list);
            } else if let Some(text) = tls_line(line, "Built with") {
                built_with = Some(text);
            } else if let Some(text) = tls_line(line, "Running on") {
                running_on = Some(text.trim_end_matches(" (VERSIONS DIFFER!)"));
            }
        }
        build.tls = built_with.map(|built| TlsLibrary {
            name: running_on.unwrap_or(built).to_owned(),
            version: library_version(built).to_owned(),
            version_number: fixed_version_number(built),
            awslc_api: None,
        });
        build
    }

    /// Reads and parses the `haproxy -vv` output in `input`, which must have
    /// a `HAProxy version` or a `Feature list` line.
    ///
    /// At most [`MAX_OUTPUT_SIZE`] bytes are read: a larger input is no such
    /// output, and a device such as `/dev/zero` never ends.
    pub fn read_from(input: impl Read) -> io::Result<Self> {
        let mut bytes = Vec::new();
        input.take(MAX_OUTPUT_SIZE + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > MAX_OUTPUT_SIZE {
            return Err(invalid(format!(
                "more than {MAX_OUTPUT_SIZE} bytes, far more than 'haproxy -vv' prints"
            )));
        }
        let build = Self::parse(&String::from_utf8_lossy(&bytes));
        if build.version.is_none() && build.features.is_none() {
            return Err(invalid(
                "no 'HAProxy version' or 'Feature list' line, so not the output of 'haproxy -vv'"
                    .to_owned(),
            ));
        }
        Ok(build)
    }

    /// Reads the `haproxy -vv` output saved in the regular file `path`, like
    /// [`read_from`](Self::read_from). FIFOs and devices are rejected
    /// unopened, since opening a FIFO may block for good.
    pub fn read_file(path: &Path) -> io::Result<Self> {
        let (file, _) = crate::source::open_regular(path)?;
        Self::read_from(file)
    }

    /// Sets the feature list and the TLS library of `options` to this
    /// build's. The version is left to the caller, which decides what to do
    /// with a release this tool does not support.
    pub fn apply(&self, options: &mut super::ReadOptions) {
        if let Some(features) = &self.features {
            options.features.clone_from(features);
        }
        options.tls.clone_from(&self.tls);
    }

    /// Returns true when the feature list has `+OPENSSL` but no line named
    /// the TLS library, as in an output cut short: the TLS predicates then
    /// cannot be evaluated.
    pub fn lacks_tls_library(&self) -> bool {
        let features = self.features.as_deref().unwrap_or_default();
        self.tls.is_none() && has_feature(features.as_bytes(), b"OPENSSL")
    }

    fn add_features(&mut self, list: &str) {
        let list = list.trim();
        match &mut self.features {
            Some(features) if !list.is_empty() => {
                features.push(' ');
                features.push_str(list);
            }
            Some(_) => {}
            None => self.features = Some(list.to_owned()),
        }
    }
}

/// Returns the text of `PREFIX OpenSSL version : TEXT`, which HAProxy 3.2
/// and later print as `PREFIX SSL library version : TEXT`.
fn tls_line<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(prefix)?.trim_start();
    let rest = rest.strip_prefix("OpenSSL").or_else(|| rest.strip_prefix("SSL library"))?;
    Some(rest.trim_start().strip_prefix("version :")?.trim())
}

/// Returns the version in OpenSSL's version text, such as `3.0.13` in
/// `OpenSSL 3.0.13 30 Jan 2024` or `1.1.1` in AWS-LC's
/// `OpenSSL 1.1.1 (compatible; AWS-LC 1.48.0)`. BoringSSL's text is its name
/// alone, so its version is empty.
fn library_version(text: &str) -> &str {
    text.split_whitespace()
        .nth(1)
        .filter(|word| word.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or_default()
}

/// Returns `OPENSSL_VERSION_NUMBER` of the libraries that define a fixed
/// one, from the text of the `Built with` line.
fn fixed_version_number(text: &str) -> Option<u32> {
    if text.starts_with("BoringSSL") || text.contains("AWS-LC") {
        Some(0x1010_107f)
    } else if text.starts_with("LibreSSL") {
        Some(0x2000_0000)
    } else {
        None
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
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
    fn build_info_reads_newer_wording() {
        let output = "HAProxy version 3.2.4-98813a1 2025/08/13 - https://haproxy.org/\n\
            Feature list : +EPOLL +OPENSSL\n\
            Detected feature list : +HAVE_WORKING_TCP_MD5SIG\n\
            Built with SSL library version : OpenSSL 3.5.1 1 Jul 2025\n\
            Running on SSL library version : OpenSSL 3.5.2 5 Aug 2025 (VERSIONS DIFFER!)\n";
        let build = BuildInfo::parse(output);
        assert_eq!(build.version.as_deref(), Some("3.2.4-98813a1"));
        assert_eq!(build.features.as_deref(), Some("+EPOLL +OPENSSL +HAVE_WORKING_TCP_MD5SIG"));
        let tls = build.tls.expect("a TLS library");
        assert_eq!(tls.version, "3.5.1");
        assert_eq!(tls.name, "OpenSSL 3.5.2 5 Aug 2025");
    }

    #[test]
    fn build_info_of_other_libraries() {
        let boring = BuildInfo::parse("Built with SSL library version : BoringSSL\n");
        let boring = boring.tls.expect("a TLS library");
        assert_eq!((boring.name.as_str(), boring.version.as_str()), ("BoringSSL", ""));
        assert_eq!(boring.version_number, Some(0x1010_107f));

        let aws = "Built with OpenSSL version : OpenSSL 1.1.1 (compatible; AWS-LC 1.48.0)\n";
        let aws = BuildInfo::parse(aws).tls.expect("a TLS library");
        assert_eq!(aws.version, "1.1.1");
        assert_eq!(aws.version_number, Some(0x1010_107f));
        assert_eq!(aws.awslc_api, None);

        let libre = "Built with OpenSSL version : LibreSSL 3.8.2\n";
        let libre = BuildInfo::parse(libre).tls.expect("a TLS library");
        assert_eq!(libre.version_number, Some(0x2000_0000));
    }

    #[test]
    fn read_from_rejects_what_is_not_vv_output() {
        let error = BuildInfo::read_from(&b"global\n    maxconn 10\n"[..]).expect_err("no -vv");
        assert!(error.to_string().contains("not the output of 'haproxy -vv'"), "{error}");
        let endless = std::io::repeat(b'x');
        let error = BuildInfo::read_from(endless).expect_err("too large");
        assert!(error.to_string().contains("more than"), "{error}");
        let with_bom = "\u{feff}HAProxy version 2.8.5 2023/12/08\n";
        let build = BuildInfo::read_from(with_bom.as_bytes()).expect("a -vv output");
        assert_eq!(build.version.as_deref(), Some("2.8.5"));
    }

    #[test]
    fn openssl_feature_without_library_line() {
        let cut = BuildInfo::parse("HAProxy version 3.0.5\nFeature list : +EPOLL +OPENSSL\n");
        assert!(cut.lacks_tls_library());
        let without = BuildInfo::parse("HAProxy version 3.0.5\nFeature list : +EPOLL -OPENSSL\n");
        assert!(!without.lacks_tls_library());
    }

    #[test]
    fn build_info_without_tls() {
        let build = BuildInfo::parse(
            "HAProxy version 3.1.0 2024/11/26\nBuilt with Lua version : Lua 5.4.6\n",
        );
        assert_eq!(build.version.as_deref(), Some("3.1.0"));
        assert_eq!(build.features, None);
        assert_eq!(build.tls, None);
    }

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

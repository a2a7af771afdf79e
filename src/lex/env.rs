//! The variables that `"$NAME"` expands to.

use std::collections::BTreeMap;

use crate::version::HaproxyVersion;

/// The variables `"$NAME"` expands to: an explicit value, so a check is reproducible.
///
/// ```
/// use ringcfg::lex::Env;
/// let mut env = Env::empty();
/// env.set("HOME", "/root");
/// assert_eq!(env.get(b"HOME"), Some(&b"/root"[..]));
/// env.unset(b"HOME");
/// assert_eq!(env.get(b"HOME"), None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Env {
    vars: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl Env {
    /// Creates an environment with no variable set.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Copies the environment of the running process, byte for byte.
    #[cfg(unix)]
    pub fn from_process() -> Self {
        use std::os::unix::ffi::OsStrExt;

        let mut env = Self::empty();
        for (name, value) in std::env::vars_os() {
            env.set(name.as_bytes(), value.as_bytes());
        }
        env
    }

    /// Copies the environment of the running process; names and values that
    /// are not Unicode are skipped on this platform.
    #[cfg(not(unix))]
    pub fn from_process() -> Self {
        let mut env = Self::empty();
        for (name, value) in std::env::vars_os() {
            if let (Some(name), Some(value)) = (name.to_str(), value.to_str()) {
                env.set(name, value);
            }
        }
        env
    }

    /// Sets the variables HAProxy defines itself before it reads the
    /// configuration, overwriting any value of the same name, as HAProxy does.
    ///
    /// ```
    /// use ringcfg::{HaproxyVersion, lex::Env};
    /// let mut env = Env::empty();
    /// env.add_haproxy_variables(HaproxyVersion::new(3, 5));
    /// assert_eq!(env.get(b"HAPROXY_BRANCH"), Some(&b"3.5"[..]));
    /// ```
    pub fn add_haproxy_variables(&mut self, version: HaproxyVersion) {
        for (name, value) in haproxy_variables(version) {
            self.set(name, value);
        }
    }

    /// Returns this environment with HAProxy's own variables added.
    pub fn with_haproxy_variables(mut self, version: HaproxyVersion) -> Self {
        self.add_haproxy_variables(version);
        self
    }

    /// Sets `name` to `value`.
    pub fn set(&mut self, name: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.vars.insert(name.into(), value.into());
    }

    /// Removes `name`.
    pub fn unset(&mut self, name: &[u8]) {
        self.vars.remove(name);
    }

    /// Returns the value of `name`, or `None` when it is not set.
    pub fn get(&self, name: &[u8]) -> Option<&[u8]> {
        self.vars.get(name).map(Vec::as_slice)
    }

    /// Returns every variable name, in byte order.
    pub fn names(&self) -> impl Iterator<Item = &[u8]> {
        self.vars.keys().map(Vec::as_slice)
    }
}

const HTTP_LOG_FMT: &str = "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc \
    %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r";

const HTTP_CLF_LOG_FMT: &str = "%{+Q}o %{-Q}ci - - [%trg] %r %ST %B \"\" \"\" %cp %ms %ft %b %s \
    %TR %Tw %Tc %Tr %Ta %tsc %ac %fc %bc %sc %rc %sq %bq %CC %CS %hrl %hsl";

const HTTPS_LOG_FMT: &str = "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc \
    %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r \
    %[fc_err]/%[ssl_fc_err,hex]/%[ssl_c_err]/%[ssl_c_ca_err]/%[ssl_fc_is_resumed] \
    %[ssl_fc_sni]/%sslv/%sslc";

const TCP_LOG_FMT: &str = "%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq";

const TCP_CLF_LOG_FMT: &str = "%{+Q}o %{-Q}ci - - [%T] \"TCP \" 000 %B \"\" \"\" %cp %ms %ft %b \
    %s %Th %Tw %Tc %Tt %U %ts-- %ac %fc %bc %sc %rc %sq %bq \"\" \"\" ";

/// The TLS key-log lines; `SIDE` is `fc` (front) or `bc` (back). The first
/// line of the back-side format has two spaces before the session key in
/// HAProxy 3.5, and the front side one.
const KEYLOG_LINES: [&str; 8] = [
    "CLIENT_RANDOM %[ssl_SIDE_client_random,hex]SEP%[ssl_SIDE_session_key,hex]",
    "CLIENT_EARLY_TRAFFIC_SECRET %[ssl_SIDE_client_random,hex] %[ssl_SIDE_client_early_traffic_secret]",
    "CLIENT_HANDSHAKE_TRAFFIC_SECRET %[ssl_SIDE_client_random,hex] %[ssl_SIDE_client_handshake_traffic_secret]",
    "SERVER_HANDSHAKE_TRAFFIC_SECRET %[ssl_SIDE_client_random,hex] %[ssl_SIDE_server_handshake_traffic_secret]",
    "CLIENT_TRAFFIC_SECRET_0 %[ssl_SIDE_client_random,hex] %[ssl_SIDE_client_traffic_secret_0]",
    "SERVER_TRAFFIC_SECRET_0 %[ssl_SIDE_client_random,hex] %[ssl_SIDE_server_traffic_secret_0]",
    "EXPORTER_SECRET %[ssl_SIDE_client_random,hex] %[ssl_SIDE_exporter_secret]",
    "EARLY_EXPORTER_SECRET %[ssl_SIDE_client_random,hex] %[ssl_SIDE_early_exporter_secret]",
];

fn keylog_format(side: &str, separator: &str) -> String {
    let lines: Vec<String> = KEYLOG_LINES
        .iter()
        .map(|line| line.replace("SIDE", side).replace("SEP", separator))
        .collect();
    lines.join("\n")
}

/// Returns the variables HAProxy sets itself while it reads the configuration
/// files, with the values of HAProxy 3.5 (src/haproxy.c `read_cfg()`).
///
/// `HAPROXY_CFGFILES`, `HAPROXY_MWORKER`, `HAPROXY_LOCALPEER` and the CLI
/// variables are not among them: HAProxy defines those only after parsing.
pub fn haproxy_variables(version: HaproxyVersion) -> Vec<(&'static str, String)> {
    vec![
        ("HAPROXY_HTTP_LOG_FMT", HTTP_LOG_FMT.to_owned()),
        ("HAPROXY_HTTP_CLF_LOG_FMT", HTTP_CLF_LOG_FMT.to_owned()),
        ("HAPROXY_HTTPS_LOG_FMT", HTTPS_LOG_FMT.to_owned()),
        ("HAPROXY_TCP_LOG_FMT", TCP_LOG_FMT.to_owned()),
        ("HAPROXY_TCP_CLF_LOG_FMT", TCP_CLF_LOG_FMT.to_owned()),
        ("HAPROXY_KEYLOG_FC_LOG_FMT", keylog_format("fc", " ")),
        ("HAPROXY_KEYLOG_BC_LOG_FMT", keylog_format("bc", "  ")),
        ("HAPROXY_BRANCH", version.to_string()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keylog_formats_have_eight_lines() {
        let mut env = Env::empty();
        env.add_haproxy_variables(HaproxyVersion::new(3, 5));
        let fc = env.get(b"HAPROXY_KEYLOG_FC_LOG_FMT").unwrap();
        assert_eq!(fc.iter().filter(|b| **b == b'\n').count(), 7);
        assert!(fc.starts_with(b"CLIENT_RANDOM %[ssl_fc_client_random,hex] %[ssl_fc_session"));
        let bc = env.get(b"HAPROXY_KEYLOG_BC_LOG_FMT").unwrap();
        assert!(bc.starts_with(b"CLIENT_RANDOM %[ssl_bc_client_random,hex]  %[ssl_bc_session"));
    }

    #[test]
    fn haproxy_variables_overwrite_the_callers() {
        let mut env = Env::empty();
        env.set("HAPROXY_BRANCH", "9.9");
        env.add_haproxy_variables(HaproxyVersion::new(3, 1));
        assert_eq!(env.get(b"HAPROXY_BRANCH"), Some(&b"3.1"[..]));
    }
}

//! The `ringcfg check` command as a user runs it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(name)
}

fn ringcfg(args: &[&str]) -> Output {
    Command::new(crate::support::ringcfg_bin())
        .arg("check")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("ringcfg runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn clean_file_exits_zero() {
    let output = ringcfg(&[corpus("valid_full.cfg").to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(output.stdout.is_empty());
    assert!(text(&output.stderr).contains("0 errors, 0 warnings in 1 file"));
}

#[test]
fn errors_exit_one_with_summary() {
    let files = [corpus("r006_size_after_backing_file.cfg"), corpus("r015_lenient_maxlen.cfg")];
    let output = ringcfg(&[files[0].to_str().unwrap(), files[1].to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("R006(size-after-backing-file)"), "{stdout}");
    assert!(stdout.contains("R015(lenient-maxlen)"), "{stdout}");
    let stderr = text(&output.stderr);
    assert!(stderr.contains("1 error, 3 warnings in 2 files"), "{stderr}");
}

#[test]
fn warnings_fail_only_when_denied() {
    let file = corpus("r023_ignored_timeout.cfg");
    let file = file.to_str().unwrap();
    assert_eq!(ringcfg(&[file]).status.code(), Some(0));
    assert_eq!(ringcfg(&["--deny-warnings", file]).status.code(), Some(1));
}

#[test]
fn short_format_is_one_line_each() {
    let file = corpus("r017_unknown_format.cfg");
    let output = ringcfg(&["--format", "short", file.to_str().unwrap()]);
    let stdout = text(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(lines[0].ends_with("error[R017]: unknown format 'RFC5424'"), "{stdout}");
    assert!(output.stderr.is_empty(), "no summary outside the human format");
}

#[test]
fn missing_file_exits_two_and_names_it() {
    let output = ringcfg(&["/nonexistent-ringcfg/haproxy.cfg"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("cannot read '/nonexistent-ringcfg/haproxy.cfg'"), "{stderr}");
}

#[test]
fn invalid_version_is_a_usage_error() {
    let file = corpus("valid_minimal.cfg");
    let output = ringcfg(&["--haproxy-version", "1.8", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("invalid HAProxy version '1.8'"));
}

#[test]
fn old_version_changes_the_verdict() {
    let file = corpus("valid_units.cfg");
    let file = file.to_str().unwrap();
    assert_eq!(ringcfg(&[file]).status.code(), Some(0));
    let output = ringcfg(&["--haproxy-version", "2.8", "--format", "short", file]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stdout));
    assert!(text(&output.stdout).contains("[R011]"));
}

/// A configuration whose ring is only read by a 3.0 build with OpenSSL, and
/// whose `size 0` is then an error.
const BUILD_DEPENDENT: &str = "\
.if feature(OPENSSL) && openssl_version_atleast(1.1.1) && !version_atleast(3.1)
ring logs
    size 0
.endif
";

fn haproxy_vv() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/haproxy-3.0-vv.txt")
}

fn config_file(text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().expect("a temporary file");
    file.write_all(text.as_bytes()).expect("write the configuration");
    file
}

#[test]
fn haproxy_vv_describes_the_build() {
    let config = config_file(BUILD_DEPENDENT);
    let config = config.path().to_str().unwrap();
    let default_build = ringcfg(&["--format", "short", config]);
    assert_eq!(default_build.status.code(), Some(0), "{}", text(&default_build.stdout));

    let vv = haproxy_vv();
    let output = ringcfg(&["--format", "short", "--haproxy-vv", vv.to_str().unwrap(), config]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("[R008]"), "{}", text(&output.stdout));
}

#[test]
fn haproxy_version_flag_wins_over_vv() {
    let config = config_file(BUILD_DEPENDENT);
    let vv = haproxy_vv();
    let args = ["--haproxy-vv", vv.to_str().unwrap(), "--haproxy-version", "3.2"];
    let output = ringcfg(&[&args[..], &[config.path().to_str().unwrap()]].concat());
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
}

#[test]
fn haproxy_vv_of_unknown_release() {
    let vv =
        config_file("HAProxy version 2.4.22-0ubuntu0.22.04.3 2023/08/14\nFeature list : +EPOLL\n");
    let config = corpus("valid_minimal.cfg");
    let output = ringcfg(&["--haproxy-vv", vv.path().to_str().unwrap(), config.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("HAProxy 2.4.22-0ubuntu0.22.04.3, whose rules"), "{stderr}");
    assert!(stderr.contains("--haproxy-version"), "{stderr}");
}

#[test]
fn haproxy_vv_from_a_pipe() {
    let config = config_file(BUILD_DEPENDENT);
    let config = config.path().to_str().unwrap();
    let vv = std::fs::read(haproxy_vv()).expect("the -vv sample");
    for source in ["-", "/dev/stdin"] {
        let mut child = Command::new(crate::support::ringcfg_bin())
            .args(["check", "--format", "short", "--haproxy-vv", source, config])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ringcfg starts");
        child.stdin.take().unwrap().write_all(&vv).unwrap();
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{source}: {}", text(&output.stderr));
        assert!(text(&output.stdout).contains("[R008]"), "{source}: {}", text(&output.stdout));
    }
}

#[test]
fn awslc_api_needs_an_aws_lc_build() {
    let config = config_file(".if awslc_api_atleast(20)\nring logs\n    size 0\n.endif\n");
    let config = config.path().to_str().unwrap();
    let openssl = haproxy_vv();
    let output = ringcfg(&["--haproxy-vv", openssl.to_str().unwrap(), "--awslc-api", "30", config]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("applies only to AWS-LC builds"),
        "{}",
        text(&output.stderr)
    );

    let aws = config_file(
        "HAProxy version 3.2.4 2025/08/13\n\
         Built with SSL library version : OpenSSL 1.1.1 (compatible; AWS-LC 1.48.0)\n",
    );
    let args =
        ["--format", "short", "--haproxy-vv", aws.path().to_str().unwrap(), "--awslc-api", "30"];
    let output = ringcfg(&[&args[..], &[config]].concat());
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("[R008]"), "{}", text(&output.stdout));
}

#[test]
fn haproxy_vv_without_tls_line_is_named() {
    let vv = config_file("HAProxy version 3.0.5 2024/09/19\nFeature list : +EPOLL +OPENSSL\n");
    let config = corpus("valid_minimal.cfg");
    let output = ringcfg(&["--haproxy-vv", vv.path().to_str().unwrap(), config.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("lists +OPENSSL but has no 'Built with OpenSSL version' line"),
        "{stderr}"
    );
}

#[test]
fn haproxy_vv_and_config_cannot_share_stdin() {
    let output = ringcfg(&["--haproxy-vv", "-", "-"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("cannot both be '-'"), "{}", text(&output.stderr));
}

#[test]
fn haproxy_vv_must_be_vv_output() {
    let config = corpus("valid_minimal.cfg");
    let config = config.to_str().unwrap();
    let output = ringcfg(&["--haproxy-vv", config, config]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("not the output of 'haproxy -vv'"));
}

#[test]
fn directory_loads_its_cfg_files_in_order() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("10-global.cfg", "global\n    log ring@logs local0\n");
    write("20-rings.cfg", "ring logs\n    size 0\n");
    write(".30-hidden.cfg", "ring logs\n");
    write("40-old.cfg.bak", "ring logs\n");

    let output = ringcfg(&["--format", "short", dir.path().to_str().unwrap()]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("20-rings.cfg:2:10: error[R008]"), "{stdout}");
    assert!(!stdout.contains("X001"), "the reference resolves across the files: {stdout}");
    assert!(!stdout.contains("R003"), "hidden and other files are not read: {stdout}");
}

#[test]
fn directory_without_cfg_files_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("haproxy.conf"), "global\n").unwrap();
    let output = ringcfg(&[dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("no configuration file to read"));
}

#[test]
fn standard_input_is_read_for_dash() {
    let mut child = Command::new(crate::support::ringcfg_bin())
        .args(["check", "--format", "short", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ringcfg starts");
    child.stdin.take().unwrap().write_all(b"ring r1\n    size 0\n").unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stdout).starts_with("<stdin>:2:10: error[R008]"),
        "{}",
        text(&output.stdout)
    );
}

fn short_codes(config: &str, envs: &[(&str, &str)], args: &[&str]) -> String {
    let output = Command::new(crate::support::ringcfg_bin())
        .args(["check", "--format", "short"])
        .args(args)
        .arg(config)
        .envs(envs.iter().copied())
        .output()
        .expect("ringcfg runs");
    text(&output.stdout)
}

#[test]
fn environment_options_feed_expansion() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("haproxy.cfg");
    std::fs::write(&config, "ring r1\n    size \"${RING_SIZE}k\"\n").unwrap();
    let config = config.to_str().unwrap();
    let process_env = [("RING_SIZE", "0")];

    assert!(short_codes(config, &process_env, &[]).contains("[R008]"), "process variable is used");
    assert!(short_codes(config, &process_env, &["-e", "RING_SIZE=64"]).is_empty());
    let cleaned = short_codes(config, &process_env, &["--clean-env"]);
    assert!(cleaned.contains("[R007]"), "clean environment drops RING_SIZE: {cleaned}");
    let unset = short_codes(config, &[], &["-e", "RING_SIZE=64", "--unset", "RING_SIZE"]);
    assert!(unset.contains("[R007]"), "--unset removes RING_SIZE: {unset}");
}

#[test]
fn check_writes_no_backing_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("haproxy.cfg");
    let ring_file = dir.path().join("events.bin");
    std::fs::write(&config, format!("ring r1\n    backing-file {}\n", ring_file.display()))
        .unwrap();
    let output = ringcfg(&[config.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
    assert!(!ring_file.exists(), "check must not create the backing file");
}

//! What `apply` does with each kind of file already at the path; no data is ever lost.

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};

use ringcfg::apply::{
    Action, ApplyError, ApplyWarning, RingSpec, open_backing_file, open_for_append,
};

use crate::walk;

fn spec(path: &Path) -> RingSpec {
    let mut spec = RingSpec::new("r1", Some(path.to_owned()));
    spec.allocated_size = 4096;
    spec
}

fn bak(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}.bak", path.display()))
}

fn assert_empty_ring(path: &Path) {
    let bytes = fs::read(path).unwrap();
    assert_eq!(bytes.len(), 4096);
    assert_eq!(walk::messages(&bytes).unwrap(), Vec::<Vec<u8>>::new());
}

#[test]
fn missing_file_is_created_with_mode_0600() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    let (_, report) = open_backing_file(&spec(&path)).unwrap();
    assert_eq!(report.action, Action::Created);
    assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    assert_empty_ring(&path);
    assert!(!bak(&path).exists());
}

#[test]
fn empty_ring_is_reused_and_backup_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    fs::write(bak(&path), b"previous run").unwrap();
    drop(open_backing_file(&spec(&path)).unwrap());
    let (_, report) = open_backing_file(&spec(&path)).unwrap();
    assert_eq!(report.action, Action::ReusedEmpty);
    assert_eq!(fs::read(bak(&path)).unwrap(), b"previous run");
}

#[test]
fn ring_with_messages_is_rotated_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    let (ring, _) = open_backing_file(&spec(&path)).unwrap();
    ring.write_raw(b"keep me").unwrap();
    drop(ring);
    let before = fs::read(&path).unwrap();

    let (_, report) = open_backing_file(&spec(&path)).unwrap();
    assert!(matches!(report.action, Action::Rotated { ref backup, .. } if *backup == bak(&path)));
    assert_eq!(fs::read(bak(&path)).unwrap(), before);
    assert_eq!(walk::messages(&before).unwrap(), vec![b"keep me".to_vec()]);
    assert_empty_ring(&path);
}

#[test]
fn short_file_is_rotated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    fs::write(&path, b"ten bytes!").unwrap();
    let (_, report) = open_backing_file(&spec(&path)).unwrap();
    assert!(matches!(report.action, Action::Rotated { reason, .. } if reason.contains("shorter")));
    assert_eq!(fs::read(bak(&path)).unwrap(), b"ten bytes!");
    assert_empty_ring(&path);
}

#[test]
fn zero_byte_file_is_reused_without_replacing_backup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    fs::write(&path, b"").unwrap();
    fs::write(bak(&path), b"older messages").unwrap();
    let (_, report) = open_backing_file(&spec(&path)).unwrap();
    assert_eq!(report.action, Action::ReusedEmpty);
    assert_eq!(fs::read(bak(&path)).unwrap(), b"older messages");
    assert_empty_ring(&path);
}

#[test]
fn foreign_layout_is_rotated_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    let foreign: Vec<u8> = (0..8192u32).map(|n| (n * 7 + 3) as u8).collect();
    fs::write(&path, &foreign).unwrap();
    let (_, report) = open_backing_file(&spec(&path)).unwrap();
    assert!(matches!(report.action, Action::Rotated { reason, .. } if reason.contains("layout")));
    assert_eq!(fs::read(bak(&path)).unwrap(), foreign);
    assert_empty_ring(&path);
}

#[test]
fn directory_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    fs::create_dir(&path).unwrap();
    fs::write(path.join("inside"), b"data").unwrap();
    let error = open_backing_file(&spec(&path)).unwrap_err();
    assert!(matches!(error, ApplyError::Directory { .. }), "{error}");
    assert!(error.to_string().contains("is a directory"));
    assert_eq!(fs::read(path.join("inside")).unwrap(), b"data");
    assert!(!bak(&path).exists());
}

#[test]
fn symbolic_link_is_refused_and_target_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target.bin");
    fs::write(&target, b"precious").unwrap();
    let path = dir.path().join("r1.bin");
    symlink(&target, &path).unwrap();
    for open in [open_backing_file, open_for_append] {
        let error = open(&spec(&path)).unwrap_err();
        assert!(matches!(error, ApplyError::Symlink { .. }), "{error}");
    }
    assert_eq!(fs::read(&target).unwrap(), b"precious");
    assert!(fs::symlink_metadata(&path).unwrap().file_type().is_symlink());
    assert!(!bak(&path).exists());

    let dangling = dir.path().join("dangling.bin");
    symlink(dir.path().join("nowhere"), &dangling).unwrap();
    assert!(matches!(open_backing_file(&spec(&dangling)), Err(ApplyError::Symlink { .. })));
    assert!(!dir.path().join("nowhere").exists(), "a dangling link is not followed");
}

#[test]
fn backup_path_taken_by_directory_stops_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    fs::write(&path, b"short").unwrap();
    fs::create_dir(bak(&path)).unwrap();
    let error = open_backing_file(&spec(&path)).unwrap_err();
    assert!(matches!(error, ApplyError::Rotate { .. }), "{error}");
    assert_eq!(fs::read(&path).unwrap(), b"short");
}

fn numbered_bak(path: &Path, n: u32) -> PathBuf {
    PathBuf::from(format!("{}.bak.{n}", path.display()))
}

fn ring_with(path: &Path, message: &[u8]) -> Action {
    let (ring, report) = open_backing_file(&spec(path)).unwrap();
    ring.write_raw(message).unwrap();
    report.action
}

fn only_message(path: &Path) -> Vec<u8> {
    let messages = walk::messages(&fs::read(path).unwrap()).unwrap();
    assert_eq!(messages.len(), 1, "{}", path.display());
    messages[0].clone()
}

#[test]
fn older_backup_kept_as_numbered_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    ring_with(&path, b"first");
    let second = ring_with(&path, b"second");
    assert!(matches!(second, Action::Rotated { older_backup: None, .. }), "{second:?}");

    let (_, report) = open_backing_file(&spec(&path)).unwrap();

    let Action::Rotated { backup, older_backup, .. } = report.action else {
        panic!("expected a rotation, got {:?}", report.action);
    };
    assert_eq!(backup, bak(&path));
    assert_eq!(older_backup, Some(numbered_bak(&path, 1)));
    assert_eq!(only_message(&bak(&path)), b"second");
    assert_eq!(only_message(&numbered_bak(&path, 1)), b"first");
    assert_empty_ring(&path);
}

#[test]
fn numbered_backups_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    fs::write(&path, b"foreign, newest").unwrap();
    fs::write(bak(&path), b"foreign, older").unwrap();
    fs::write(numbered_bak(&path, 1), b"oldest").unwrap();
    fs::write(numbered_bak(&path, 3), b"unrelated").unwrap();

    let (_, report) = open_backing_file(&spec(&path)).unwrap();

    let Action::Rotated { older_backup, .. } = report.action else {
        panic!("expected a rotation, got {:?}", report.action);
    };
    assert_eq!(older_backup, Some(numbered_bak(&path, 2)));
    assert_eq!(fs::read(bak(&path)).unwrap(), b"foreign, newest");
    assert_eq!(fs::read(numbered_bak(&path, 1)).unwrap(), b"oldest");
    assert_eq!(fs::read(numbered_bak(&path, 2)).unwrap(), b"foreign, older");
    assert_eq!(fs::read(numbered_bak(&path, 3)).unwrap(), b"unrelated");
    assert_empty_ring(&path);
}

#[test]
fn empty_backup_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    fs::write(&path, b"short").unwrap();
    fs::write(bak(&path), b"").unwrap();

    let (_, report) = open_backing_file(&spec(&path)).unwrap();

    assert!(
        matches!(report.action, Action::Rotated { older_backup: None, .. }),
        "{:?}",
        report.action
    );
    assert_eq!(fs::read(bak(&path)).unwrap(), b"short");
    assert!(!numbered_bak(&path, 1).exists());
}

#[test]
fn missing_directory_is_named_in_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("not-yet");
    let error = open_backing_file(&spec(&missing.join("r1.bin"))).unwrap_err();
    let text = error.to_string();
    assert!(matches!(error, ApplyError::Open { .. }), "{text}");
    assert!(
        text.ends_with(&format!("; create the directory {} first", missing.display())),
        "{text}"
    );
}

#[test]
fn append_keeps_a_valid_ring() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    let (ring, _) = open_for_append(&spec(&path)).unwrap();
    ring.write_raw(b"one").unwrap();
    drop(ring);
    let (ring, report) = open_for_append(&spec(&path)).unwrap();
    assert_eq!(report.action, Action::Reopened { messages: 1 });
    ring.write_raw(b"two").unwrap();
    drop(ring);
    let messages = walk::messages(&fs::read(&path).unwrap()).unwrap();
    assert_eq!(messages, vec![b"one".to_vec(), b"two".to_vec()]);
    assert!(!bak(&path).exists());
}

#[test]
fn append_with_other_size_rotates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    let (ring, _) = open_for_append(&spec(&path)).unwrap();
    ring.write_raw(b"one").unwrap();
    drop(ring);
    let mut bigger = spec(&path);
    bigger.allocated_size = 10000;
    let (_, report) = open_for_append(&bigger).unwrap();
    assert!(matches!(report.action, Action::Rotated { .. }));
    assert_eq!(walk::messages(&fs::read(bak(&path)).unwrap()).unwrap(), vec![b"one".to_vec()]);
    assert_eq!(fs::metadata(&path).unwrap().len(), 12288);
}

#[test]
fn a_second_holder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    let (_first, _) = open_for_append(&spec(&path)).unwrap();
    let error = open_for_append(&spec(&path)).unwrap_err();
    assert!(matches!(error, ApplyError::Busy { .. }), "{error}");
}

#[test]
fn warns_off_ram_file_systems() {
    let on_disk = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let (_, report) = open_backing_file(&spec(&on_disk.path().join("r1.bin"))).unwrap();
    let fs_type = rustix::fs::statfs(on_disk.path()).unwrap().f_type as u64;
    if fs_type == 0x0102_1994 {
        assert!(report.warnings.is_empty());
    } else {
        assert!(
            matches!(report.warnings[..], [ApplyWarning::NotRamBacked { .. }]),
            "{:?}",
            report.warnings
        );
    }
    if Path::new("/dev/shm").is_dir() {
        let in_memory = tempfile::tempdir_in("/dev/shm").unwrap();
        let (_, report) = open_backing_file(&spec(&in_memory.path().join("r1.bin"))).unwrap();
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    }
}

#[test]
fn memory_only_ring_touches_no_file() {
    let mut spec = RingSpec::new("r1", None);
    spec.allocated_size = 1000;
    let (ring, report) = open_backing_file(&spec).unwrap();
    assert_eq!(report.action, Action::MemoryOnly);
    assert_eq!(ring.area_len(), 808);
}

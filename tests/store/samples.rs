//! Every recorded sample prints byte for byte as haring 3.5-dev5 printed it.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use ringcfg::store::layout::Layout;
use ringcfg::store::reader::RingImage;

use crate::support::{ringcfg_bin, shared_dir};

/// Returns each sample ring with the output haring recorded for it.
fn samples() -> Vec<(PathBuf, Vec<u8>)> {
    let dir = shared_dir().join("samples");
    let mut found = Vec::new();
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "bin") {
            let expected = fs::read(path.with_extension("haring.txt")).unwrap();
            found.push((path, expected));
        }
    }
    found.sort();
    assert_eq!(found.len(), 6, "expected the six recorded samples in {}", dir.display());
    found
}

/// Joins payloads with a line feed after each, as haring prints them.
fn haring_text(image: &RingImage) -> Vec<u8> {
    let mut text = Vec::new();
    for message in image.messages() {
        text.extend_from_slice(message.payload);
        text.push(b'\n');
    }
    text
}

#[test]
fn library_matches_haring() {
    for (path, expected) in samples() {
        let image = RingImage::parse(&fs::read(&path).unwrap()).unwrap();
        assert_eq!(haring_text(&image), expected, "messages of {}", path.display());
        assert!(image.geometry().notes.is_empty(), "notes on {}", path.display());
        assert!(image.messages().all(|m| m.is_complete()), "damage in {}", path.display());
    }
}

#[test]
fn binary_matches_haring() {
    for (path, expected) in samples() {
        let output = Command::new(ringcfg_bin()).arg("dump").arg(&path).output().unwrap();
        assert!(output.status.success(), "status for {}", path.display());
        assert_eq!(output.stdout, expected, "stdout for {}", path.display());
        assert_eq!(String::from_utf8_lossy(&output.stderr), "", "stderr for {}", path.display());
    }
}

#[test]
fn layouts_of_samples() {
    for (path, _) in samples() {
        let image = RingImage::parse(&fs::read(&path).unwrap()).unwrap();
        let geometry = image.geometry();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("ring-2.7.0") {
            assert_eq!(geometry.layout, Layout::V1, "{name}");
            assert_eq!(geometry.area_offset, 72, "{name}");
        } else {
            assert_eq!(geometry.layout, Layout::V2a, "{name}");
            assert_eq!(geometry.area_offset, 192, "{name}");
        }
    }
}

#[test]
fn wrapped_sample_geometry() {
    let path = shared_dir().join("samples/ring-3.5-raw-wrapped.bin");
    let image = RingImage::parse(&fs::read(path).unwrap()).unwrap();
    let geometry = image.geometry();
    assert_eq!((geometry.head, geometry.tail, geometry.data), (118, 112, 3898));
    assert_eq!(image.stats().messages, 117);
}

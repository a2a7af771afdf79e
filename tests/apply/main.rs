//! Integration tests of `apply`: files on disk, the `Ring` handle, crashes.

#[path = "../support/mod.rs"]
mod support;

mod cli;
mod crash;
mod decode;
mod rotation;
mod threads;
mod walk;

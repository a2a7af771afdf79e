//! Integration tests of the configuration reader (`lex` and `syntax`).

#[path = "../support/mod.rs"]
mod support;

/// Every recorded HAProxy 3.5 tokenizer case gives HAProxy's words or errors.
mod conformance;

//! Integration tests of the configuration reader (`lex` and `syntax`).

#[path = "../support/mod.rs"]
mod support;

/// Every recorded HAProxy 3.5 tokenizer case gives HAProxy's words or errors.
mod conformance;

/// Public configurations HAProxy accepts read without a format or section error.
mod realworld;

/// Hostile input never panics, never overflows the stack, and stays bounded.
mod hostile;

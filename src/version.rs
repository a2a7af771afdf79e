//! The HAProxy version whose rules a run follows.
//!
//! Several rules changed between releases: `backing-file` appeared in 2.7,
//! the ring file layout changed in 3.0, `size` took unit suffixes in 3.1 and
//! the `traces` section appeared in 3.1, empty arguments became errors in 3.3.

use std::fmt;
use std::str::FromStr;

/// A HAProxy release branch, such as 3.5.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HaproxyVersion {
    /// Major number.
    pub major: u16,
    /// Minor number.
    pub minor: u16,
}

impl HaproxyVersion {
    /// The newest release whose behaviour this crate reproduces.
    pub const NEWEST: HaproxyVersion = HaproxyVersion::new(3, 5);

    /// The oldest release with `backing-file`, the oldest this crate accepts.
    pub const OLDEST: HaproxyVersion = HaproxyVersion::new(2, 7);

    /// Creates a version from its two numbers.
    pub const fn new(major: u16, minor: u16) -> Self {
        Self { major, minor }
    }

    /// Returns true when this version is `major.minor` or newer.
    ///
    /// ```
    /// use ringcfg::HaproxyVersion;
    /// assert!(HaproxyVersion::new(3, 5).at_least(3, 1));
    /// assert!(!HaproxyVersion::new(2, 9).at_least(3, 0));
    /// ```
    pub const fn at_least(self, major: u16, minor: u16) -> bool {
        self.major > major || (self.major == major && self.minor >= minor)
    }
}

impl Default for HaproxyVersion {
    fn default() -> Self {
        Self::NEWEST
    }
}

impl fmt::Display for HaproxyVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// Error of [`HaproxyVersion::from_str`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid HAProxy version '{0}': expected MAJOR.MINOR between {min} and {max}, such as 3.5",
    min = HaproxyVersion::OLDEST,
    max = HaproxyVersion::NEWEST
)]
pub struct ParseVersionError(String);

impl FromStr for HaproxyVersion {
    type Err = ParseVersionError;

    /// Parses `3.5`, and also `3.5.2` or `3.5-dev5`, whose extra parts no rule depends on.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || ParseVersionError(text.to_owned());
        let mut parts = text.split(['.', '-']);
        let major = parts.next().and_then(|part| part.parse().ok()).ok_or_else(invalid)?;
        let minor = parts.next().and_then(|part| part.parse().ok()).ok_or_else(invalid)?;
        let version = HaproxyVersion::new(major, minor);
        if version < HaproxyVersion::OLDEST || version > HaproxyVersion::NEWEST {
            return Err(invalid());
        }
        Ok(version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_patch_and_dev_suffix() {
        assert_eq!("3.5".parse(), Ok(HaproxyVersion::new(3, 5)));
        assert_eq!("2.9.1".parse(), Ok(HaproxyVersion::new(2, 9)));
        assert_eq!("3.5-dev5".parse(), Ok(HaproxyVersion::new(3, 5)));
    }

    #[test]
    fn parse_rejects_out_of_range() {
        assert!("2.6".parse::<HaproxyVersion>().is_err());
        assert!("9.0".parse::<HaproxyVersion>().is_err());
        assert!("three".parse::<HaproxyVersion>().is_err());
    }
}

//! Errors and kseal's exit codes (README.md, "Exit codes").
//!
//! Every error carries a [`Location`] naming as much as is known (file, document, Secret, key,
//! line:column) and a message. Messages never contain a secret value: callers pass key names,
//! kids and positions, never plaintext.

use std::fmt;

/// Process exit codes: 0 success, 1 findings, 2 usage or input, 3 crypto, 4 cluster/API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExitCode {
    /// Everything went as asked.
    Success = 0,
    /// `scan` / `verify` found something.
    Findings = 1,
    /// Usage or input error.
    Input = 2,
    /// Wrong key, tampered value.
    Crypto = 3,
    /// Cluster or API error.
    Cluster = 4,
}

/// Where in the input an error happened. Every part is optional; `Display` prints the known
/// parts joined by `: `, e.g. `app.yaml: document 2: Secret prod/db: data.password (line 7, column 13)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    /// The file, or `<stdin>`.
    pub file: Option<String>,
    /// 1-based document number in a multi-document stream.
    pub document: Option<usize>,
    /// `namespace/name` or `name`.
    pub secret: Option<String>,
    /// `data.KEY` or `stringData.KEY`.
    pub key: Option<String>,
    /// 1-based line and column.
    pub line_col: Option<(usize, usize)>,
}

impl Location {
    /// A location in a file.
    pub fn file(file: impl Into<String>) -> Self {
        Location {
            file: Some(file.into()),
            ..Default::default()
        }
    }

    /// Adds the document number.
    pub fn with_document(mut self, document: usize) -> Self {
        self.document = Some(document);
        self
    }

    /// Adds the Secret (`namespace/name` or `name`).
    pub fn with_secret(mut self, secret: impl Into<String>) -> Self {
        self.secret = Some(secret.into());
        self
    }

    /// Adds the key (`data.KEY` or `stringData.KEY`).
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Adds the line and column.
    pub fn at(mut self, line: usize, col: usize) -> Self {
        self.line_col = Some((line, col));
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if let Some(file) = &self.file {
            parts.push(file.clone());
        }
        if let Some(doc) = self.document {
            parts.push(format!("document {doc}"));
        }
        if let Some(secret) = &self.secret {
            parts.push(format!("Secret {secret}"));
        }
        let mut last = self.key.clone().unwrap_or_default();
        if let Some((line, col)) = self.line_col {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(&format!("(line {line}, column {col})"));
        }
        if !last.is_empty() {
            parts.push(last);
        }
        f.write_str(&parts.join(": "))
    }
}

/// What kind of failure, which decides the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// The command line or the environment is wrong: a flag, a missing key file, a kubeconfig
    /// (exit 2).
    Usage,
    /// An input is wrong: a manifest, a key file, a `.kseal.yaml` (exit 2).
    Input,
    /// Reading or writing a file or a stream failed (exit 2); the `io::Error` is the source.
    Io,
    /// A value did not open: wrong key, moved or altered (exit 3).
    Crypto,
    /// The cluster or its API failed (exit 4); the `kube::Error` is the source when there is one.
    Cluster,
    /// Something kseal relies on failed where no input is to blame: making a certificate, setting
    /// up TLS, starting threads (exit 2, as before this kind existed). The cause is the source.
    Internal,
}

/// The error underneath a kseal error, kept for `source()` (and so for callers that need to
/// tell, say, a closed stdout from a full disk) while the message stays kseal's own.
type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A kseal error: a kind, a location, a message that tells the user what to do next, and the
/// underlying error, if any, as its `source()`.
#[derive(Debug)]
pub struct Error {
    /// What failed, which decides the exit code.
    pub kind: Kind,
    /// Boxed: errors travel through every `Result` and should stay small.
    pub location: Box<Location>,
    /// What happened and what to do, for the user.
    pub message: String,
    source: Option<Cause>,
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let loc = self.location.to_string();
        if loc.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{loc}: {}", self.message)
        }
    }
}

impl Error {
    /// An error of `kind` at `location`.
    pub fn new(kind: Kind, location: Location, message: impl Into<String>) -> Self {
        Error {
            kind,
            location: Box::new(location),
            message: message.into(),
            source: None,
        }
    }

    /// Keeps `cause` as this error's `source()`. Its text is not added to the message: callers
    /// choose what of it the user sees (a server message can quote a Secret value).
    pub fn with_source(mut self, cause: impl Into<Cause>) -> Self {
        self.source = Some(cause.into());
        self
    }

    /// Whether this error, or any error under it, is an I/O error of `kind`.
    pub fn has_io_kind(&self, kind: std::io::ErrorKind) -> bool {
        let mut next: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(self);
        while let Some(e) = next {
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == kind)
            {
                return true;
            }
            next = e.source();
        }
        false
    }

    /// A usage error: the command line or the environment (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, Location::default(), message)
    }

    /// An input error at `location` (exit 2).
    pub fn input(location: Location, message: impl Into<String>) -> Self {
        Self::new(Kind::Input, location, message)
    }

    /// A value that did not open at `location` (exit 3).
    pub fn crypto(location: Location, message: impl Into<String>) -> Self {
        Self::new(Kind::Crypto, location, message)
    }

    /// An internal failure (see [`Kind::Internal`]), its cause kept as the source.
    pub fn internal(message: impl Into<String>, cause: impl Into<Cause>) -> Self {
        Self::new(Kind::Internal, Location::default(), message).with_source(cause)
    }

    /// A cluster or API failure (exit 4).
    pub fn cluster(message: impl Into<String>) -> Self {
        Self::new(Kind::Cluster, Location::default(), message)
    }

    /// An I/O error on a named path; the error itself (its kind and text) is kept as the source.
    pub fn io(path: impl Into<String>, err: &std::io::Error) -> Self {
        Self::new(Kind::Io, Location::file(path), io_message(err))
            .with_source(std::io::Error::new(err.kind(), err.to_string()))
    }

    /// Fills in the parts of the location that the error does not know yet (an error raised deep
    /// in the manifest code learns its file name on the way up).
    pub fn within(mut self, outer: &Location) -> Self {
        let loc = &mut self.location;
        if loc.file.is_none() {
            loc.file.clone_from(&outer.file);
        }
        if loc.document.is_none() {
            loc.document = outer.document;
        }
        if loc.secret.is_none() {
            loc.secret.clone_from(&outer.secret);
        }
        if loc.key.is_none() {
            loc.key.clone_from(&outer.key);
        }
        if loc.line_col.is_none() {
            loc.line_col = outer.line_col;
        }
        self
    }

    /// The exit code for this error (README, "Exit codes").
    pub fn exit_code(&self) -> ExitCode {
        match self.kind {
            Kind::Usage | Kind::Input | Kind::Io | Kind::Internal => ExitCode::Input,
            Kind::Crypto => ExitCode::Crypto,
            Kind::Cluster => ExitCode::Cluster,
        }
    }
}

/// A short, lower-case description of an I/O error without the "(os error N)" noise.
pub fn io_message(err: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match err.kind() {
        K::NotFound => "no such file or directory".into(),
        K::PermissionDenied => "permission denied".into(),
        K::AlreadyExists => "already exists".into(),
        K::IsADirectory => "is a directory".into(),
        _ => {
            let s = err.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_lowercase(),
                None => s,
            }
        }
    }
}

/// kseal's `Result`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_display_names_every_known_part() {
        let loc = Location::file("a.yaml")
            .with_document(2)
            .with_secret("prod/db")
            .with_key("data.password")
            .at(7, 13);
        assert_eq!(
            loc.to_string(),
            "a.yaml: document 2: Secret prod/db: data.password (line 7, column 13)"
        );
        assert_eq!(Location::default().to_string(), "");
        assert_eq!(Location::file("x").at(1, 2).to_string(), "x: (line 1, column 2)");
    }

    #[test]
    fn io_errors_keep_their_cause_and_kind() {
        let e = Error::io("<stdout>", &std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert!(e.has_io_kind(std::io::ErrorKind::BrokenPipe));
        assert!(!e.has_io_kind(std::io::ErrorKind::NotFound));
        assert_eq!(e.kind, Kind::Io);
        assert!(std::error::Error::source(&e).is_some());
        assert!(!Error::usage("x").has_io_kind(std::io::ErrorKind::BrokenPipe));
    }

    #[test]
    fn within_keeps_inner_parts_and_fills_missing_ones() {
        let e = Error::input(Location::default().at(3, 4), "bad").within(&Location::file("f.yaml").at(9, 9));
        assert_eq!(e.to_string(), "f.yaml: (line 3, column 4): bad");
        assert_eq!(e.exit_code(), ExitCode::Input);
    }

    #[test]
    fn typed_causes_stay_reachable_and_internal_failures_exit_2() {
        let cause = std::fmt::Error;
        let e = Error::input(Location::file("f"), cause.to_string()).with_source(cause);
        let source = std::error::Error::source(&e).unwrap();
        assert_eq!(source.downcast_ref::<std::fmt::Error>(), Some(&std::fmt::Error));
        assert_eq!(
            e.to_string(),
            format!("f: {cause}"),
            "one line: the message, not the chain"
        );
        let e = Error::internal("TLS setup: no", std::io::Error::other("no"));
        assert_eq!((e.kind, e.exit_code()), (Kind::Internal, ExitCode::Input));
        assert!(std::error::Error::source(&e).is_some());
    }
}

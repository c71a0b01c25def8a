//! Kustomize generators: the files a kustomization's `secretGenerator`s and `configMapGenerator`s
//! read (`envs` and `files`), and findings in those files.

use memchr::memmem;

use kseal_core::manifest::tree::{self, Node, NodeKind};

use crate::classify::str_at;
use crate::detect::finish;
use crate::finding::{Finding, Source};

/// A file a kustomize generator reads: an `envs` file of `KEY=VALUE` lines, or a `files` entry
/// whose whole content is one value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratorFile {
    /// What reads it: `SecretGenerator` (every value is a Secret's) or `ConfigMapGenerator` (the
    /// credential rules decide).
    pub source: Source,
    pub generator: Option<String>,
    pub namespace: Option<String>,
    /// The path as written, relative to the kustomization's folder.
    pub path: String,
    /// `files` entries: the key (`key=path`, else the file name). `None` for `envs` files.
    pub key: Option<String>,
}

impl GeneratorFile {
    /// Where the file is, for the kustomization at `from` that reads it.
    pub fn target(&self, from: &str) -> String {
        join_path(dir_of(from), &self.path)
    }
}

/// The files a kustomization's generators read.
pub fn generator_files(bytes: &[u8]) -> Vec<GeneratorFile> {
    if memmem::find(bytes, b"secretGenerator").is_none()
        && memmem::find(bytes, b"configMapGenerator").is_none()
    {
        return Vec::new();
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Vec::new();
    };
    let Ok(docs) = tree::parse(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for root in docs.iter().filter_map(|d| d.root.as_ref()) {
        for (field, source) in crate::workloads::GENERATORS {
            if let Some(NodeKind::Sequence { items, .. }) = root.get(field).map(|n| &n.kind) {
                items.iter().for_each(|g| generator(source, g, &mut out));
            }
        }
    }
    out
}

/// The `envs` and `files` one generator entry reads.
fn generator(source: Source, g: &Node, out: &mut Vec<GeneratorFile>) {
    let generator = str_at(g, &["name"]).map(String::from);
    let namespace = str_at(g, &["namespace"]).map(String::from);
    let list = |field: &str| -> Vec<&str> {
        match g.get(field).map(|n| &n.kind) {
            Some(NodeKind::Sequence { items, .. }) => items.iter().filter_map(Node::as_str).collect(),
            Some(NodeKind::Scalar { .. }) => g.get(field).and_then(Node::as_str).into_iter().collect(),
            _ => Vec::new(),
        }
    };
    let file = |path: String, key: Option<String>| GeneratorFile {
        source,
        generator: generator.clone(),
        namespace: namespace.clone(),
        path,
        key,
    };
    for env in list("envs").into_iter().chain(list("env")) {
        out.push(file(env.to_string(), None));
    }
    for f in list("files") {
        let (key, path) = match f.split_once('=') {
            Some((k, p)) => (k.to_string(), p.to_string()),
            None => (f.rsplit('/').next().unwrap_or(f).to_string(), f.to_string()),
        };
        out.push(file(path, Some(key)));
    }
}

/// The folder part of a `/`-separated path (`""` at the top).
pub fn dir_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// `dir/rel` with `.` and `..` resolved, `/`-separated, as git paths are.
pub fn join_path(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// The finding for the content of a generator's file found at `path`.
pub fn generator_file_finding(gf: &GeneratorFile, path: &str, bytes: &[u8]) -> Vec<Finding> {
    let hit =
        |key: &str, value: &str, line: usize| crate::workloads::generator_hit(gf.source, key, value, line);
    let mut keys = Vec::new();
    match &gf.key {
        Some(key) => keys.extend(hit(key, &String::from_utf8_lossy(bytes), 1)),
        None => {
            let Ok(text) = std::str::from_utf8(bytes) else {
                return Vec::new();
            };
            for (i, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.starts_with('#') {
                    continue;
                }
                if let Some((key, value)) = line.split_once('=') {
                    keys.extend(hit(key.trim(), value, i + 1));
                }
            }
        }
    }
    let found = Finding::new(
        gf.source,
        path,
        1,
        gf.namespace.clone(),
        gf.generator.clone(),
        keys,
    );
    finish(found.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generator_envs_and_files_are_listed_and_read() {
        let k = b"secretGenerator:\n- name: app\n  envs: [secrets.env]\n  files: [tls.key=../certs/key.pem, config/token]\n";
        let files = generator_files(k);
        assert_eq!(files.len(), 3);
        assert_eq!(
            (files[1].key.as_deref(), files[1].path.as_str()),
            (Some("tls.key"), "../certs/key.pem")
        );
        assert_eq!(files[2].key.as_deref(), Some("token"));
        assert_eq!(
            join_path("overlays/prod", "../certs/key.pem"),
            "overlays/certs/key.pem"
        );
        assert_eq!(join_path("", "./a.env"), "a.env");
        let f = generator_file_finding(
            &files[0],
            "secrets.env",
            b"# c\nUSER=admin\nEMPTY=\nPASSWORD=hunter2\n",
        );
        assert_eq!(f.len(), 1);
        let f = &f[0];
        let keys: Vec<(&str, usize)> = f.keys.iter().map(|k| (k.key.as_str(), k.line)).collect();
        assert_eq!(keys, [("USER", 2), ("PASSWORD", 4)]);
        assert_eq!(f.name.as_deref(), Some("app"));
        assert!(generator_file_finding(&files[2], "config/token", b"").is_empty());
    }
}

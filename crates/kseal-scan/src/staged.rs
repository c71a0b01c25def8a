//! `--staged`: what the next commit will contain.

use kseal_core::error::Error;

use crate::history::{git_error, Scanned};
use crate::scan_with_generators;

/// `--staged`: the whole blob of every entry in the index (what the next commit will contain),
/// as a pre-commit hook needs, not diff hunks.
pub fn scan_staged(repo: &gix::Repository) -> Result<Scanned, Error> {
    let index = repo.open_index().map_err(|e| git_error("reading the index", e))?;
    let mut out = Scanned::default();
    for entry in index.entries() {
        let path = entry.path(&index).to_string();
        if entry.mode.is_submodule() {
            out.submodules.push(path);
            continue;
        }
        let Ok(obj) = repo.find_object(entry.id) else {
            out.unreadable.push((path, entry.id.to_string()));
            continue;
        };
        out.findings.extend(scan_with_generators(&path, &obj.data, |p| {
            let e = index.entry_by_path(p.into())?;
            repo.find_object(e.id).ok().map(|o| o.data.clone())
        }));
    }
    crate::dedup(&mut out.findings);
    crate::charts::label(&mut out.findings, |_, dir| {
        index
            .entries()
            .iter()
            .filter(|e| e.path(&index).starts_with(dir.as_bytes()))
            .filter_map(|e| {
                Some((
                    e.path(&index).to_string(),
                    repo.find_object(e.id).ok()?.detach().data,
                ))
            })
            .collect()
    });
    Ok(out)
}

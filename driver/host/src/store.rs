//! A directory as nonvolatile storage: one file per record, each written atomically.
//!
//! ```text
//!   cli ──► core Provider ──► RecordStore ──► DirStore (this file) ──► files in DIR
//! ```
//!
//! Layout of the directory:
//!
//! ```text
//!   DIR/.lock          held exclusively (`File::lock`) for the life of a `DirStore`, so that
//!                      concurrent `iscsisec` processes take turns
//!   DIR/NAME           one record, named by the core (`group-key`, `psk-<hex>`, …)
//!   DIR/.NAME.tmp      a write in progress; a leftover one (a crash mid-write) is deleted at open
//! ```
//!
//! A write goes to `.NAME.tmp`, is flushed with `sync_all`, renamed over `NAME` and the
//! directory is flushed: after a crash at any instant the record reads either old or new, never
//! torn (the [`RecordStore::write`] contract). On Unix the directory is mode 0700 and every file
//! 0600. This file decides nothing about record contents: it moves bytes; the core checks them.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use iscsisec_core::record::MAX_RECORD_LEN;
use iscsisec_core::store::Visitor;
use iscsisec_core::{RecordStore, StoreError};
use zeroize::{Zeroize, Zeroizing};

/// Name of the lock file inside the state directory.
pub const LOCK_FILE: &str = ".lock";

/// Most bytes read from one record file: one more than the longest valid record, so that an
/// overlong file reaches the core (which refuses it) without being read whole.
pub const READ_LIMIT: usize = MAX_RECORD_LEN + 1;

/// A [`RecordStore`] over a directory, holding the directory's lock while it lives.
pub struct DirStore {
    dir: PathBuf,
    /// The open lock file; the exclusive lock is released when it closes.
    _lock: File,
    /// File names that are not valid UTF-8, by the lossy name `load` reported them under, so
    /// that removing such a (corrupt) record removes the right file.
    lossy_names: BTreeMap<String, OsString>,
    /// What went wrong in storage since the last [`DirStore::take_failures`], for the log. A
    /// `Cell` so that a host can drain it through the core's `Provider::store` (`&self`).
    failures: Cell<Vec<String>>,
}

impl fmt::Debug for DirStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DirStore")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl DirStore {
    /// Opens (creating it and its parents if missing) the state directory `dir`, takes its
    /// lock, waiting while another process holds it, and deletes leftover temporary files.
    ///
    /// On Unix a created directory gets mode 0700, and an existing one that others may read is
    /// narrowed to 0700.
    ///
    /// # Errors
    ///
    /// The directory cannot be created, narrowed or read, or the lock file cannot be opened or
    /// locked; the message names the path and the failed step.
    pub fn open(dir: &Path) -> Result<DirStore, String> {
        create_private_dir(dir).map_err(|e| describe("cannot create", dir, &e))?;
        let lock_path = dir.join(LOCK_FILE);
        let lock = private_file_options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(|e| describe("cannot open", &lock_path, &e))?;
        lock.lock()
            .map_err(|e| describe("cannot lock", &lock_path, &e))?;
        let mut store = DirStore {
            dir: dir.to_path_buf(),
            _lock: lock,
            lossy_names: BTreeMap::new(),
            failures: Cell::new(Vec::new()),
        };
        store.remove_leftover_temps()?;
        Ok(store)
    }

    /// The state directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Descriptions of the storage failures met since the last call (never secret bytes), for
    /// the caller to log; the core itself only answers `ISDSC_NON_SPECIFIC_ERROR`.
    pub fn take_failures(&self) -> Vec<String> {
        self.failures.take()
    }

    fn remove_leftover_temps(&mut self) -> Result<(), String> {
        let entries =
            fs::read_dir(&self.dir).map_err(|e| describe("cannot read", &self.dir, &e))?;
        let mut removed = false;
        for entry in entries {
            let entry = entry.map_err(|e| describe("cannot read", &self.dir, &e))?;
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if !is_dir && is_temp_name(&entry.file_name().to_string_lossy()) {
                let path = entry.path();
                fs::remove_file(&path).map_err(|e| describe("cannot remove", &path, &e))?;
                removed = true;
            }
        }
        if removed {
            sync_dir(&self.dir).map_err(|e| describe("cannot flush", &self.dir, &e))?;
        }
        Ok(())
    }

    /// Records a failure for the log and builds the core's error.
    fn fail(&self, what: &'static str, path: &Path, e: &io::Error) -> StoreError {
        let mut failures = self.failures.take();
        failures.push(describe(what, path, e));
        self.failures.set(failures);
        StoreError { what }
    }

    fn record_path(&self, name: &str) -> Result<PathBuf, StoreError> {
        if let Some(raw) = self.lossy_names.get(name) {
            return Ok(self.dir.join(raw));
        }
        if !is_plain_name(name) {
            return Err(StoreError {
                what: "record name is not a plain file name",
            });
        }
        Ok(self.dir.join(name))
    }

    fn write_inner(&mut self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let target = self.record_path(name)?;
        let temp = self.dir.join(format!(".{name}.tmp"));
        let written = write_synced(&temp, bytes);
        if let Err(e) = written {
            // Best effort: a leftover temp file is also removed at the next open.
            let _ = fs::remove_file(&temp);
            return Err(self.fail("cannot write", &temp, &e));
        }
        if let Err(e) = fs::rename(&temp, &target) {
            let _ = fs::remove_file(&temp);
            return Err(self.fail("cannot rename into place", &target, &e));
        }
        sync_dir(&self.dir).map_err(|e| self.fail("cannot flush", &self.dir, &e))
    }
}

impl RecordStore for DirStore {
    fn write(&mut self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        self.write_inner(name, bytes)
    }

    fn remove(&mut self, name: &str) -> Result<(), StoreError> {
        let path = self.record_path(name)?;
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(self.fail("cannot remove", &path, &e)),
        }
        self.lossy_names.remove(name);
        sync_dir(&self.dir).map_err(|e| self.fail("cannot flush", &self.dir, &e))
    }

    fn load(&mut self, visit: &mut Visitor<'_>) -> Result<(), StoreError> {
        let mut entries = Vec::new();
        let listing =
            fs::read_dir(&self.dir).map_err(|e| self.fail("cannot read", &self.dir, &e))?;
        for entry in listing {
            let entry = entry.map_err(|e| self.fail("cannot read", &self.dir, &e))?;
            let raw = entry.file_name();
            let name = raw.to_string_lossy().into_owned();
            if name == LOCK_FILE || is_temp_name(&name) {
                continue;
            }
            // Anything else, a directory included, stands where a record could be: it goes to the
            // core (as unreadable if it is not a regular file), which counts it as damage
            // rather than letting an entry vanish silently.
            if raw.to_str().is_none() {
                self.lossy_names.insert(name.clone(), raw.clone());
            }
            entries.push((name, entry.path()));
        }
        // A stable order makes runs reproducible; the core does not depend on it.
        entries.sort();

        let mut buf = Zeroizing::new(vec![0u8; READ_LIMIT]);
        for (name, path) in entries {
            buf.as_mut_slice().zeroize();
            match read_bounded(&path, buf.as_mut_slice()) {
                Ok(len) => visit(&name, Ok(buf.get(..len).unwrap_or(&[]))),
                Err(e) => {
                    let error = self.fail("cannot read a record", &path, &e);
                    visit(&name, Err(error));
                }
            }
        }
        Ok(())
    }
}

/// Whether `name` is a temporary file of [`DirStore`]'s writes: `.NAME.tmp`.
fn is_temp_name(name: &str) -> bool {
    name.len() > ".tmp".len() && name.starts_with('.') && name.ends_with(".tmp")
}

/// Whether `name` names a file directly inside the directory (no separator, not `.`/`..`).
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name != LOCK_FILE
        && !is_temp_name(name)
        && !name.contains(['/', '\\', '\0'])
}

/// Reads at most `buf.len()` bytes of a regular file into `buf`; anything that is not a
/// regular file (a symlink, a FIFO, a device) is an error, so a planted FIFO cannot block.
fn read_bounded(path: &Path, buf: &mut [u8]) -> io::Result<usize> {
    if !fs::symlink_metadata(path)?.file_type().is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    let mut file = File::open(path)?;
    let mut filled = 0;
    while let Some(rest) = buf.get_mut(filled..) {
        if rest.is_empty() {
            break;
        }
        match file.read(rest) {
            Ok(0) => break,
            Ok(n) => filled = filled.saturating_add(n).min(buf.len()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Creates `path` (mode 0600 on Unix, whatever its previous mode), writes `bytes` and flushes
/// them to the device.
fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = private_file_options()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    narrow_file(&file)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn describe(what: &str, path: &Path, e: &io::Error) -> String {
    format!("{what} {}: {e}", path.display())
}

#[cfg(unix)]
fn private_file_options() -> OpenOptions {
    use std::os::unix::fs::OpenOptionsExt;
    let mut o = OpenOptions::new();
    o.mode(0o600);
    o
}

#[cfg(not(unix))]
fn private_file_options() -> OpenOptions {
    OpenOptions::new()
}

/// Sets mode 0600 on an open file (a leftover temp file may have another mode).
#[cfg(unix)]
fn narrow_file(file: &File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn narrow_file(_file: &File) -> io::Result<()> {
    Ok(())
}

/// Creates `dir` and missing parents with mode 0700, and narrows an existing `dir` to 0700.
#[cfg(unix)]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let mode = fs::metadata(dir)?.permissions().mode();
    if mode & 0o777 != 0o700 {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)
}

/// Flushes the directory entry changes (a rename or a removal) to the device.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Windows cannot open a directory for flushing through `std`; NTFS journals the rename.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(store: &mut DirStore) -> Vec<(String, Result<Vec<u8>, StoreError>)> {
        let mut seen = Vec::new();
        store
            .load(&mut |name, bytes| seen.push((name.to_owned(), bytes.map(<[u8]>::to_vec))))
            .unwrap();
        seen
    }

    #[test]
    fn write_load_replace_remove() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b/state");
        let mut store = DirStore::open(&dir).unwrap();
        store.write("group-key", b"one").unwrap();
        store.write("psk-00", b"two").unwrap();
        store.write("group-key", b"three").unwrap();
        assert_eq!(
            collect(&mut store),
            vec![
                ("group-key".to_owned(), Ok(b"three".to_vec())),
                ("psk-00".to_owned(), Ok(b"two".to_vec())),
            ]
        );
        store.remove("psk-00").unwrap();
        store.remove("psk-00").unwrap();
        store.remove("never-written").unwrap();
        assert_eq!(collect(&mut store).len(), 1);
        let left: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(left, vec![".lock".to_owned(), "group-key".to_owned()]);
    }

    #[test]
    fn reopening_sees_what_was_written_and_deletes_leftover_temps() {
        let tmp = tempfile::tempdir().unwrap();
        {
            let mut store = DirStore::open(tmp.path()).unwrap();
            store.write("chap-secret", b"bytes").unwrap();
        }
        fs::write(tmp.path().join(".chap-secret.tmp"), b"half a rec").unwrap();
        fs::write(tmp.path().join(".psk-1.tmp"), b"").unwrap();
        let mut store = DirStore::open(tmp.path()).unwrap();
        assert!(!tmp.path().join(".chap-secret.tmp").exists());
        assert!(!tmp.path().join(".psk-1.tmp").exists());
        assert_eq!(
            collect(&mut store),
            vec![("chap-secret".to_owned(), Ok(b"bytes".to_vec()))]
        );
    }

    #[test]
    fn reads_are_bounded_and_foreign_entries_are_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = DirStore::open(tmp.path()).unwrap();
        fs::write(tmp.path().join("huge"), vec![7u8; READ_LIMIT * 3]).unwrap();
        fs::create_dir(tmp.path().join("subdir")).unwrap();
        let seen = collect(&mut store);
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].0, "huge");
        assert_eq!(seen[0].1.as_ref().unwrap().len(), READ_LIMIT);
        // A directory where a record could be is reported, so the core counts it as damage.
        assert_eq!(seen[1].0, "subdir");
        assert!(seen[1].1.is_err());
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_entries_reach_the_visitor_as_errors_and_can_be_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = DirStore::open(tmp.path()).unwrap();
        std::os::unix::fs::symlink("/dev/zero", tmp.path().join("link")).unwrap();
        let seen = collect(&mut store);
        assert_eq!(seen.len(), 1);
        assert!(seen[0].1.is_err());
        assert_eq!(store.take_failures().len(), 1);
        store.remove("link").unwrap();
        assert!(fs::symlink_metadata(tmp.path().join("link")).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_names_are_reported_lossily_and_removed_by_that_name() {
        use std::os::unix::ffi::OsStrExt;
        let tmp = tempfile::tempdir().unwrap();
        let raw = std::ffi::OsStr::from_bytes(b"bad-\xff-name");
        fs::write(tmp.path().join(raw), b"x").unwrap();
        let mut store = DirStore::open(tmp.path()).unwrap();
        let seen = collect(&mut store);
        assert_eq!(seen.len(), 1);
        let lossy = seen[0].0.clone();
        assert_eq!(lossy, "bad-\u{fffd}-name");
        store.remove(&lossy).unwrap();
        assert!(!tmp.path().join(raw).exists());
    }

    #[test]
    fn names_that_would_leave_the_directory_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = DirStore::open(&tmp.path().join("s")).unwrap();
        for bad in ["", ".", "..", "../x", "a/b", "a\\b", ".lock", ".x.tmp"] {
            assert!(store.write(bad, b"x").is_err(), "{bad:?}");
            assert!(store.remove(bad).is_err(), "{bad:?}");
        }
        assert!(!tmp.path().join("x").exists());
    }

    #[test]
    fn the_lock_is_exclusive_while_the_store_lives() {
        let tmp = tempfile::tempdir().unwrap();
        let store = DirStore::open(tmp.path()).unwrap();
        let other = File::options()
            .read(true)
            .write(true)
            .open(tmp.path().join(LOCK_FILE))
            .unwrap();
        assert!(other.try_lock().is_err());
        drop(store);
        assert!(other.try_lock().is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn modes_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("state");
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        let mut store = DirStore::open(&dir).unwrap();
        store.write("group-key", b"k").unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("group-key")), 0o600);
        assert_eq!(mode(&dir.join(LOCK_FILE)), 0o600);
    }

    #[test]
    fn debug_shows_only_the_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let store = DirStore::open(tmp.path()).unwrap();
        assert!(format!("{store:?}").starts_with("DirStore { dir: "));
    }
}

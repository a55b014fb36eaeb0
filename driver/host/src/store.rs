//! A directory as nonvolatile storage: one file per record, each written atomically.
//!
//! ```text
//!   cli ──► core Provider ──► RecordStore ──► DirStore (this file) ──► files in DIR
//! ```
//!
//! Layout of the directory:
//!
//! ```text
//!   DIR/.lock          locked for the life of a `DirStore` (exclusively to change records,
//!                      shared to only read them), so that concurrent `iscsisec` processes
//!                      take turns
//!   DIR/NAME           one record, named by the core (`group-key`, `psk-<hex>`, …)
//!   DIR/.NAME.tmp      a write in progress; a leftover one (a crash mid-write) is deleted at open
//!   anything else      not ours: reported to the core (which counts it as a foreign entry or,
//!                      at a record's name, as damage), never read unless it has a record's
//!                      name, never removed unless the core removes that record
//! ```
//!
//! A write goes to a new `.NAME.tmp`, is flushed (`sync_all`), renamed over `NAME`, and the
//! directory is flushed: after a crash at any instant the record reads either old or new, never
//! torn (the [`RecordStore::write`] contract). Directories the store creates (the state
//! directory and missing parents) get mode 0700 on Unix and are flushed into their parents; a
//! directory that already exists keeps its mode. Record and lock files are created 0600. A state
//! directory or lock file that is a symbolic link is refused. A directory that can be read but
//! not written (a file system remounted read-only) still opens: records load, and every change
//! fails, which the core answers with `ISDSC_NON_SPECIFIC_ERROR`.
//!
//! The core only learns that a storage operation failed; why (the path, the OS error) goes to
//! the sink the host hands [`DirStore::open`], at the moment the failure is met, so that no
//! caller has to remember to ask for it.
//!
//! On Windows the directory is flushed through a handle opened with
//! `FILE_FLAG_BACKUP_SEMANTICS` (`FlushFileBuffers`), so that a rename is durable when a write
//! returns. This file decides nothing about record contents: it moves bytes; the core checks
//! them, and decides (`record::RecordName::parse`) which names can be records.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use iscsisec_core::record::{MAX_RECORD_LEN, RecordName};
use iscsisec_core::store::Visitor;
use iscsisec_core::{RecordStore, StoreError};
use zeroize::{Zeroize, Zeroizing};

/// Name of the lock file inside the state directory.
pub const LOCK_FILE: &str = ".lock";

/// Most bytes read from one record file: one more than the longest valid record, so that an
/// overlong file reaches the core (which refuses it) without being read whole.
pub const READ_LIMIT: usize = MAX_RECORD_LEN + 1;

/// What a [`DirStore`] is opened for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read and change records: the lock is taken exclusively, leftover temporary files are
    /// deleted. On a directory that cannot be written the store still opens, and every change
    /// fails.
    Change,
    /// Only read records (`lookup`, `show`): the lock is shared with other readers, and every
    /// change fails.
    Read,
}

/// Where a [`DirStore`] reports each storage failure as it meets it: one line naming the step,
/// the path and the OS error (never record bytes). The core answers such a failure only with
/// `ISDSC_NON_SPECIFIC_ERROR`, or counts an unreadable record as corrupt; this says why.
pub type FailureSink = Box<dyn Fn(&str) + Send + Sync>;

/// A [`RecordStore`] over a directory, holding the directory's lock while it lives.
pub struct DirStore {
    dir: PathBuf,
    /// The open lock file (the lock is released when it closes); `None` only when the
    /// directory cannot be written and holds no lock file, so no writer can be using it.
    _lock: Option<File>,
    /// Changes are refused: opened with [`Access::Read`].
    read_only: bool,
    /// Told of every storage failure as it happens.
    failures: FailureSink,
}

impl fmt::Debug for DirStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DirStore")
            .field("dir", &self.dir)
            .field("read_only", &self.read_only)
            .finish_non_exhaustive()
    }
}

impl DirStore {
    /// Opens the state directory `dir` for `access`, creating it and any missing parents
    /// (mode 0700 on Unix, each flushed into its parent), takes its lock, waiting while
    /// another process holds it, and, to change records, deletes leftover temporary files.
    /// Every storage failure met later, while the core reads or changes records, is told to
    /// `failures` at once (see [`FailureSink`]).
    ///
    /// # Errors
    ///
    /// `dir` or its lock file is a symbolic link, `dir` is not a directory, or it cannot be
    /// created, read or locked; the message names the path and the failed step.
    pub fn open(
        dir: &Path,
        access: Access,
        failures: impl Fn(&str) + Send + Sync + 'static,
    ) -> Result<DirStore, String> {
        match fs::symlink_metadata(dir) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(format!(
                    "the state directory {} is a symbolic link; refusing it (pass the directory \
                     it points to)",
                    dir.display()
                ));
            }
            Ok(meta) if !meta.is_dir() => {
                return Err(format!("{} is not a directory", dir.display()));
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                create_private_dirs(dir)?;
            }
            Err(e) => return Err(describe("cannot read", dir, &e)),
        }
        let (lock, writable) = open_lock(dir)?;
        if let Some(lock) = &lock {
            let lock_path = dir.join(LOCK_FILE);
            let locked = if access == Access::Change && writable {
                lock.lock()
            } else {
                lock.lock_shared()
            };
            locked.map_err(|e| describe("cannot lock", &lock_path, &e))?;
        }
        let store = DirStore {
            dir: dir.to_path_buf(),
            _lock: lock,
            read_only: access == Access::Read,
            failures: Box::new(failures),
        };
        if access == Access::Change && writable {
            store.remove_leftover_temps()?;
        }
        Ok(store)
    }

    /// The state directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Deletes what a crash mid-write left behind: temporary files (and anything else that is
    /// not a directory) at temporary names. A directory there is left alone and reported by
    /// `load`.
    fn remove_leftover_temps(&self) -> Result<(), String> {
        let entries =
            fs::read_dir(&self.dir).map_err(|e| describe("cannot read", &self.dir, &e))?;
        let mut removed = false;
        for entry in entries {
            let entry = entry.map_err(|e| describe("cannot read", &self.dir, &e))?;
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if !is_dir && temp_target(&entry.file_name().to_string_lossy()).is_some() {
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

    /// Tells the sink of a failure and builds the core's error.
    fn fail(&self, what: &'static str, path: &Path, e: &io::Error) -> StoreError {
        (self.failures)(&describe(what, path, e));
        StoreError { what }
    }

    fn record_path(&self, name: &str) -> Result<PathBuf, StoreError> {
        if self.read_only {
            return Err(StoreError {
                what: "the store was opened to read only",
            });
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
            // Best effort: a leftover temp file is also removed at the next open. Never a
            // directory: `remove_file` refuses those.
            if e.kind() != io::ErrorKind::AlreadyExists {
                let _ = fs::remove_file(&temp);
            }
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
            // An empty directory at a record's name (damage) can go; a full one is the user's.
            Err(e) if fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) => {
                fs::remove_dir(&path).map_err(|_| self.fail("cannot remove", &path, &e))?;
            }
            Err(e) => return Err(self.fail("cannot remove", &path, &e)),
        }
        sync_dir(&self.dir).map_err(|e| self.fail("cannot flush", &self.dir, &e))
    }

    fn load(&mut self, visit: &mut Visitor<'_>) -> Result<(), StoreError> {
        let mut entries = Vec::new();
        let listing =
            fs::read_dir(&self.dir).map_err(|e| self.fail("cannot read", &self.dir, &e))?;
        for entry in listing {
            let entry = entry.map_err(|e| self.fail("cannot read", &self.dir, &e))?;
            let raw = entry.file_name();
            let name = name_bytes(&raw);
            if name == LOCK_FILE.as_bytes() {
                continue;
            }
            let shown = raw.to_string_lossy();
            if let Some(target) = temp_target(&shown) {
                // A leftover temporary file is ours and goes at the next open for changes.
                // Anything else there (a directory) blocks every write of its record: say so,
                // and report it (a foreign entry: a temporary name is no record name).
                if entry.file_type().is_ok_and(|t| t.is_file()) {
                    continue;
                }
                (self.failures)(&format!(
                    "{} is not a file: every write of record {target} fails until it is removed",
                    entry.path().display()
                ));
            }
            entries.push((name, entry.path()));
        }
        // A stable order makes runs reproducible; the core does not depend on it.
        entries.sort();

        let mut buf = Zeroizing::new(vec![0u8; READ_LIMIT]);
        // Bytes of `buf` a previous record may still hold: wiped before the next read.
        let mut dirty = 0;
        for (name, path) in entries {
            // Only what could be a record is read; the core decides which names those are.
            if RecordName::parse(&name).is_none() {
                visit(
                    &name,
                    Err(StoreError {
                        what: "not read: not a record name",
                    }),
                );
                continue;
            }
            if let Some(used) = buf.get_mut(..dirty) {
                used.zeroize();
            }
            match read_bounded(&path, buf.as_mut_slice()) {
                Ok(len) => {
                    dirty = len;
                    visit(&name, Ok(buf.get(..len).unwrap_or(&[])));
                }
                Err(e) => {
                    // A read that failed part way may have filled any of it.
                    dirty = READ_LIMIT;
                    let error = self.fail("cannot read a record", &path, &e);
                    visit(&name, Err(error));
                }
            }
        }
        Ok(())
    }
}

/// The name as the file system holds it: its bytes on Unix; on Windows its UTF-8 form, or
/// for a name that is not valid UTF-16 a lossy form (which is never a record name).
fn name_bytes(name: &std::ffi::OsStr) -> Vec<u8> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        name.as_bytes().to_vec()
    }
    #[cfg(not(unix))]
    {
        name.to_string_lossy().into_owned().into_bytes()
    }
}

/// The record a temporary name `.NAME.tmp` belongs to, if it is one.
fn temp_target(name: &str) -> Option<&str> {
    name.strip_prefix('.')?
        .strip_suffix(".tmp")
        .filter(|target| !target.is_empty())
}

/// Whether `name` names a file directly inside the directory (no separator, not `.`/`..`).
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name != LOCK_FILE
        && temp_target(name).is_none()
        && !name.contains(['/', '\\', '\0'])
}

/// Opens (creating it if missing) the lock file, and says whether the directory can be
/// written. A directory that cannot be written is read under a shared lock on an existing lock
/// file, or without a lock when there is none (then no writer can be using it either).
fn open_lock(dir: &Path) -> Result<(Option<File>, bool), String> {
    let path = dir.join(LOCK_FILE);
    if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(format!(
            "the lock file {} is a symbolic link; refusing it",
            path.display()
        ));
    }
    let writable = private_file_options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path);
    let denied = match writable {
        Ok(file) => return Ok((Some(file), true)),
        Err(e) if cannot_write(&e) => e,
        Err(e) => return Err(describe("cannot open", &path, &e)),
    };
    match File::open(&path) {
        Ok(file) => Ok((Some(file), false)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok((None, false)),
        Err(_) => Err(describe("cannot open", &path, &denied)),
    }
}

/// Whether an error says the directory cannot be written, as opposed to something broken.
fn cannot_write(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ReadOnlyFilesystem | io::ErrorKind::PermissionDenied
    )
}

/// Reads at most `buf.len()` bytes of a regular file into `buf`; anything that is not a
/// regular file (a symlink, a FIFO, a device, a directory) is an error, so that a planted FIFO
/// cannot block and a link cannot lead anywhere.
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

/// Creates `path` anew (mode 0600 on Unix; never through a symbolic link, never over
/// anything: a leftover file there is removed first), writes `bytes` and flushes them to the
/// device.
fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let create = || {
        private_file_options()
            .write(true)
            .create_new(true)
            .open(path)
    };
    let mut file = match create() {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            // A leftover temp file (or link, or FIFO) from a crash: ours to remove. A
            // directory is not, and `remove_file` fails on it.
            fs::remove_file(path).map_err(|_| e)?;
            create()?
        }
        other => other?,
    };
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

/// Creates `dir` and every missing parent, top down, each with mode 0700 on Unix and each
/// flushed into its parent, so that a record written inside survives a crash. Existing
/// directories are not touched.
fn create_private_dirs(dir: &Path) -> Result<(), String> {
    let mut missing = Vec::new();
    let mut at = Some(dir);
    while let Some(path) = at.filter(|p| !p.as_os_str().is_empty()) {
        match fs::symlink_metadata(path) {
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::NotFound => missing.push(path),
            Err(e) => return Err(describe("cannot read", path, &e)),
        }
        at = path.parent();
    }
    for path in missing.into_iter().rev() {
        match private_dir_builder().create(path) {
            Ok(()) => {}
            // Made meanwhile by someone else: theirs, and already in place.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(describe("cannot create", path, &e)),
        }
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        sync_dir(parent).map_err(|e| describe("cannot flush", parent, &e))?;
    }
    Ok(())
}

#[cfg(unix)]
fn private_dir_builder() -> fs::DirBuilder {
    use std::os::unix::fs::DirBuilderExt;
    let mut b = fs::DirBuilder::new();
    b.mode(0o700);
    b
}

#[cfg(not(unix))]
fn private_dir_builder() -> fs::DirBuilder {
    fs::DirBuilder::new()
}

/// Flushes the directory entry changes (a creation, a rename or a removal) to the device.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Flushes the directory entry changes to the device: `FlushFileBuffers` on a handle to the
/// directory, which Windows opens only with `FILE_FLAG_BACKUP_SEMANTICS` and flushes only
/// with write access.
#[cfg(windows)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    use std::os::windows::fs::OpenOptionsExt;
    /// `FILE_FLAG_BACKUP_SEMANTICS` (winbase.h): lets `CreateFileW` open a directory.
    const FILE_FLAG_BACKUP_SEMANTICS: u32 = 0x0200_0000;
    OpenOptions::new()
        .write(true)
        .custom_flags(FILE_FLAG_BACKUP_SEMANTICS)
        .open(dir)?
        .sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    type Seen = Vec<(Vec<u8>, Result<Vec<u8>, StoreError>)>;

    fn collect(store: &mut DirStore) -> Seen {
        let mut seen = Vec::new();
        store
            .load(&mut |name, bytes| seen.push((name.to_vec(), bytes.map(<[u8]>::to_vec))))
            .unwrap();
        seen
    }

    /// What a store's [`FailureSink`] was told, in order.
    #[derive(Clone, Default)]
    struct Told(Arc<Mutex<Vec<String>>>);

    impl Told {
        fn lines(&self) -> Vec<String> {
            self.0.lock().unwrap().clone()
        }
    }

    fn open_as(dir: &Path, access: Access) -> (DirStore, Told) {
        let told = Told::default();
        let sink = told.clone();
        let store = DirStore::open(dir, access, move |m| {
            sink.0.lock().unwrap().push(m.to_owned())
        })
        .unwrap();
        (store, told)
    }

    fn open(dir: &Path) -> (DirStore, Told) {
        open_as(dir, Access::Change)
    }

    const PSK_A: &str = "psk-0123456789abcdef0123456789abcdef";

    #[test]
    fn write_load_replace_remove() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b/state");
        let (mut store, told) = open(&dir);
        store.write("group-key", b"one").unwrap();
        store.write(PSK_A, b"two").unwrap();
        store.write("group-key", b"three").unwrap();
        assert_eq!(
            collect(&mut store),
            vec![
                (b"group-key".to_vec(), Ok(b"three".to_vec())),
                (PSK_A.as_bytes().to_vec(), Ok(b"two".to_vec())),
            ]
        );
        store.remove(PSK_A).unwrap();
        store.remove(PSK_A).unwrap();
        store.remove("never-written").unwrap();
        assert_eq!(collect(&mut store).len(), 1);
        let left: std::collections::BTreeSet<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(
            left.into_iter().collect::<Vec<_>>(),
            vec![".lock".to_owned(), "group-key".to_owned()]
        );
        assert_eq!(told.lines(), Vec::<String>::new(), "nothing failed");
    }

    #[test]
    fn reopening_sees_what_was_written_and_deletes_leftover_temps() {
        let tmp = tempfile::tempdir().unwrap();
        {
            let (mut store, _) = open(tmp.path());
            store.write("chap-secret", b"bytes").unwrap();
        }
        fs::write(tmp.path().join(".chap-secret.tmp"), b"half a rec").unwrap();
        fs::write(tmp.path().join(".psk-1.tmp"), b"").unwrap();
        let (mut store, told) = open(tmp.path());
        assert!(!tmp.path().join(".chap-secret.tmp").exists());
        assert!(!tmp.path().join(".psk-1.tmp").exists());
        assert_eq!(
            collect(&mut store),
            vec![(b"chap-secret".to_vec(), Ok(b"bytes".to_vec()))]
        );
        // A leftover temp file at write time (planted after open) is replaced, not followed.
        fs::write(tmp.path().join(".group-key.tmp"), b"stale").unwrap();
        store.write("group-key", b"fresh").unwrap();
        assert_eq!(fs::read(tmp.path().join("group-key")).unwrap(), b"fresh");
        assert_eq!(told.lines(), Vec::<String>::new(), "nothing failed");
    }

    #[test]
    fn reads_are_bounded_and_every_entry_is_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let (mut store, told) = open(tmp.path());
        fs::write(tmp.path().join(PSK_A), vec![7u8; READ_LIMIT * 3]).unwrap();
        fs::create_dir(tmp.path().join("group-key")).unwrap();
        fs::create_dir(tmp.path().join("lost+found")).unwrap();
        fs::write(tmp.path().join("notes.txt"), b"not read").unwrap();
        let seen = collect(&mut store);
        let names: Vec<&[u8]> = seen.iter().map(|(n, _)| n.as_slice()).collect();
        assert_eq!(
            names,
            [
                &b"group-key"[..],
                b"lost+found",
                b"notes.txt",
                PSK_A.as_bytes()
            ]
        );
        // A directory at a record's name goes to the core as unreadable (damage there).
        assert_eq!(
            seen[0].1,
            Err(StoreError {
                what: "cannot read a record"
            })
        );
        // Foreign entries are reported without being read.
        let not_read = Err(StoreError {
            what: "not read: not a record name",
        });
        assert_eq!((&seen[1].1, &seen[2].1), (&not_read, &not_read));
        assert_eq!(seen[3].1, Ok(vec![7u8; READ_LIMIT]));
        // Only the damage is told, naming its path.
        let told = told.lines();
        let prefix = format!(
            "cannot read a record {}: ",
            tmp.path().join("group-key").display()
        );
        assert!(told.len() == 1 && told[0].starts_with(&prefix), "{told:?}");
    }

    #[test]
    fn a_directory_at_a_temporary_name_is_reported_and_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let blocker = tmp.path().join(".group-key.tmp");
        fs::create_dir(&blocker).unwrap();
        let (mut store, told) = open(tmp.path());
        assert!(blocker.is_dir());
        let seen = collect(&mut store);
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].0, b".group-key.tmp");
        assert_eq!(
            told.lines(),
            [format!(
                "{} is not a file: every write of record group-key fails until it is removed",
                blocker.display()
            )]
        );
        // The failed write is told at once, before the core sees its error.
        assert_eq!(
            store.write("group-key", b"k"),
            Err(StoreError {
                what: "cannot write"
            })
        );
        let told = told.lines();
        let prefix = format!("cannot write {}: ", blocker.display());
        assert!(told.len() == 2 && told[1].starts_with(&prefix), "{told:?}");
        assert!(blocker.is_dir(), "never removed");
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_entries_reach_the_visitor_as_errors_and_can_be_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let (mut store, told) = open(tmp.path());
        let link = tmp.path().join(PSK_A);
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let seen = collect(&mut store);
        assert_eq!(
            seen,
            vec![(
                PSK_A.as_bytes().to_vec(),
                Err(StoreError {
                    what: "cannot read a record"
                })
            )]
        );
        assert_eq!(
            told.lines(),
            [format!(
                "cannot read a record {}: not a regular file",
                link.display()
            )]
        );
        store.remove(PSK_A).unwrap();
        assert!(fs::symlink_metadata(&link).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_names_are_reported_as_they_are() {
        use std::os::unix::ffi::OsStrExt;
        let tmp = tempfile::tempdir().unwrap();
        for raw in [&b"bad-\xff-name"[..], b"bad-\xfe-name"] {
            fs::write(tmp.path().join(std::ffi::OsStr::from_bytes(raw)), b"x").unwrap();
        }
        let (mut store, _) = open(tmp.path());
        let seen = collect(&mut store);
        let names: Vec<&[u8]> = seen.iter().map(|(n, _)| n.as_slice()).collect();
        assert_eq!(names, [&b"bad-\xfe-name"[..], b"bad-\xff-name"]);
    }

    #[test]
    fn names_that_would_leave_the_directory_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let (mut store, _) = open(&tmp.path().join("s"));
        let refused = Err(StoreError {
            what: "record name is not a plain file name",
        });
        for bad in ["", ".", "..", "../x", "a/b", "a\\b", ".lock", ".x.tmp"] {
            assert_eq!(store.write(bad, b"x"), refused, "{bad:?}");
            assert_eq!(store.remove(bad), refused, "{bad:?}");
        }
        assert!(!tmp.path().join("x").exists());
    }

    #[test]
    fn the_lock_is_exclusive_to_change_and_shared_to_read() {
        let tmp = tempfile::tempdir().unwrap();
        let (store, _) = open(tmp.path());
        let other = File::options()
            .read(true)
            .write(true)
            .open(tmp.path().join(LOCK_FILE))
            .unwrap();
        assert!(other.try_lock_shared().is_err());
        drop(store);
        let (mut reader, _) = open_as(tmp.path(), Access::Read);
        assert!(other.try_lock().is_err());
        assert!(other.try_lock_shared().is_ok());
        other.unlock().unwrap();
        assert_eq!(
            reader.write("group-key", b"k"),
            Err(StoreError {
                what: "the store was opened to read only"
            }),
            "readers change nothing"
        );
        drop(reader);
        assert!(other.try_lock().is_ok());
    }

    #[test]
    fn debug_shows_only_the_directory_and_the_access() {
        let tmp = tempfile::tempdir().unwrap();
        for (access, read_only) in [(Access::Change, false), (Access::Read, true)] {
            let (store, _) = open_as(tmp.path(), access);
            assert_eq!(
                format!("{store:?}"),
                format!(
                    "DirStore {{ dir: {:?}, read_only: {read_only}, .. }}",
                    tmp.path()
                )
            );
        }
    }
}

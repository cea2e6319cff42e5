//! A chart file's bytes: read by the loader, or read when first used.
//!
//! Large charts carry megabytes the render never looks at: kube-prometheus holds
//! 4.2 MiB of CRDs and 0.4 MiB of changelogs beside 0.7 MiB of templates, and
//! reading them into fresh memory was a quarter of its load. So a directory's large
//! files that the loader does not read itself (anything but Chart.yaml, values,
//! the schema, requirements and locks, templates and subchart archives) are only
//! opened when the chart loads, and read the first time something asks for them:
//! `.Files`, `--include-crds`, `show`, `package`.
//!
//! The file is opened at load, so a permission problem is still a load error, and
//! the open descriptor keeps the content reachable even if the path is removed or
//! replaced before the read. At most [`MAX_DEFERRED`] files are deferred in one
//! process; past that, files are read at once as before.

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use bytes::Bytes;

use super::{ChartError, MAX_DECOMPRESSED_FILE_SIZE, err, io_reason};

/// Files at least this large are deferred when the loader does not read them.
pub const DEFER_FROM: u64 = 32 * 1024;

/// The most files one process keeps open for a later read.
pub const MAX_DEFERRED: usize = 256;

static DEFERRED: AtomicUsize = AtomicUsize::new(0);

/// The bytes of one chart file, shared (not copied) by every clone.
#[derive(Clone, Default)]
pub struct Content(Repr);

#[derive(Clone)]
enum Repr {
    Ready(Bytes),
    Deferred(Arc<Deferred>),
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Ready(Bytes::new())
    }
}

struct Deferred {
    path: PathBuf,
    size: u64,
    file: Mutex<Option<File>>,
    read: OnceLock<Result<Bytes, String>>,
}

impl Content {
    /// The content of the regular file at `path`, read now or, when the
    /// process may still defer files, opened now and read on first use. A file
    /// larger than a chart file may be is an error, found before any read.
    pub fn open(path: &Path, defer: bool) -> Result<Content, ChartError> {
        let fail = |e: std::io::Error| err(format!("{}: {}", path.display(), io_reason(&e)));
        let file = File::open(path).map_err(fail)?;
        let size = file.metadata().map_err(fail)?.len();
        if size > MAX_DECOMPRESSED_FILE_SIZE {
            return Err(err(too_large(path)));
        }
        let take_slot = || {
            DEFERRED
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                    (n < MAX_DEFERRED).then_some(n + 1)
                })
                .is_ok()
        };
        if defer && size >= DEFER_FROM && take_slot() {
            return Ok(Content(Repr::Deferred(Arc::new(Deferred {
                path: path.to_path_buf(),
                size,
                file: Mutex::new(Some(file)),
                read: OnceLock::new(),
            }))));
        }
        // The size is known, so the buffer is the right size at once and the
        // file is not looked up a second time (`fs::read` would).
        read_open(file, size, path).map(Content::from).map_err(err)
    }

    /// The bytes, or why they could not be read (for a deferred file whose read
    /// failed after the chart loaded).
    pub fn try_bytes(&self) -> Result<&Bytes, ChartError> {
        match &self.0 {
            Repr::Ready(b) => Ok(b),
            Repr::Deferred(d) => d.bytes().as_ref().map_err(|e| err(e.clone())),
        }
    }

    /// The bytes as a shared handle (empty when a deferred read failed; callers
    /// that must report that use [`Content::try_bytes`]).
    pub fn to_bytes(&self) -> Bytes {
        self.try_bytes().cloned().unwrap_or_default()
    }

    /// Whether the bytes are in memory (not waiting for a first use).
    pub fn is_read(&self) -> bool {
        match &self.0 {
            Repr::Ready(_) => true,
            Repr::Deferred(d) => d.read.get().is_some(),
        }
    }
}

impl Deferred {
    fn bytes(&self) -> &Result<Bytes, String> {
        self.read.get_or_init(|| {
            let file = self
                .file
                .lock()
                .map_err(|_| format!("{}: read interrupted", self.path.display()))?
                .take();
            // A file taken without a result can only follow a read that panicked.
            let Some(file) = file else {
                return Err(format!("{}: read interrupted", self.path.display()));
            };
            read_open(file, self.size, &self.path)
        })
    }
}

/// Reads an open chart file of `size` bytes (when it was looked at) to its
/// end, refusing more than a chart file may hold; the error names the file.
fn read_open(file: File, size: u64, path: &Path) -> Result<Bytes, String> {
    let mut data = Vec::with_capacity(size as usize);
    file.take(MAX_DECOMPRESSED_FILE_SIZE + 1)
        .read_to_end(&mut data)
        .map_err(|e| format!("{}: {}", path.display(), io_reason(&e)))?;
    if data.len() as u64 > MAX_DECOMPRESSED_FILE_SIZE {
        return Err(too_large(path));
    }
    Ok(strip_bom(Bytes::from(data)))
}

/// Helm's error for a chart file past the size limit.
fn too_large(path: &Path) -> String {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    format!("chart file {name:?} is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}")
}

/// Drops a UTF-8 byte order mark, as Helm's loader does.
pub fn strip_bom(data: Bytes) -> Bytes {
    if data.starts_with(&[0xef, 0xbb, 0xbf]) {
        data.slice(3..)
    } else {
        data
    }
}

impl Deref for Content {
    type Target = [u8];
    /// The bytes; empty when a deferred read failed (see [`Content::try_bytes`]).
    fn deref(&self) -> &[u8] {
        self.try_bytes().map_or(&[], |b| &b[..])
    }
}

impl AsRef<[u8]> for Content {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl From<Bytes> for Content {
    fn from(b: Bytes) -> Content {
        Content(Repr::Ready(b))
    }
}

impl From<Vec<u8>> for Content {
    fn from(v: Vec<u8>) -> Content {
        Content::from(Bytes::from(v))
    }
}

impl PartialEq for Content {
    fn eq(&self, other: &Content) -> bool {
        self[..] == other[..]
    }
}

impl fmt::Debug for Content {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Ready(b) => write!(f, "Content({} bytes)", b.len()),
            Repr::Deferred(d) => write!(f, "Content({}, deferred)", d.path.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deferred_content_is_read_on_first_use_from_the_file_opened_at_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crd.yaml");
        let mut text = b"\xef\xbb\xbfkind: CustomResourceDefinition\n".to_vec();
        text.resize(DEFER_FROM as usize + 10, b'#');
        std::fs::write(&path, &text).unwrap();
        let content = Content::open(&path, true).unwrap();
        assert!(!content.is_read());
        // The path goes away before the first use; the open file still reads.
        std::fs::remove_file(&path).unwrap();
        let clone = content.clone();
        assert!(clone.starts_with(b"kind: CustomResourceDefinition\n"));
        assert_eq!(clone.len(), text.len() - 3);
        assert!(content.is_read());
        assert_eq!(content, Content::from(text[3..].to_vec()));
    }

    #[test]
    fn small_or_loader_read_files_are_read_at_once_and_a_missing_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.txt");
        std::fs::write(&path, vec![b'x'; DEFER_FROM as usize]).unwrap();
        assert!(Content::open(&path, false).unwrap().is_read());
        let small = dir.path().join("small.txt");
        std::fs::write(&small, b"hi").unwrap();
        assert!(Content::open(&small, true).unwrap().is_read());
        let gone = dir.path().join("gone.txt");
        let e = Content::open(&gone, true).unwrap_err();
        assert!(
            e.0.contains("gone.txt: no such file or directory"),
            "{}",
            e.0
        );
    }
}

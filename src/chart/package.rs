//! Writing a chart archive as Helm's `chartutil.Save` writes it: `<name>-<version>.tgz`,
//! a gzip stream whose header carries Helm's FEXTRA magic and the comment `Helm`,
//! holding one USTAR entry per file under the top folder `<name>/` (mode 0644, no
//! directory entries), in Helm's order: `Chart.yaml` (re-marshalled from the
//! metadata, keys sorted), `Chart.lock` (v2), `values.yaml` (raw), `values.schema.json`,
//! templates, other files, then each subchart expanded under `charts/<name>/`.
//!
//! Entry times are `SOURCE_DATE_EPOCH` when set (a reproducible archive), else the
//! current time as Helm uses; everything else in the archive is deterministic.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Chart, ChartError};

/// Helm's gzip FEXTRA bytes (`pkg/chartutil/save.go`).
pub const HEADER_EXTRA: &[u8] = b"+aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=";

fn err(msg: impl Into<String>) -> ChartError {
    ChartError(msg.into())
}

/// The archive's entry time in seconds since the epoch.
fn entry_mtime() -> u64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        })
}

/// The archive bytes for `chart`.
pub fn archive_bytes(chart: &Chart) -> Result<Vec<u8>, ChartError> {
    let gz = flate2::GzBuilder::new()
        .extra(HEADER_EXTRA)
        .comment("Helm")
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    let mtime = entry_mtime();
    write_chart(&mut tar, chart, "", mtime, 0)?;
    let gz = tar
        .into_inner()
        .map_err(|e| err(format!("failed to save: {e}")))?;
    gz.finish().map_err(|e| err(format!("failed to save: {e}")))
}

/// Writes `<dest>/<name>-<version>.tgz` and returns its path.
pub fn save(chart: &Chart, dest: &Path) -> Result<PathBuf, ChartError> {
    chart
        .metadata
        .validate()
        .map_err(|e| err(format!("chart validation: validation: {e}")))?;
    let bytes = archive_bytes(chart)?;
    match std::fs::metadata(dest) {
        Ok(m) if !m.is_dir() => {
            return Err(err(format!("is not a directory: {}", dest.display())));
        }
        Ok(_) => {}
        Err(_) => std::fs::create_dir_all(dest)
            .map_err(|e| err(format!("mkdir {}: {e}", dest.display())))?,
    }
    let path = dest.join(format!(
        "{}-{}.tgz",
        chart.metadata.name, chart.metadata.version
    ));
    let mut tmp =
        tempfile::NamedTempFile::new_in(dest).map_err(|e| err(format!("failed to save: {e}")))?;
    tmp.write_all(&bytes)
        .map_err(|e| err(format!("failed to save: {e}")))?;
    tmp.persist(&path)
        .map_err(|e| err(format!("failed to save: {}", e.error)))?;
    Ok(path)
}

fn write_chart<W: Write>(
    tar: &mut tar::Builder<W>,
    chart: &Chart,
    prefix: &str,
    mtime: u64,
    depth: usize,
) -> Result<(), ChartError> {
    if depth > 32 {
        return Err(err("subcharts nested too deeply"));
    }
    let name = &chart.metadata.name;
    if name.is_empty() || name.contains('/') || name == "." || name == ".." {
        return Err(err(format!("{name:?} is not a valid chart name")));
    }
    let base = format!("{prefix}{name}/");
    let mut meta = chart.metadata.clone();
    if meta.api_version == "v1" {
        meta.dependencies.clear();
    }
    let chart_yaml = crate::yaml::to_yaml(&meta.to_data());
    put(
        tar,
        &format!("{base}Chart.yaml"),
        chart_yaml.as_bytes(),
        mtime,
    )?;
    if chart.metadata.api_version == "v2"
        && let Some(lock) = &chart.lock
    {
        put(
            tar,
            &format!("{base}Chart.lock"),
            crate::yaml::to_yaml(&lock.to_data()).as_bytes(),
            mtime,
        )?;
    }
    if let Some(raw) = &chart.raw_values {
        put(tar, &format!("{base}values.yaml"), raw.as_bytes(), mtime)?;
    }
    if let Some(schema) = &chart.schema {
        if serde_json::from_slice::<serde::de::IgnoredAny>(schema).is_err() {
            return Err(err("Invalid JSON in values.schema.json"));
        }
        put(tar, &format!("{base}values.schema.json"), schema, mtime)?;
    }
    for f in chart.templates.iter().chain(chart.files.iter()) {
        put(
            tar,
            &format!("{base}{}", f.name),
            f.data.try_bytes()?,
            mtime,
        )?;
    }
    for dep in &chart.dependencies {
        write_chart(tar, dep, &format!("{base}charts/"), mtime, depth + 1)?;
    }
    Ok(())
}

fn put<W: Write>(
    tar: &mut tar::Builder<W>,
    path: &str,
    data: &[u8],
    mtime: u64,
) -> Result<(), ChartError> {
    let mut h = tar::Header::new_ustar();
    h.set_mode(0o644);
    h.set_size(data.len() as u64);
    h.set_mtime(mtime);
    h.set_uid(0);
    h.set_gid(0);
    h.set_entry_type(tar::EntryType::Regular);
    if h.set_path(path).is_err() {
        // Too long for USTAR's name and prefix fields: the tar crate's GNU long name.
        return tar
            .append_data(&mut h, path, data)
            .map_err(|e| err(format!("failed to save: {path}: {e}")));
    }
    let _ = h.set_device_major(0);
    let _ = h.set_device_minor(0);
    go_checksum(&mut h);
    tar.append(&h, data)
        .map_err(|e| err(format!("failed to save: {path}: {e}")))
}

/// The header checksum as Go's archive/tar writes it: six octal digits, NUL, space.
fn go_checksum(h: &mut tar::Header) {
    let bytes = h.as_mut_bytes();
    bytes[148..156].fill(b' ');
    let sum: u32 = bytes.iter().map(|&b| u32::from(b)).sum();
    let text = format!("{sum:06o}");
    let digits = text.as_bytes();
    let start = digits.len().saturating_sub(6);
    bytes[148..154].copy_from_slice(&digits[start..]);
    bytes[154] = 0;
    bytes[155] = b' ';
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{ChartFile, load_archive};

    fn chart() -> Chart {
        let files = vec![
            ChartFile {
                name: "Chart.yaml".into(),
                data: b"name: t\nversion: 0.1.0\napiVersion: v2\n".to_vec().into(),
            },
            ChartFile {
                name: "values.yaml".into(),
                data: b"a: 1 # raw\n".to_vec().into(),
            },
            ChartFile {
                name: "templates/x.yaml".into(),
                data: b"x: {{ .Values.a }}\n".to_vec().into(),
            },
            ChartFile {
                name: "README.md".into(),
                data: b"hi\n".to_vec().into(),
            },
        ];
        crate::chart::load_files(files).unwrap()
    }

    #[test]
    fn layout_and_header() {
        let bytes = archive_bytes(&chart()).unwrap();
        // gzip: FEXTRA|FCOMMENT flags, MTIME 0, OS 255, then XLEN and Helm's magic.
        assert_eq!(&bytes[..4], &[0x1f, 0x8b, 8, 0x04 | 0x10]);
        assert_eq!(&bytes[4..8], &[0, 0, 0, 0]);
        assert_eq!(bytes[9], 255);
        assert_eq!(&bytes[12..12 + HEADER_EXTRA.len()], HEADER_EXTRA);
        let mut names = Vec::new();
        let mut a = tar::Archive::new(flate2::read::GzDecoder::new(&bytes[..]));
        for e in a.entries().unwrap() {
            let e = e.unwrap();
            assert_eq!(e.header().mode().unwrap(), 0o644);
            names.push(e.path().unwrap().display().to_string());
        }
        assert_eq!(
            names,
            [
                "t/Chart.yaml",
                "t/values.yaml",
                "t/templates/x.yaml",
                "t/README.md"
            ]
        );
        let back = load_archive(&bytes).unwrap();
        assert_eq!(back.metadata, chart().metadata);
        assert_eq!(back.raw_values.as_deref(), Some("a: 1 # raw\n"));
    }
}

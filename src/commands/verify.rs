//! `charter verify PATH`: check a chart archive's provenance file.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::actions::verify::verify_chart;
use crate::printer::Printer;

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// the chart archive (`.tgz`); its `.prov` file sits beside it
    pub path: PathBuf,
    /// keyring containing public keys [default: $GNUPGHOME/pubring.gpg or ~/.gnupg/pubring.gpg]
    #[arg(long)]
    pub keyring: Option<PathBuf>,
}

pub fn run(args: &VerifyArgs, out: &Printer) -> Result<()> {
    let keyring = args
        .keyring
        .clone()
        .unwrap_or_else(crate::settings::default_keyring);
    let v = verify_chart(&args.path, &keyring)?;
    out.data(&v.report());
    Ok(())
}

//! Rendering a chart: the template context Helm builds (`.Values .Release .Chart
//! .Capabilities .Files .Template .Subcharts`), Sprig's and Helm's functions wired
//! into [`crate::gotmpl`], the engine that renders a chart and its subcharts, and
//! the split of the output into ordered manifests and hooks. The cluster is reached
//! only through the [`funcs::Lookup`] trait.

pub mod context;
pub mod engine;
pub mod funcs;
pub mod jinja;
pub mod manifest;
pub mod sprig;

#[cfg(test)]
mod tests {
    /// Every template function Helm 3.17.3 exposes (Go's builtins, Sprig v3.3.0
    /// without env/expandenv, Helm's own): a function Helm has and charter lacks
    /// is a bug.
    const HELM_FUNCTIONS: &str = "abbrev abbrevboth add add1 add1f addf adler32sum ago all any append atoi b32dec b32enc b64dec b64enc base bcrypt biggest buildCustomCert camelcase cat ceil chunk clean coalesce compact concat contains date dateInZone dateModify date_in_zone date_modify decryptAES deepCopy deepEqual default derivePassword dict dig dir div duration durationRound empty encryptAES ext fail first float64 floor fromJson genCA genCAWithKey genPrivateKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert genSignedCertWithKey get getHostByName has hasKey hasPrefix hasSuffix hello htmlDate htmlDateInZone htpasswd indent initial initials int int64 isAbs join kebabcase keys kindIs kindOf last list lower max maxf merge mergeOverwrite min minf mod mul mulf mustAppend mustChunk mustCompact mustDateModify mustDeepCopy mustFirst mustFromJson mustHas mustInitial mustLast mustMerge mustMergeOverwrite mustPrepend mustPush mustRegexFind mustRegexFindAll mustRegexMatch mustRegexReplaceAll mustRegexReplaceAllLiteral mustRegexSplit mustRest mustReverse mustSlice mustToDate mustToJson mustToPrettyJson mustToRawJson mustUniq mustWithout must_date_modify nindent nospace now omit osBase osClean osDir osExt osIsAbs pick pluck plural prepend push quote randAlpha randAlphaNum randAscii randBytes randInt randNumeric regexFind regexFindAll regexMatch regexQuoteMeta regexReplaceAll regexReplaceAllLiteral regexSplit repeat replace rest reverse round semver semverCompare seq set sha1sum sha256sum sha512sum shuffle slice snakecase sortAlpha split splitList splitn squote sub subf substr swapcase ternary title toDate toDecimal toJson toPrettyJson toRawJson toString toStrings trim trimAll trimPrefix trimSuffix trimall trunc tuple typeIs typeIsLike typeOf uniq unixEpoch unset until untilStep untitle upper urlJoin urlParse uuidv4 values without wrap wrapWith include tpl required lookup toYaml toYamlPretty fromYaml fromYamlArray fromJsonArray toToml fromToml";

    #[test]
    fn every_helm_function_is_registered() {
        let mut names: std::collections::HashSet<String> = super::sprig::functions()
            .into_iter()
            .map(|(n, _)| n.to_string())
            .collect();
        names.extend(
            super::funcs::helm_functions(&Default::default())
                .into_iter()
                .map(|(n, _)| n),
        );
        names.insert("getHostByName".into());
        let missing: Vec<&str> = HELM_FUNCTIONS
            .split_whitespace()
            .filter(|f| !names.contains(*f))
            .collect();
        assert!(
            missing.is_empty(),
            "functions Helm has and charter lacks: {missing:?}"
        );
        assert!(
            !names.contains("env") && !names.contains("expandenv"),
            "Helm removes env and expandenv"
        );
    }
}

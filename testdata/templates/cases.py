"""Template fixture cases: the Go template language and every function family.

Each entry is (name, template) or (name, template, values_yaml) or
(name, template, values_yaml, helpers_tpl). The expected output is recorded from
the real Helm by record.py; nothing here states what the output should be.
"""

VALUES = """\
name: web
port: 8080
big: 1000000
ratio: 0.25
neg: -3
enabled: true
off: false
empty: ""
nothing: null
zero: 0
list: [a, b, c]
nums: [3, 1, 2]
mixed: [1, "two", true, null, 2.5]
emptylist: []
emptymap: {}
map:
  b: 2
  a: 1
  c: three
nested:
  deep:
    deeper:
      value: found
  list:
    - name: x
      port: 1
    - name: y
      port: 2
text: |
  line one
  line two
spaced: "  padded  "
quote: 'say "hi"'
unicode: "héllo wörld"
yes: yes
version: "1.2.3"
semverish: v1.20.4-gke.100
url: https://user:pw@example.com:8443/path/x?q=1#frag
csv: "a,b,,c"
upper: MIXED Case_string-here
number_string: "42"
float_string: "1.50"
octal_string: "0755"
dotted:
  a.b: dotkey
"""

def t(name, template, values=VALUES, helpers=""):
    return (name, template, values, helpers)


# Known differences from Helm, each with its reason; the test checks that these
# still differ (so the list cannot go stale) and that everything else matches.
GAPS = {
    "fn-trunc-unicode-bytes": "Go slices strings by byte and may cut a UTF-8 sequence; charter keeps text valid UTF-8",
    "fn-err-hasKey-field-nil": "Go rejects an unset field (typed nil) for a map parameter but accepts an unset variable; charter accepts both",
}


LANGUAGE = [
    t("text-only", "just text\n"),
    t("print-string", "{{ .Values.name }}"),
    t("print-int-float", "{{ .Values.port }} {{ .Values.big }} {{ .Values.ratio }} {{ .Values.neg }}"),
    t("print-bool-nil", "{{ .Values.enabled }} {{ .Values.nothing }} {{ .Values.missing }}"),
    t("print-list", "{{ .Values.list }} {{ .Values.mixed }} {{ .Values.emptylist }}"),
    t("print-map", "{{ .Values.map }} {{ .Values.emptymap }}"),
    t("print-nested-map", "{{ .Values.nested }}"),
    t("trim-left", "a   {{- .Values.name }}"),
    t("trim-right", "{{ .Values.name -}}   b"),
    t("trim-both-newlines", "x\n\n  {{- .Values.name -}}  \n\ny"),
    t("comment", "a{{/* a comment */}}b{{- /* trimmed */ -}} c"),
    t("pipeline", "{{ .Values.name | upper | quote }}"),
    t("paren-pipeline", "{{ (printf \"%s-%d\" .Values.name 3) | upper }}"),
    t("variables", "{{ $x := .Values.name }}{{ $x }}{{ $x = \"other\" }}{{ $x }}"),
    t("dollar-root", "{{ with .Values.map }}{{ $.Values.name }}{{ .a }}{{ end }}"),
    t("if-else", "{{ if .Values.enabled }}on{{ else }}off{{ end }}"),
    t("if-else-if", "{{ if .Values.off }}1{{ else if .Values.empty }}2{{ else if .Values.list }}3{{ else }}4{{ end }}"),
    t("truthiness", "{{ range $k, $v := dict \"s\" \"\" \"z\" 0 \"f\" 0.0 \"b\" false \"l\" list \"m\" dict \"n\" nil \"x\" \"x\" }}{{ $k }}={{ if $v }}T{{ else }}F{{ end }} {{ end }}"),
    t("with-else", "{{ with .Values.missing }}has{{ else }}none{{ end }} {{ with .Values.name }}{{ . }}{{ end }}"),
    t("else-with", "{{ with .Values.missing }}a{{ else with .Values.name }}b={{ . }}{{ else }}c{{ end }}"),
    t("range-list", "{{ range .Values.list }}[{{ . }}]{{ end }}"),
    t("range-index", "{{ range $i, $v := .Values.list }}{{ $i }}:{{ $v }} {{ end }}"),
    t("range-map-sorted", "{{ range $k, $v := .Values.map }}{{ $k }}={{ $v }};{{ end }}"),
    t("range-else", "{{ range .Values.emptylist }}x{{ else }}empty{{ end }}"),
    t("range-int", "{{ range 3 }}{{ . }}{{ end }}"),
    t("range-break-continue", "{{ range $i, $v := .Values.nums }}{{ if eq $i 1 }}{{ continue }}{{ end }}{{ if eq $i 2 }}{{ break }}{{ end }}{{ $v }}{{ end }}"),
    t("range-nested-dollar", "{{ range .Values.nested.list }}{{ .name }}:{{ .port }}@{{ $.Values.name }} {{ end }}"),
    t("define-template", "{{ template \"helper\" . }}|{{ template \"helper\" .Values.map }}", VALUES, "{{ define \"helper\" }}<{{ . | typeOf }}>{{ end }}"),
    t("block", "{{ block \"blk\" .Values.name }}default {{ . }}{{ end }}"),
    t("include-nindent", "x:{{ include \"lbl\" . | nindent 2 }}", VALUES, "{{- define \"lbl\" -}}\na: {{ .Values.name }}\nb: c\n{{- end -}}"),
    t("field-on-map-chain", "{{ .Values.nested.deep.deeper.value }}"),
    t("missing-chain-nil", "{{ .Values.missing }}{{ (.Values.missing).foo }}"),
    t("err-nil-pointer", "{{ .Values.missing.foo }}"),
    t("err-field-on-string", "{{ .Values.name.foo }}"),
    t("err-field-on-string-var", "{{ $x := .Values.name }}{{ $x.foo }}"),
    t("err-range-string", "{{ range .Values.port }}{{ end }}"),
    t("err-undefined-function", "{{ nosuchfunc 1 }}"),
    t("err-parse-unclosed", "{{ if .Values.name }}"),
    t("err-parse-bad-end", "{{ end }}"),
    t("err-unexpected-paren", "{{ (1 }}"),
    t("err-undefined-var", "{{ $nope }}"),
    t("err-template-missing", "{{ template \"nope\" . }}"),
    t("err-include-missing", "{{ include \"nope\" . }}"),
    t("err-non-function", "{{ .Values.name 1 }}"),
    t("constants", "{{ 1 }} {{ 1.5 }} {{ 0x1F }} {{ 1e3 }} {{ 'a' }} {{ true }} {{ \"s\\tq\" }} {{ `raw\\n` }}"),
    t("print-funcs", "{{ print 1 2 \"a\" \"b\" 3 }}|{{ println \"x\" 1 }}|{{ printf \"%v-%s\" 1 \"z\" }}"),
    t("and-or", "{{ and 1 0 2 }}|{{ and 1 2 }}|{{ or 0 \"\" \"x\" }}|{{ or 0 false }}|{{ and .Values.missing .Values.missing.foo }}"),
    t("not", "{{ not true }} {{ not .Values.empty }} {{ not .Values.list }}"),
    t("eq-multi", "{{ eq .Values.name \"a\" \"web\" }} {{ eq 1 1 }} {{ eq .Values.nothing nil }}"),
    t("eq-float-values", "{{ eq .Values.port 8080.0 }} {{ eq .Values.zero 0.0 }}"),
    t("err-eq-int-float", "{{ eq .Values.port 8080 }}"),
    t("ne-lt-le-gt-ge", "{{ ne 1 2 }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt \"b\" \"a\" }} {{ ge 1.5 2.5 }}"),
    t("err-lt-mixed", "{{ lt 1 \"a\" }}"),
    t("len", "{{ len .Values.list }} {{ len .Values.map }} {{ len .Values.name }} {{ len .Values.emptylist }}"),
    t("err-len-int", "{{ len 3 }}"),
    t("index", "{{ index .Values.list 1 }} {{ index .Values.map \"c\" }} {{ index .Values.nested \"deep\" \"deeper\" \"value\" }} {{ index .Values.dotted \"a.b\" }}"),
    t("index-missing-key", "{{ index .Values.map \"zz\" }}"),
    t("err-index-out-of-range", "{{ index .Values.list 5 }}"),
    t("slice", "{{ slice .Values.list 1 }} {{ slice .Values.name 1 2 }}"),
    t("html-js-urlquery", "{{ html \"<a href='x'>&</a>\" }} {{ js \"it's <b>\" }} {{ urlquery \"a b&c=d\" }}"),
    t("printf-verbs", "{{ printf \"%s|%d|%5d|%-5s|%05.2f|%x|%X|%o|%t|%q|%v|%T|%%\" \"s\" 42 7 \"ab\" 3.14159 255 255 8 true \"q\\\"\" .Values.list .Values.ratio }}"),
    t("printf-bad-verbs", "{{ printf \"%d %s\" .Values.port 5 }}|{{ printf \"%s\" }}|{{ printf \"x\" 1 }}"),
    t("printf-floats", "{{ printf \"%v %g %e %.3f %.2g\" .Values.big 1234.5678 1234.5678 2.0 0.000123 }}"),
    t("printf-map-list", "{{ printf \"%v %s %d\" .Values.map .Values.list .Values.nums }}"),
    t("float-printing", "{{ 100000.0 }} {{ 1000000.0 }} {{ 0.0001 }} {{ 0.00001 }} {{ 123456789.0 }} {{ 1.5e300 }}"),
    t("whitespace-control-lines", "a:\n{{- range .Values.list }}\n  - {{ . }}\n{{- end }}\nb: 1"),
    t("multiline-action", "{{ printf\n  \"%s\"\n  .Values.name }}"),
    t("variable-scope-in-if", "{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}"),
    t("variable-assign-in-range", "{{ $sum := 0 }}{{ range .Values.nums }}{{ $sum = add $sum . }}{{ end }}{{ $sum }}"),
    t("template-vars-not-inherited", "{{ $x := 1 }}{{ template \"h2\" . }}", VALUES, "{{ define \"h2\" }}{{ $ | typeOf }}{{ end }}"),
    t("release-and-chart", "{{ .Release.Name }} {{ .Release.Namespace }} {{ .Release.Revision }} {{ .Release.IsInstall }} {{ .Release.Service }} {{ .Chart.Name }} {{ .Chart.Version }} {{ .Chart.AppVersion }}"),
    t("capabilities", "{{ .Capabilities.KubeVersion.Version }} {{ .Capabilities.KubeVersion.Major }} {{ .Capabilities.KubeVersion.Minor }} {{ .Capabilities.APIVersions.Has \"apps/v1\" }} {{ .Capabilities.APIVersions.Has \"apps/v1/Deployment\" }} {{ .Capabilities.HelmVersion.Version }}"),
    t("template-object", "{{ .Template.Name }} {{ .Template.BasePath }}"),
    t("files-empty", "{{ .Files.Get \"nope\" | quote }} {{ len (.Files.Glob \"*.none\") }}"),
    t("tpl", "{{ tpl \"{{ .Values.name }}-{{ .Release.Name }}\" . }}"),
    t("tpl-with-define", "{{ tpl \"{{ define \\\"inner\\\" }}I{{ end }}{{ include \\\"inner\\\" . }}\" . }}"),
    t("err-tpl-parse", "{{ tpl \"{{ .Values.name \" . }}"),
    t("err-tpl-exec", "{{ tpl \"{{ .Values.missing.x }}\" . }}"),
    t("required-ok", "{{ required \"need name\" .Values.name }}"),
    t("err-required", "{{ required \"A valid .Values.missing is required\" .Values.missing }}"),
    t("err-fail", "{{ fail \"stop here\" }}"),
    t("lookup-offline", "{{ lookup \"v1\" \"Secret\" \"ns\" \"name\" }}|{{ (lookup \"v1\" \"Secret\" \"ns\" \"name\").data }}"),
    t("set-mutates", "{{ $d := dict \"a\" 1 }}{{ $_ := set $d \"b\" 2 }}{{ $d }}"),
    t("set-mutates-shared", "{{ $d := dict \"a\" 1 }}{{ $e := $d }}{{ $_ := set $e \"b\" 2 }}{{ $d }}{{ if true }}{{ $d := set $d \"c\" 3 }}{{ end }}{{ $d }}"),
    t("merge-mutates", "{{ $dst := dict \"a\" 1 \"n\" (dict \"x\" 1) }}{{ $_ := merge $dst (dict \"a\" 9 \"b\" 2 \"n\" (dict \"y\" 2)) }}{{ $dst }}"),
    t("merge-overwrite", "{{ $dst := dict \"a\" 1 \"z\" \"\" }}{{ $_ := mergeOverwrite $dst (dict \"a\" 9 \"b\" 2) }}{{ $dst }}"),
    t("merge-fills-empty", "{{ merge (dict \"a\" \"\" \"b\" 0 \"c\" false) (dict \"a\" \"A\" \"b\" 5 \"c\" true) }}"),
    t("deepcopy-independent", "{{ $d := dict \"a\" (dict \"b\" 1) }}{{ $c := deepCopy $d }}{{ $_ := set $c.a \"b\" 2 }}{{ $d }}{{ $c }}"),
]

STRINGS = [
    t("upper-lower-title", "{{ upper .Values.upper }}|{{ lower .Values.upper }}|{{ title \"hello world-foo bar_baz\" }}|{{ untitle \"Hello World\" }}"),
    t("trim-family", "[{{ trim .Values.spaced }}][{{ trimAll \"-_\" \"--a_b--\" }}][{{ trimPrefix \"ab\" \"abcab\" }}][{{ trimSuffix \"ab\" \"abcab\" }}]"),
    t("trunc", "{{ trunc 3 .Values.name }}|{{ trunc -2 .Values.name }}|{{ trunc 10 .Values.name }}|{{ trunc 0 \"abc\" }}"),
    t("trunc-trimsuffix", "{{ printf \"%s-%s\" \"a-very-long-release-name-that-goes-on-and-on-and-on\" \"chartname-here\" | trunc 63 | trimSuffix \"-\" }}"),
    t("substr", "{{ substr 1 3 \"abcdef\" }}|{{ substr -1 2 \"abcdef\" }}|{{ substr 2 99 \"abcdef\" }}"),
    t("repeat-nospace", "{{ repeat 3 \"ab\" }}|{{ nospace \" a b\\tc \" }}"),
    t("contains-prefix-suffix", "{{ contains \"eb\" .Values.name }} {{ hasPrefix \"w\" .Values.name }} {{ hasSuffix \"x\" .Values.name }}"),
    t("quote-squote", "{{ quote .Values.name }} {{ squote .Values.name }} {{ quote .Values.port }} {{ quote .Values.quote }} {{ quote .Values.missing }} {{ quote \"a\" \"b\" }} {{ quote .Values.text }}"),
    t("quote-unicode", "{{ quote .Values.unicode }} {{ quote \"tab\\there\" }}"),
    t("cat", "{{ cat \"a\" 1 .Values.nothing \"b\" }}"),
    t("indent-nindent", "x:{{ .Values.text | indent 4 }}|{{ .Values.text | nindent 2 }}"),
    t("replace", "{{ replace \"a\" \"X\" \"banana\" }} {{ .Values.name | replace \"w\" \"W\" }}"),
    t("plural", "{{ plural \"one\" \"many\" 1 }} {{ plural \"one\" \"many\" 2 }}"),
    t("case-conversions", "{{ snakecase \"FirstName\" }} {{ camelcase \"first_name\" }} {{ kebabcase \"FirstName\" }} {{ swapcase \"AbC\" }} {{ snakecase \"HTTPServer\" }}"),
    t("initials-abbrev", "{{ initials \"hello big world\" }} {{ abbrev 5 \"hello world\" }} {{ abbrevboth 5 10 \"1234 5678 9123\" }}"),
    t("wrap", "{{ wrap 10 \"the quick brown fox jumps over\" }}|{{ wrapWith 5 \"\\t\" \"hello world\" }}"),
    t("tostring", "{{ toString .Values.port }} {{ toString .Values.list }} {{ toString .Values.nothing }} {{ toString true }}"),
    t("tostrings", "{{ toStrings .Values.mixed }} {{ toStrings .Values.nums | len }}"),
    t("split-family", "{{ split \",\" .Values.csv }} {{ splitList \",\" .Values.csv }} {{ splitn \",\" 2 .Values.csv }} {{ (split \",\" .Values.csv)._1 }}"),
    t("join", "{{ join \",\" .Values.list }} {{ join \"-\" .Values.mixed }} {{ join \",\" .Values.name }}"),
    t("sortalpha", "{{ sortAlpha .Values.list }} {{ sortAlpha (list \"b\" \"a\" \"C\") }}"),
    t("rand-lengths", "{{ randAlphaNum 12 | len }} {{ randAlpha 5 | len }} {{ randNumeric 7 | len }} {{ randAscii 3 | len }}"),
    t("err-upper-int", "{{ upper 5 }}"),
    t("err-trunc-missing", "{{ trunc 3 .Values.missing }}"),
    t("err-upper-pipeline-nil", "{{ .Values.missing | upper }}"),
    t("regex", "{{ regexMatch \"^w.b$\" .Values.name }} {{ regexFind \"[a-z]+\" \"123abc456\" }} {{ regexFindAll \"[0-9]\" \"a1b2c3\" -1 }} {{ regexFindAll \"[0-9]\" \"a1b2c3\" 2 }}"),
    t("regex-replace", "{{ regexReplaceAll \"a(x*)b\" \"-ab-axxb-\" \"${1}W\" }} {{ regexReplaceAll \"a(x*)b\" \"-ab-axxb-\" \"$1W\" }} {{ regexReplaceAllLiteral \"a(x*)b\" \"-ab-\" \"$1\" }}"),
    t("regex-split-quote", "{{ regexSplit \"z+\" \"pizza\" -1 }} {{ regexQuoteMeta \"1.2+3\" }}"),
    t("regex-class-dash", "{{ regexMatch \"^[\\\\w-\\\\.]+$\" \"my-name.1\" }}"),
]

LISTS = [
    t("list-append-prepend", "{{ list 1 2 | append 3 }}"),
    t("list-funcs", "{{ first .Values.list }} {{ last .Values.list }} {{ rest .Values.list }} {{ initial .Values.list }} {{ reverse .Values.list }}"),
    t("append-prepend", "{{ append .Values.list \"d\" }} {{ prepend .Values.list \"z\" }} {{ concat .Values.list .Values.nums }}"),
    t("uniq-without-has", "{{ uniq (list 1 2 1 \"a\" \"a\") }} {{ without .Values.list \"b\" }} {{ has \"b\" .Values.list }} {{ has \"q\" .Values.list }}"),
    t("compact-chunk", "{{ compact (list 1 \"\" nil 0 \"x\" false) }} {{ chunk 2 (list 1 2 3 4 5) }}"),
    t("until-seq", "{{ until 3 }} {{ untilStep 0 10 3 }} {{ seq 3 }} {{ seq 2 5 }} {{ seq 5 -1 1 }}"),
    t("first-empty", "{{ first .Values.emptylist }}|{{ last .Values.emptylist }}"),
    t("dict-funcs", "{{ $d := dict \"a\" 1 \"b\" 2 }}{{ get $d \"a\" }} {{ get $d \"z\" | quote }} {{ hasKey $d \"b\" }} {{ keys $d | sortAlpha }} {{ values $d | len }}"),
    t("dict-odd", "{{ dict \"a\" }} {{ dict 1 2 }}"),
    t("pick-omit", "{{ pick .Values.map \"a\" \"c\" }} {{ omit .Values.map \"a\" }}"),
    t("pluck", "{{ pluck \"a\" (dict \"a\" 1) (dict \"a\" 2) (dict \"b\" 3) }}"),
    t("dig", "{{ dig \"nested\" \"deep\" \"deeper\" \"value\" \"def\" .Values }} {{ dig \"nested\" \"nope\" \"def\" .Values }}"),
    t("unset", "{{ $d := dict \"a\" 1 \"b\" 2 }}{{ $_ := unset $d \"a\" }}{{ $d }}"),
    t("tuple-list-typeof", "{{ tuple 1 \"a\" | typeOf }} {{ list | len }}"),
    t("err-first-string", "{{ first \"abc\" }}"),
]

MATH = [
    t("add-sub-mul-div-mod", "{{ add 1 2 3 }} {{ sub 10 4 }} {{ mul 2 3 4 }} {{ div 10 3 }} {{ mod 10 3 }} {{ add1 5 }}"),
    t("math-floats-truncate", "{{ add .Values.port 1 }} {{ add 1.9 1.9 }} {{ div .Values.big 3 }} {{ add \"5\" 1 }}"),
    t("max-min", "{{ max 1 5 3 }} {{ min 4 2 8 }} {{ biggest 7 9 }}"),
    t("float-math", "{{ addf 1.5 2 }} {{ subf 10 0.5 }} {{ mulf 1.5 2 }} {{ divf 1 4 }} {{ maxf 1 2.5 }} {{ minf 1 2.5 }}"),
    t("ceil-floor-round", "{{ ceil 1.2 }} {{ floor 1.8 }} {{ round 3.14159 2 }} {{ round 2.5 0 }}"),
    t("conversions", "{{ int .Values.port }} {{ int64 \"42\" }} {{ float64 \"1.5\" }} {{ atoi \"12\" }} {{ atoi \"x\" }} {{ int \"0x10\" }} {{ toDecimal \"0755\" }}"),
    t("conversion-types", "{{ int 3.9 | typeOf }} {{ float64 3 | typeOf }} {{ len .Values.list | typeOf }}"),
    t("err-div-zero", "{{ div 1 0 }}"),
    t("default-empty-coalesce", "{{ default \"d\" .Values.empty }} {{ default \"d\" .Values.name }} {{ default 5 .Values.zero }} {{ empty .Values.emptymap }} {{ coalesce .Values.nothing .Values.empty \"c\" }}"),
    t("default-pipeline", "{{ .Values.missing | default \"fallback\" }} {{ .Values.off | default true }} {{ .Values.list | default \"x\" }}"),
    t("ternary-all-any", "{{ ternary \"a\" \"b\" true }} {{ ternary \"a\" \"b\" .Values.off }} {{ all 1 \"a\" true }} {{ all 1 \"\" }} {{ any 0 \"\" 1 }}"),
    t("err-ternary-non-bool", "{{ ternary \"a\" \"b\" .Values.port }}"),
    t("typeof-kindof", "{{ typeOf .Values.port }} {{ typeOf .Values.name }} {{ typeOf .Values.list }} {{ typeOf .Values.map }} {{ typeOf .Values.nothing }} {{ kindOf .Values.map }} {{ kindOf .Values.list }} {{ kindOf 1 }}"),
    t("kindis-typeis", "{{ kindIs \"map\" .Values.map }} {{ kindIs \"slice\" .Values.list }} {{ typeIs \"string\" .Values.name }} {{ typeIsLike \"float64\" .Values.port }} {{ deepEqual .Values.list (list \"a\" \"b\" \"c\") }}"),
    t("semver", "{{ semverCompare \">=1.19-0\" \"1.32.0\" }} {{ semverCompare \"~1.2\" .Values.version }} {{ semverCompare \"<1.20\" .Values.semverish }} {{ semverCompare \">=1.20.0-0\" .Values.semverish }} {{ (semver .Values.version).Minor }}"),
    t("semver-ranges", "{{ semverCompare \"1.2.x\" \"1.2.9\" }} {{ semverCompare \"^1.2\" \"1.9.0\" }} {{ semverCompare \"^1.2\" \"2.0.0\" }} {{ semverCompare \"1.0 - 2.0\" \"1.5.0\" }} {{ semverCompare \">1 || <0.5\" \"0.4.0\" }}"),
    t("err-semver-bad", "{{ semverCompare \"garbage!\" \"1.0.0\" }}"),
    t("capabilities-semver", "{{ if semverCompare \">=1.19-0\" .Capabilities.KubeVersion.GitVersion }}networking.k8s.io/v1{{ else }}extensions/v1beta1{{ end }}"),
]

ENCODING = [
    t("b64", "{{ b64enc .Values.name }} {{ b64dec \"d2Vi\" }} {{ b64dec \"!!!\" }}"),
    t("b32", "{{ b32enc .Values.name }} {{ b32dec \"O5SWE===\" }}"),
    t("hashes", "{{ sha1sum .Values.name }} {{ sha256sum .Values.name }} {{ adler32sum .Values.name }}"),
    t("sha512", "{{ sha512sum \"x\" }}"),
    t("uuid-shape", "{{ uuidv4 | len }} {{ regexMatch \"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$\" uuidv4 }}"),
    t("paths", "{{ base \"/a/b/c.txt\" }} {{ dir \"/a/b/c.txt\" }} {{ ext \"c.tar.gz\" }} {{ clean \"/a/../b/./c/\" }} {{ isAbs \"/x\" }} {{ base \"\" }} {{ dir \"x\" }}"),
    t("url", "{{ (urlParse .Values.url).host }} {{ (urlParse .Values.url).path }} {{ (urlParse .Values.url).query }} {{ urlJoin (dict \"scheme\" \"https\" \"host\" \"h\" \"path\" \"/p\") }}"),
    t("toyaml-json", "{{ toYaml .Values.map }}|{{ toJson .Values.map }}|{{ toPrettyJson .Values.list }}|{{ toRawJson (dict \"h\" \"<&>\") }}"),
    t("toyaml-floats", "{{ toYaml (dict \"a\" .Values.big \"b\" .Values.ratio \"c\" 1000000 \"d\" \"1.0\") }}"),
    t("fromyaml-json", "{{ (fromYaml \"a: 1\\nb: [x]\").b }} {{ (fromJson \"{\\\"a\\\": 2}\").a }} {{ fromYamlArray \"- 1\\n- 2\" }} {{ (fromYaml \"- a\").Error }}"),
    t("dates-fixed", "{{ date \"2006-01-02\" (toDate \"2006-01-02\" \"2024-03-05\") }} {{ unixEpoch (toDate \"2006-01-02\" \"2024-03-05\") | typeOf }} {{ duration 95 }}"),
    t("getHostByName-offline", "{{ getHostByName \"example.com\" | quote }}"),
    t("htpasswd-shape", "{{ htpasswd \"user\" \"pass\" | hasPrefix \"user:$2a$\" }} {{ bcrypt \"x\" | len }}"),
    t("gencert-shape", "{{ $ca := genCA \"my-ca\" 365 }}{{ hasPrefix \"-----BEGIN CERTIFICATE-----\" $ca.Cert }} {{ hasPrefix \"-----BEGIN RSA PRIVATE KEY-----\" $ca.Key }} {{ $c := genSignedCert \"svc\" (list \"10.0.0.1\") (list \"svc.local\") 30 $ca }}{{ hasPrefix \"-----BEGIN CERTIFICATE-----\" $c.Cert }}"),
]

MORE = [
    t("nested-range-vars", "{{ range $i, $a := .Values.list }}{{ range $j, $b := $.Values.nums }}{{ $i }}{{ $j }}{{ $a }}{{ $b }} {{ end }}{{ end }}"),
    t("range-map-values-only", "{{ range .Values.map }}{{ . }},{{ end }}"),
    t("range-nested-list-maps", "{{ range .Values.nested.list }}{{ range $k, $v := . }}{{ $k }}={{ $v }} {{ end }}|{{ end }}"),
    t("range-over-nil", "{{ range .Values.missing }}x{{ else }}none{{ end }}"),
    t("range-over-map-else", "{{ range .Values.emptymap }}x{{ else }}empty map{{ end }}"),
    t("range-dict-literal", "{{ range $k, $v := dict \"z\" 1 \"a\" 2 \"m\" 3 }}{{ $k }}{{ $v }}{{ end }}"),
    t("range-list-literal", "{{ range list \"x\" 1 true nil }}[{{ . }}]{{ end }}"),
    t("with-dot-rebinding", "{{ with .Values.nested }}{{ with .deep }}{{ .deeper.value }}{{ end }}{{ end }}"),
    t("with-var", "{{ with $x := .Values.name }}{{ $x }}{{ . }}{{ end }}"),
    t("if-with-pipeline-decl", "{{ if $x := .Values.port }}{{ $x }}{{ end }}"),
    t("if-and-or-nested", "{{ if and .Values.enabled (or .Values.off .Values.name) (not .Values.empty) }}yes{{ end }}"),
    t("eq-strings-in-if", "{{ if eq .Values.name \"web\" }}web{{ else }}other{{ end }}"),
    t("ne-nil", "{{ ne .Values.missing nil }} {{ eq .Values.missing \"\" }}"),
    t("err-eq-maps", "{{ eq .Values.map .Values.map }}"),
    t("err-eq-no-args", "{{ eq 1 }}"),
    t("gt-strings-floats", "{{ gt .Values.port 80.0 }} {{ lt .Values.ratio 1.0 }} {{ le \"a\" \"a\" }}"),
    t("define-recursion-bounded", "{{ template \"count\" 3 }}", VALUES, "{{ define \"count\" }}{{ . }}{{ if gt . 0 }}{{ template \"count\" (sub . 1) }}{{ end }}{{ end }}"),
    t("include-in-include", "{{ include \"outer\" . }}", VALUES, "{{ define \"outer\" }}<{{ include \"inner\" .Values }}>{{ end }}{{ define \"inner\" }}{{ .name }}{{ end }}"),
    t("include-dict-context", "{{ include \"ctx\" (dict \"a\" 1 \"root\" .) }}", VALUES, "{{ define \"ctx\" }}{{ .a }}-{{ .root.Values.name }}{{ end }}"),
    t("include-output-trim", "[{{ include \"ws\" . }}]", VALUES, "{{ define \"ws\" }}\n  spaced\n{{ end }}"),
    t("err-include-error-chain", "{{ include \"bad\" . }}", VALUES, "{{ define \"bad\" }}{{ .Values.missing.deeper }}{{ end }}"),
    t("err-required-in-include", "{{ include \"req\" . }}", VALUES, "{{ define \"req\" }}{{ required \"inner value required\" .Values.missing }}{{ end }}"),
    t("block-override", "{{ block \"b2\" . }}default{{ end }}", VALUES, "{{ define \"b2\" }}overridden{{ end }}"),
    t("variable-in-nested-scopes", "{{ $a := 1 }}{{ range .Values.list }}{{ $a = add $a 1 }}{{ end }}{{ $a }}"),
    t("dot-in-range-with-dollar", "{{ range .Values.list }}{{ $.Release.Name }}-{{ . }} {{ end }}"),
    t("print-objects", "{{ .Capabilities.KubeVersion }} {{ .Capabilities.HelmVersion }}"),
    t("chart-fields", "{{ .Chart.Name }} {{ .Chart.APIVersion }} {{ .Chart.IsRoot }} {{ .Chart.Type | quote }} {{ .Chart.Deprecated }}"),
    t("err-chart-missing-field", "{{ .Chart.Nope }}"),
    t("release-missing-field", "{{ .Release.Nope }}"),
    t("values-typeof", "{{ typeOf .Values }} {{ typeOf . }} {{ typeOf .Values.map }} {{ typeOf .Release }}"),
    t("trim-markers-in-blocks", "a\n{{- if true }}\n  b\n{{- end }}\nc"),
    t("comment-trim-only", "x {{- /* c */}} y {{/* d */ -}} z"),
    t("string-escapes", "{{ \"\\u00e9\\x41\\101\\n\" | quote }}"),
    t("raw-string-multiline", "{{ `a\nb` | quote }}"),
    t("char-constants", "{{ 'x' }} {{ printf \"%c\" 'y' }} {{ '\\n' }}"),
    t("number-forms", "{{ 1_000 }} {{ 0o17 }} {{ 0b101 }} {{ -5 }} {{ +3 }} {{ .5 }}"),
    t("err-number-overflow", "{{ 99999999999999999999 }}"),
    t("parenthesized-field-chain", "{{ (.Values.nested).deep.deeper.value }} {{ (dict \"a\" (dict \"b\" 1)).a.b }}"),
    t("method-on-capabilities-in-pipe", "{{ \"apps/v1\" | .Capabilities.APIVersions.Has }}"),
    t("err-parse-unterminated-string", "{{ \"abc }}"),
    t("err-parse-missing-value", "{{ $x := }}"),
    t("err-parse-non-exec-pipeline", "{{ .Values.name | \"x\" }}"),
    t("err-parse-else-twice", "{{ if true }}{{ else }}{{ else }}{{ end }}"),
    t("err-break-outside-range", "{{ break }}"),
    t("err-unclosed-action", "{{ .Values.name"),
    t("err-bad-char", "{{ .Values.name ^ 1 }}"),
    t("err-assign-undeclared", "{{ $y = 1 }}"),
    t("printf-width-star", "{{ printf \"%*d|%-*d|\" 5 42 4 7 }}"),
    t("printf-plus-space", "{{ printf \"%+d % d %+.1f\" 5 5 2.0 }}"),
    t("printf-sharp", "{{ printf \"%#x %#o %#v\" 255 8 \"s\" }}"),
    t("printf-q-int", "{{ printf \"%q %U %c\" 65 65 9731 }}"),
    t("printf-list-verbs", "{{ printf \"%d %s %q\" (list 1 2) (list \"a\" \"b\") (list \"x\") }}"),
    t("printf-nil-verbs", "{{ printf \"%v %s %d\" nil nil nil }}"),
    t("printf-extra-missing", "{{ printf \"%s %s\" \"a\" }} {{ printf \"%s\" \"a\" \"b\" 3 }}"),
    t("printf-float-values", "{{ printf \"%v %v %v %v\" .Values.port .Values.big .Values.ratio .Values.neg }}"),
    t("print-mixed-spacing", "{{ print 1 2 }}|{{ print \"a\" 1 }}|{{ print 1 \"a\" }}|{{ print nil 1 }}|{{ print .Values.list 1 }}"),
]

MORE_FUNCS = [
    t("quote-list", "{{ quote .Values.list }} {{ squote .Values.map }}"),
    t("default-zero-like", "{{ default \"x\" 0 }} {{ default \"x\" 0.0 }} {{ default \"x\" false }} {{ default \"x\" (list) }} {{ default \"x\" (dict) }} {{ default \"x\" \" \" }}"),
    t("empty-all-types", "{{ empty 0 }} {{ empty 1 }} {{ empty \"\" }} {{ empty \"a\" }} {{ empty nil }} {{ empty (list) }} {{ empty (dict \"a\" 1) }} {{ empty false }} {{ empty .Values.zero }}"),
    t("coalesce-all-empty", "{{ coalesce .Values.empty .Values.zero .Values.missing | quote }}"),
    t("ternary-piped", "{{ true | ternary \"yes\" \"no\" }} {{ .Values.enabled | ternary 1 2 }}"),
    t("tojson-types", "{{ toJson .Values.port }} {{ toJson .Values.big }} {{ toJson .Values.ratio }} {{ toJson .Values.nothing }} {{ toJson .Values.mixed }} {{ toJson \"<>&\" }}"),
    t("toyaml-nested", "{{ toYaml .Values.nested }}"),
    t("toyaml-list-of-maps", "{{ toYaml .Values.nested.list | nindent 2 }}"),
    t("toyaml-strings-quoting", "{{ toYaml (list \"true\" \"yes\" \"1\" \"1.0\" \"null\" \"\" \"a: b\" \"-x\" \"#c\" \"y\" \"~\") }}"),
    t("toyaml-multiline", "{{ toYaml (dict \"t\" .Values.text \"s\" \"one\\ntwo\") }}"),
    t("toyaml-empty", "{{ toYaml .Values.emptymap }} {{ toYaml .Values.emptylist }} {{ toYaml .Values.missing }}"),
    t("topretty-json", "{{ toPrettyJson .Values.map }}"),
    t("fromjson-error", "{{ fromJson \"{bad\" }}"),
    t("fromyaml-types", "{{ $m := fromYaml \"a: 1\\nb: yes\\nc: '1'\\nd: 1.5\" }}{{ typeOf $m.a }} {{ $m.b }} {{ typeOf $m.c }} {{ $m.d }}"),
    t("totoml", "{{ toToml (dict \"a\" 1 \"b\" \"x\" \"t\" (dict \"c\" true)) }}"),
    t("split-empty-sep", "{{ splitList \"\" \"abc\" }} {{ split \"\" \"ab\" }}"),
    t("join-nil-elements", "{{ join \",\" (list 1 nil \"a\") }}"),
    t("trim-unicode", "[{{ trim \"\\t héllo \\n\" }}]"),
    t("replace-empty-old", "{{ replace \"\" \"-\" \"abc\" }}"),
    t("repeat-zero", "[{{ repeat 0 \"x\" }}]"),
    t("err-repeat-negative", "{{ repeat -1 \"x\" }}"),
    t("substr-edge", "{{ substr 0 0 \"abc\" }}|{{ substr 1 1 \"abc\" }}|{{ substr 0 10 \"abc\" }}"),
    t("trunc-unicode-bytes", "{{ trunc 2 \"héllo\" | len }}"),
    t("title-mixed", "{{ title \"hELLO wORLD\" }} {{ title \"don't stop\" }}"),
    t("snakecase-variants", "{{ snakecase \"already_snake\" }} {{ snakecase \"camelCaseWord\" }} {{ kebabcase \"Two Words\" }} {{ camelcase \"dash-case-word\" }}"),
    t("nindent-zero", "[{{ nindent 0 \"a\\nb\" }}]"),
    t("indent-empty-lines", "{{ indent 2 \"a\\n\\nb\" }}"),
    t("contains-empty", "{{ contains \"\" \"abc\" }} {{ hasPrefix \"\" \"x\" }}"),
    t("uniq-mixed", "{{ uniq (list 1 1.0 \"1\" true true nil nil) }}"),
    t("has-types", "{{ has 1 (list 1 2) }} {{ has \"1\" (list 1 2) }} {{ has nil (list nil) }}"),
    t("without-multi", "{{ without (list 1 2 3 4) 2 4 }}"),
    t("reverse-rest-empty", "{{ reverse (list) }} {{ rest (list 1) }} {{ initial (list 1) }}"),
    t("concat-nested", "{{ concat (list 1) (list (list 2)) }}"),
    t("chunk-uneven", "{{ chunk 3 (list 1 2 3 4 5 6 7) }}"),
    t("slice-sprig", "{{ slice (list 1 2 3 4) 1 3 }} {{ slice (list 1 2 3) 1 }} {{ slice (list 1 2) }}"),
    t("keys-values-sorted", "{{ keys .Values.map | sortAlpha }} {{ values .Values.map | len }}"),
    t("pick-missing-omit-all", "{{ pick .Values.map \"zz\" }} {{ omit .Values.map \"a\" \"b\" \"c\" }}"),
    t("set-on-values", "{{ $_ := set .Values \"added\" \"yes\" }}{{ .Values.added }}"),
    t("unset-missing", "{{ $d := dict \"a\" 1 }}{{ $_ := unset $d \"zz\" }}{{ $d }}"),
    t("hasKey-nil", "{{ $m := .Values.missing }}{{ hasKey $m \"a\" }}"),
    t("err-hasKey-field-nil", "{{ hasKey .Values.missing \"a\" }}"),
    t("merge-multiple", "{{ merge (dict \"a\" 1) (dict \"b\" 2) (dict \"a\" 3 \"c\" 4) }}"),
    t("mergeoverwrite-nested", "{{ mergeOverwrite (dict \"n\" (dict \"a\" 1 \"b\" 2)) (dict \"n\" (dict \"b\" 3)) }}"),
    t("dict-nested-access", "{{ $d := dict \"a\" (dict \"b\" (list 1 2)) }}{{ index $d.a.b 1 }}"),
    t("get-default-empty", "{{ get (dict) \"x\" | quote }}"),
    t("int-conversions-strings", "{{ int \"12\" }} {{ int \"1.0\" }} {{ int \"1.5\" }} {{ int \"abc\" }} {{ int true }} {{ int nil }}"),
    t("float-conversions", "{{ float64 \"2.5\" }} {{ float64 3 }} {{ float64 \"x\" }} {{ float64 true }}"),
    t("math-with-strings", "{{ add \"1\" \"2\" }} {{ mul \"3\" 2 }} {{ sub 1.5 0.4 }} {{ max \"10\" 9 }}"),
    t("round-variants", "{{ round 1.5 0 }} {{ round -1.5 0 }} {{ round 1.2345 2 }} {{ round 1.005 2 }} {{ round 1.25 1 0.3 }}"),
    t("until-negative", "{{ until -3 }} {{ untilStep 5 0 -2 }} {{ untilStep 0 5 0 }}"),
    t("seq-variants", "{{ seq 0 }} {{ seq -3 }} {{ seq 1 2 10 }} {{ seq 10 -3 1 }}"),
    t("regex-no-match", "[{{ regexFind \"z\" \"abc\" }}] {{ regexFindAll \"z\" \"abc\" -1 }} {{ regexMatch \"^$\" \"\" }}"),
    t("regex-named-groups", "{{ regexReplaceAll \"(?P<first>\\\\w+) (?P<last>\\\\w+)\" \"John Smith\" \"${last}, ${first}\" }}"),
    t("regex-bad-pattern", "{{ regexMatch \"(\" \"x\" }} [{{ regexFind \"(\" \"x\" }}]"),
    t("err-mustRegexMatch-bad", "{{ mustRegexMatch \"(\" \"x\" }}"),
    t("semver-prerelease", "{{ semverCompare \">=1.0.0\" \"1.1.0-beta\" }} {{ semverCompare \">=1.0.0-0\" \"1.1.0-beta\" }} {{ semverCompare \"=1.2.3\" \"1.2.3\" }} {{ semverCompare \"!=1.2.3\" \"1.2.4\" }}"),
    t("semver-object", "{{ $v := semver \"1.2.3-rc.1+build\" }}{{ $v.Major }} {{ $v.Minor }} {{ $v.Patch }} {{ $v.Prerelease }} {{ $v.Metadata }}"),
    t("err-semver-invalid-version", "{{ semverCompare \">1\" \"not-a-version\" }}"),
    t("b64dec-invalid", "{{ b64dec \"YWJj\" }} {{ b64dec \"YW\" }}"),
    t("encodings-unicode", "{{ b64enc \"héllo\" }} {{ b32enc \"héllo\" }} {{ sha256sum \"héllo\" }}"),
    t("urlparse-simple", "{{ urlParse \"http://example.com\" }}"),
    t("paths-edge", "{{ base \"/\" }} {{ dir \"/\" }} {{ ext \".bashrc\" }} {{ clean \"\" }} {{ clean \"a//b\" }} {{ base \"a/b/\" }}"),
    t("date-unix", "{{ date \"2006-01-02T15:04:05Z07:00\" (toDate \"2006-01-02 15:04\" \"2020-01-02 03:04\") }}"),
    t("date-formats", "{{ $t := toDate \"2006-01-02\" \"2021-12-25\" }}{{ date \"Jan 2, 2006\" $t }} {{ date \"Monday 02/01/06\" $t }} {{ date \"3:04PM\" $t }}"),
    t("todate-invalid", "{{ toDate \"2006-01-02\" \"garbage\" | date \"2006\" }}"),
    t("duration-string", "{{ duration \"3661\" }} {{ duration \"0\" }} {{ duration \"59\" }}"),
    t("typeis-like", "{{ typeIsLike \"map[string]interface {}\" .Values.map }} {{ kindIs \"invalid\" nil }} {{ kindOf nil }} {{ typeOf nil }}"),
    t("deepequal-nested", "{{ deepEqual .Values.map (dict \"a\" 1.0 \"b\" 2.0 \"c\" \"three\") }} {{ deepEqual (list 1) (list 1.0) }}"),
    t("getHostByName-quote", "[{{ getHostByName \"localhost\" }}]"),
    t("nospace-unicode", "{{ nospace \"a\\u00a0b c\" }}"),
    t("initials-unicode", "{{ initials \"élan vital\" }}"),
    t("cat-lists", "{{ cat .Values.list .Values.port }}"),
    t("toString-types", "{{ toString 1.5 }} {{ toString .Values.map }} {{ toString (list) }}"),
    t("atoi-edge", "{{ atoi \"-7\" }} {{ atoi \" 7\" }} {{ atoi \"7.0\" }}"),
    t("len-unicode", "{{ len \"héllo\" }}"),
    t("derive-password", "{{ derivePassword 1 \"long\" \"password\" \"user\" \"example.com\" }} {{ derivePassword 2 \"pin\" \"p\" \"u\" \"s\" }} {{ derivePassword 1 \"nope\" \"p\" \"u\" \"s\" }}"),
    t("date-modify", "{{ $t := toDate \"2006-01-02\" \"2024-01-01\" }}{{ dateModify \"-1.5h\" $t | date \"2006-01-02 15:04\" }} {{ dateModify \"bad\" $t | date \"2006-01-02\" }}"),
    t("duration-round", "{{ durationRound \"2h10m\" }} {{ durationRound \"90s\" }} {{ durationRound \"400h\" }} {{ durationRound \"10000h\" }} {{ durationRound 5 }}"),
    t("aes-round-trip", "{{ encryptAES \"secretkey\" \"plaintext\" | decryptAES \"secretkey\" }}"),
]


def all_cases():
    out = []
    for group, items in [("lang", LANGUAGE), ("str", STRINGS), ("list", LISTS), ("math", MATH), ("enc", ENCODING), ("more", MORE), ("fn", MORE_FUNCS)]:
        for name, template, values, helpers in items:
            out.append((f"{group}-{name}", template, values, helpers))
    return out

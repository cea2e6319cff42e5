"""Sprig fixture cases: (name, template) or (name, template, values YAML).

Names are FAMILY_FUNCTION_N; record.py writes one file per case under cases/.
"""

V = """str: hello
empty: ""
num: 3
float: 2.5
neg: -7
zero: 0
big: 1000000
bool: true
f: false
list: [c, a, b, a]
nums: [3, 1, 2]
emptylist: []
map: {b: 2, a: 1, c: {d: 4}}
emptymap: {}
nil: null
ver: 1.2.3
text: "The quick brown fox jumps over the lazy dog"
path: /usr/local/bin/helm.tar.gz
url: "https://user:pw@example.com:8443/a/b?x=1&y=2#frag"
"""

CASES = []
_n = {}


def add(fn, tpl, values=V):
    key = fn
    _n[key] = _n.get(key, 0) + 1
    CASES.append((f"{fn}_{_n[key]}", tpl, values))


def many(fn, tpls, values=V):
    for t in tpls:
        add(fn, t, values)


# ---- strings
many("quote", ['{{ quote "a\\"b" }}', '{{ quote .Values.num }}', '{{ quote .Values.float }}',
               '{{ quote .Values.nil }}', '{{ quote .Values.missing "x" }}', '{{ quote "tab\\there" "nl\\n" }}',
               '{{ quote "ünï" }}', '{{ quote "\\x01\\x7f" }}', '{{ quote .Values.list }}', '{{ quote .Values.map }}',
               '{{ quote .Values.bool 1 2.5 }}', '{{ quote }}', '{{ "\\u2028" | quote }}', '{{ quote .Values.big }}'])
many("squote", ["{{ squote \"it's\" }}", '{{ squote .Values.num .Values.nil "x" }}', '{{ squote .Values.list }}',
                '{{ squote }}', '{{ squote .Values.float }}'])
many("cat", ['{{ cat "a" .Values.num .Values.nil "b" }}', '{{ cat }}', '{{ cat .Values.list .Values.map }}',
             '{{ cat "" "" }}'])
many("upper", ['{{ upper "héllo" }}', '{{ upper .Values.str }}', '{{ upper .Values.num }}', '{{ upper .Values.missing }}'])
many("lower", ['{{ lower "HÉLLO World" }}', '{{ lower "ǅ" }}'])
many("title", ['{{ title "hello world-foo bar_baz" }}', '{{ title "x.y z" }}', '{{ title "ßtraße élan" }}',
               '{{ title "ALL CAPS" }}', '{{ title "  lead  space" }}', '{{ title "a1b c\'d" }}'])
many("untitle", ['{{ untitle "Hello World" }}', '{{ untitle "HELLO" }}', '{{ untitle "" }}'])
many("trim", ['{{ trim "  a b \\n\\t" }}', '{{ trim "\\u00a0x\\u00a0" }}', '{{ trim .Values.num }}'])
many("trimAll", ['{{ trimAll "$" "$$5.00$" }}', '{{ trimAll "ab" "abcba" }}', '{{ trimall "x" "xyx" }}'])
many("trimPrefix", ['{{ trimPrefix "-" "--a" }}', '{{ trimPrefix "" "a" }}', '{{ trimPrefix "z" "a" }}'])
many("trimSuffix", ['{{ trimSuffix "-" "a--" }}', '{{ trimSuffix ".yaml" "x.yaml" }}', '{{ "a-" | trimSuffix "-" }}'])
many("nospace", ['{{ nospace " a b\\tc\\n d " }}', '{{ nospace "\\u3000x" }}'])
many("repeat", ['{{ repeat 3 "ab" }}', '{{ repeat 0 "ab" }}', '{{ repeat -1 "ab" }}', '{{ repeat .Values.num "x" }}'])
many("substr", ['{{ substr 0 3 "hello" }}', '{{ substr 1 -1 "hello" }}', '{{ substr -1 2 "hello" }}',
                '{{ substr 2 99 "hello" }}', '{{ substr 3 1 "hello" }}', '{{ substr 0 1 "über" }}', '{{ substr 5 5 "hello" }}'])
many("trunc", ['{{ trunc 3 "hello" }}', '{{ trunc -3 "hello" }}', '{{ trunc 10 "hello" }}', '{{ trunc -10 "hello" }}',
               '{{ trunc 0 "hello" }}', '{{ trunc 63 .Values.text }}', '{{ trunc 1 "über" }}', '{{ trunc .Values.num "hello" }}',
               '{{ trunc 3 .Values.num }}'])
many("abbrev", ['{{ abbrev 5 "hello world" }}', '{{ abbrev 3 "hello world" }}', '{{ abbrev 20 "hello world" }}',
                '{{ abbrev 4 "hello" }}'])
many("abbrevboth", ['{{ abbrevboth 5 10 "1234 5678 9123" }}', '{{ abbrevboth 0 8 "abcdefghijklmno" }}',
                    '{{ abbrevboth 10 10 "abcdefghijklmnopqrstuvwxyz" }}', '{{ abbrevboth 1 5 "abcdefghij" }}'])
many("initials", ['{{ initials "John Ronald Reuel" }}', '{{ initials "  a  b " }}', '{{ initials "élan vital" }}', '{{ initials "" }}'])
many("wrap", ['{{ wrap 5 "Hello World and more" }}', '{{ wrap 3 "abcdefgh ij" }}', '{{ wrap 10 "a\\nb c d e f g h i j k" }}',
              '{{ wrap 0 "a b c" }}', '{{ wrap 80 "short" }}', '{{ wrap 4 "  lead and trail  " }}'])
many("wrapWith", ['{{ wrapWith 5 "\\t" "Hello World" }}', '{{ wrapWith 3 "<br>" "abc def ghi" }}', '{{ wrapWith 6 "|" "longwordhere x" }}'])
many("contains", ['{{ contains "ll" "hello" }}', '{{ contains "" "x" }}', '{{ contains "z" "hello" }}'])
many("hasPrefix", ['{{ hasPrefix "he" "hello" }}', '{{ hasPrefix "lo" "hello" }}'])
many("hasSuffix", ['{{ hasSuffix "lo" "hello" }}', '{{ hasSuffix "he" "hello" }}'])
many("indent", ['{{ indent 2 "a\\nb" }}', '{{ indent 0 "a" }}', '{{ indent 3 "a\\n\\nb\\n" }}', '{{ indent -2 "a" }}',
                '{{ indent 2 "" }}', '{{ "x\\ny" | indent 4 }}', '{{ indent 2 .Values.num }}'])
many("nindent", ['{{ nindent 2 "a\\nb" }}', '{{ nindent 0 "a" }}', '{{ "x\\r\\ny" | nindent 1 }}', '{{ nindent 2 "" }}'])
many("replace", ['{{ replace "a" "b" "banana" }}', '{{ replace "" "-" "abc" }}', '{{ "a.b.c" | replace "." "-" }}',
                 '{{ replace "na" "" "banana" }}', '{{ replace "a" "b" .Values.num }}'])
many("plural", ['{{ plural "one" "many" 1 }}', '{{ plural "one" "many" 2 }}', '{{ plural "one" "many" 0 }}',
                '{{ plural "one" "many" .Values.num }}'])
many("snakecase", ['{{ snakecase "FirstName" }}', '{{ snakecase "HTTPServer" }}', '{{ snakecase "already_snake" }}',
                   '{{ snakecase "some-kebab-case" }}', '{{ snakecase "with space" }}', '{{ snakecase "ID123abc" }}',
                   '{{ snakecase "a.b" }}', '{{ snakecase "getHTTPResponseCode" }}', '{{ snakecase "__x__" }}', '{{ snakecase "ÜberFoo" }}'])
many("camelcase", ['{{ camelcase "http_server" }}', '{{ camelcase "_leading" }}', '{{ camelcase "a-b c" }}',
                   '{{ camelcase "already" }}', '{{ camelcase "x__y" }}', '{{ camelcase "HTTP_server" }}', '{{ camelcase "trailing_" }}',
                   '{{ camelcase "one1two" }}'])
many("kebabcase", ['{{ kebabcase "FirstName" }}', '{{ kebabcase "HTTPServer" }}', '{{ kebabcase "a_b" }}', '{{ kebabcase "x y Z" }}'])
many("swapcase", ['{{ swapcase "Hello World" }}', '{{ swapcase "ǅ ß" }}', '{{ swapcase "123abc" }}'])
many("toString", ['{{ toString 1 }}', '{{ toString .Values.float }}', '{{ toString .Values.nil }}', '{{ toString .Values.list }}',
                  '{{ toString .Values.map }}', '{{ toString .Values.bool }}', '{{ toString .Values.big }}', '{{ toString 1.5e300 }}',
                  '{{ typeOf (toString 1) }}'])
many("toStrings", ['{{ toStrings .Values.nums }}', '{{ toStrings (list 1 "a" nil true) | join "," }}', '{{ toStrings "x" }}',
                   '{{ typeOf (toStrings .Values.list) }}'])
many("split", ['{{ split "," "a,b,c" }}', '{{ (split "," "a,b,c")._1 }}', '{{ split "" "abc" }}', '{{ split "," "" }}',
               '{{ split "," .Values.num }}'])
many("splitn", ['{{ splitn "," 2 "a,b,c" }}', '{{ splitn "," 0 "a,b,c" }}', '{{ splitn "," -1 "a,b,c" }}'])
many("splitList", ['{{ splitList "," "a,b,,c" }}', '{{ splitList "" "ab" }}', '{{ splitList "," "" | len }}',
                   '{{ splitList "::" "a::b" }}'])
many("join", ['{{ join "," .Values.list }}', '{{ join "-" .Values.nums }}', '{{ join "," (list 1 nil "x" true 2.5) }}',
              '{{ join "," "str" }}', '{{ join "," .Values.nil }}', '{{ join "," .Values.map }}', '{{ join 1 .Values.list }}'])
many("sortAlpha", ['{{ sortAlpha .Values.list }}', '{{ sortAlpha .Values.nums }}', '{{ sortAlpha (list "B" "a" "C" 10 9) }}',
                   '{{ sortAlpha "x" }}', '{{ sortAlpha .Values.map }}'])
many("hello", ['{{ hello }}'])
many("randAlphaNum", ['{{ len (randAlphaNum 12) }}', '{{ regexMatch "^[a-zA-Z0-9]{8}$" (randAlphaNum 8) }}'])
many("randAlpha", ['{{ len (randAlpha 5) }}', '{{ regexMatch "^[a-zA-Z]{8}$" (randAlpha 8) }}'])
many("randNumeric", ['{{ regexMatch "^[0-9]{6}$" (randNumeric 6) }}', '{{ randNumeric 0 }}'])
many("randAscii", ['{{ len (randAscii 7) }}'])
many("shuffle", ['{{ len (shuffle "abcdef") }}', '{{ shuffle "aaaa" }}'])

# ---- regex
many("regexMatch", ['{{ regexMatch "^[a-z]+$" "abc" }}', '{{ regexMatch "\\\\d" "abc" }}', '{{ regexMatch "(" "x" }}',
                    '{{ mustRegexMatch "(" "x" }}', '{{ mustRegexMatch "b" "abc" }}', '{{ regexMatch "(?i)ABC" "xabcx" }}'])
many("regexFind", ['{{ regexFind "[0-9]+" "ab123cd45" }}', '{{ regexFind "z" "abc" }}', '{{ mustRegexFind "a+" "baaa" }}'])
many("regexFindAll", ['{{ regexFindAll "[0-9]" "a1b2c3" -1 }}', '{{ regexFindAll "[0-9]" "a1b2c3" 2 }}',
                      '{{ regexFindAll "[0-9]" "a1b2c3" 0 }}', '{{ regexFindAll "x*" "abc" -1 }}', '{{ mustRegexFindAll "b" "abcb" -1 }}'])
many("regexReplaceAll", ['{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}', '{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "$1W" }}',
                         '{{ regexReplaceAll "a(?P<n>x*)b" "-axb-" "[$n]" }}', '{{ regexReplaceAll "(a)(b)" "ab" "$2$1$$" }}',
                         '{{ regexReplaceAll "[^a-z0-9-]" "Hello_World.Example" "-" }}', '{{ regexReplaceAll "x" "abc" "y" }}',
                         '{{ regexReplaceAll "" "abc" "-" }}', '{{ regexReplaceAll "(a)" "aa" "$9" }}', '{{ mustRegexReplaceAll "(" "x" "y" }}',
                         '{{ regexReplaceAll "(" "x" "y" }}', '{{ regexReplaceAll "(\\\\w+)@(\\\\w+)" "me@host" "${2}.$1" }}'])
many("regexReplaceAllLiteral", ['{{ regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}" }}', '{{ mustRegexReplaceAllLiteral "b" "abc" "$" }}'])
many("regexSplit", ['{{ regexSplit "z+" "pizza" -1 }}', '{{ regexSplit "z+" "pizza" 1 }}', '{{ regexSplit "" "abc" -1 }}',
                    '{{ regexSplit "," "a,b,c" 2 }}', '{{ mustRegexSplit "a" "banana" 0 }}'])
many("regexQuoteMeta", ['{{ regexQuoteMeta "1.2.3+[x]" }}', '{{ regexQuoteMeta "plain" }}'])

# ---- lists
many("list", ['{{ list 1 "a" nil 2.5 }}', '{{ list }}', '{{ typeOf (list 1) }}'])
many("tuple", ['{{ tuple 1 2 }}'])
many("append", ['{{ append .Values.list "z" }}', '{{ append .Values.nil "z" }}', '{{ mustAppend .Values.str "z" }}',
                '{{ push (list 1) 2 }}', '{{ mustPush .Values.nums 4 }}', '{{ append .Values.str "z" }}'])
many("prepend", ['{{ prepend .Values.list "z" }}', '{{ mustPrepend .Values.num 1 }}', '{{ prepend (list) 1 }}'])
many("first", ['{{ first .Values.list }}', '{{ first .Values.emptylist }}', '{{ mustFirst .Values.map }}', '{{ first .Values.nil }}',
               '{{ first .Values.str }}'])
many("last", ['{{ last .Values.list }}', '{{ last .Values.emptylist }}', '{{ mustLast .Values.num }}'])
many("rest", ['{{ rest .Values.list }}', '{{ rest .Values.emptylist }}', '{{ mustRest (list 1) }}'])
many("initial", ['{{ initial .Values.list }}', '{{ initial .Values.emptylist }}', '{{ mustInitial (list 1 2) }}'])
many("reverse", ['{{ reverse .Values.list }}', '{{ reverse .Values.emptylist }}', '{{ mustReverse .Values.str }}'])
many("uniq", ['{{ uniq .Values.list }}', '{{ uniq (list 1 1.0 "1" 1) }}', '{{ mustUniq .Values.map }}', '{{ uniq (list (list 1) (list 1)) }}'])
many("compact", ['{{ compact (list 1 0 "" nil false "a" (list) (dict)) }}', '{{ mustCompact .Values.list }}', '{{ compact .Values.num }}'])
many("without", ['{{ without .Values.list "a" }}', '{{ without .Values.nums 1.0 }}', '{{ without .Values.nums 1 }}', '{{ mustWithout .Values.str "x" }}'])
many("has", ['{{ has "a" .Values.list }}', '{{ has 1 .Values.nums }}', '{{ has 1.0 .Values.nums }}', '{{ has "x" .Values.nil }}',
             '{{ mustHas 1 .Values.str }}', '{{ has nil (list nil) }}'])
many("slice", ['{{ slice .Values.list 1 }}', '{{ slice .Values.list 1 3 }}', '{{ slice .Values.list }}', '{{ mustSlice .Values.list 3 1 }}',
               '{{ slice .Values.list 9 }}', '{{ slice "hello" 1 3 }}'])
many("concat", ['{{ concat .Values.list .Values.nums }}', '{{ concat (list 1) (list) (list 2 3) }}', '{{ concat .Values.list "x" }}',
                '{{ concat }}'])
many("chunk", ['{{ chunk 2 .Values.list }}', '{{ chunk 3 .Values.nums }}', '{{ chunk 0 .Values.list }}', '{{ mustChunk 1 .Values.str }}'])
many("until", ['{{ until 3 }}', '{{ until 0 }}', '{{ until -3 }}', '{{ typeOf (index (until 2) 0) }}'])
many("untilStep", ['{{ untilStep 0 10 3 }}', '{{ untilStep 10 0 -4 }}', '{{ untilStep 0 10 0 }}', '{{ untilStep 0 10 -1 }}'])
many("seq", ['{{ seq 3 }}', '{{ seq 2 5 }}', '{{ seq 5 2 }}', '{{ seq 0 2 10 }}', '{{ seq 10 -3 1 }}', '{{ seq 1 0 3 }}',
             '{{ seq }}', '{{ seq 1 2 3 4 }}', '{{ seq -2 }}', '{{ seq 0 }}'])

# ---- dicts
many("dict", ['{{ dict "a" 1 "b" "x" }}', '{{ dict }}', '{{ dict "a" }}', '{{ dict 1 2 }}', '{{ dict .Values.nil 1 }}',
              '{{ dict "a" 1 "a" 2 }}'])
many("get", ['{{ get .Values.map "a" }}', '{{ get .Values.map "zz" }}', '{{ get .Values.nil "a" }}', '{{ typeOf (get .Values.map "zz") }}'])
many("set", ['{{ $d := dict "a" 1 }}{{ $_ := set $d "b" 2 }}{{ $d }}', '{{ set (dict) "k" "v" }}', '{{ set .Values.str "k" "v" }}'])
many("unset", ['{{ $d := dict "a" 1 "b" 2 }}{{ $_ := unset $d "a" }}{{ $d }}', '{{ unset (dict "a" 1) "zz" }}'])
many("hasKey", ['{{ hasKey .Values.map "a" }}', '{{ hasKey .Values.map "z" }}', '{{ hasKey .Values.nil "z" }}'])
many("pluck", ['{{ pluck "a" .Values.map (dict "a" 9) (dict) }}', '{{ pluck "a" }}', '{{ pluck "a" .Values.nil }}'])
many("keys", ['{{ keys .Values.map | sortAlpha }}', '{{ keys .Values.map (dict "z" 1) | sortAlpha }}', '{{ keys .Values.emptymap }}'])
many("values", ['{{ values (dict "a" 1) }}', '{{ values .Values.emptymap }}'])
many("pick", ['{{ pick .Values.map "a" "c" "zz" }}', '{{ pick .Values.map }}'])
many("omit", ['{{ omit .Values.map "a" }}', '{{ omit .Values.map }}'])
many("merge", ['{{ merge (dict "a" 1 "n" (dict "x" 1)) (dict "a" 2 "b" 3 "n" (dict "y" 2)) }}', '{{ merge (dict "a" "") (dict "a" "x") }}',
               '{{ merge (dict "a" 0) (dict "a" 5) }}', '{{ merge (dict "a" false) (dict "a" true) }}',
               '{{ $d := dict "a" 1 }}{{ $_ := merge $d (dict "b" 2) }}{{ $d }}', '{{ merge (dict) .Values.map (dict "a" 9) }}',
               '{{ mustMerge (dict "a" 1) (dict "b" 2) }}', '{{ merge (dict "n" 1) (dict "n" (dict "x" 1)) }}',
               '{{ merge (dict "n" (dict "x" 1)) (dict "n" 1) }}', '{{ merge (dict "l" (list 1)) (dict "l" (list 2 3)) }}'])
many("mergeOverwrite", ['{{ mergeOverwrite (dict "a" 1 "n" (dict "x" 1)) (dict "a" 2 "n" (dict "y" 2)) }}',
                        '{{ mergeOverwrite (dict "a" 1) (dict "a" "") }}', '{{ mergeOverwrite (dict "a" 1) (dict "a" nil) }}',
                        '{{ mustMergeOverwrite (dict "a" 1) (dict "a" 3) (dict "a" 4) }}', '{{ mergeOverwrite (dict "a" (dict "b" 1)) (dict "a" "s") }}'])
many("dig", ['{{ dig "c" "d" "def" .Values.map }}', '{{ dig "c" "zz" "def" .Values.map }}', '{{ dig "a" "def" .Values.map }}',
             '{{ dig "a" "b" "def" .Values.map }}', '{{ dig "x" "def" (dict) }}', '{{ dig "def" .Values.map }}'])
many("deepCopy", ['{{ deepCopy .Values.map }}', '{{ $d := dict "a" (dict "b" 1) }}{{ $c := deepCopy $d }}{{ $_ := set $c.a "b" 2 }}{{ $d }} {{ $c }}',
                  '{{ mustDeepCopy .Values.list }}', '{{ deepCopy nil }}'])

# ---- defaults
for v in ['nil', 'empty', 'num', 'zero', 'float', 'bool', 'f', 'list', 'emptylist', 'map', 'emptymap', 'missing', 'str']:
    add("default", '{{ default "D" .Values.%s }}' % v)
    add("empty", '{{ empty .Values.%s }}' % v)
many("default", ['{{ default "D" }}', '{{ default "D" 0.0 }}', '{{ "x" | default "D" }}', '{{ default "D" "" }}', '{{ default 5 (list) }}'])
many("empty", ['{{ empty 0 }}', '{{ empty "" }}', '{{ empty (dict) }}', '{{ empty nil }}'])
many("coalesce", ['{{ coalesce .Values.nil "" 0 "x" }}', '{{ coalesce .Values.empty .Values.zero }}', '{{ coalesce }}',
                  '{{ coalesce (list) (dict) .Values.list }}'])
many("all", ['{{ all 1 "a" true }}', '{{ all 1 "" true }}', '{{ all }}'])
many("any", ['{{ any 0 "" "x" }}', '{{ any 0 "" }}', '{{ any }}'])
many("ternary", ['{{ ternary "y" "n" true }}', '{{ ternary "y" "n" false }}', '{{ true | ternary 1 2 }}',
                 '{{ ternary "y" "n" .Values.bool }}', '{{ ternary "y" "n" 1 }}', '{{ ternary "y" "n" .Values.nil }}'])
many("fail", ['{{ fail "boom" }}', '{{ fail 3 }}'])

# ---- math
many("add", ['{{ add 1 2 3 }}', '{{ add .Values.float 1 }}', '{{ add "3" 4 }}', '{{ add "x" 4 }}', '{{ add }}', '{{ add 1.9 1.9 }}',
             '{{ add .Values.neg .Values.big }}', '{{ add "0x10" 1 }}', '{{ add "1.0" 1 }}', '{{ add true 1 }}', '{{ add nil 1 }}',
             '{{ typeOf (add 1 1) }}', '{{ add "010" 0 }}', '{{ add "1e3" 0 }}', '{{ add " 3" 0 }}'])
many("add1", ['{{ add1 1 }}', '{{ add1 .Values.float }}', '{{ add1 "9" }}'])
many("sub", ['{{ sub 5 3 }}', '{{ sub .Values.float 1 }}', '{{ sub 1 }}'])
many("mul", ['{{ mul 2 3 4 }}', '{{ mul .Values.float 2 }}', '{{ mul 2 }}', '{{ mul }}'])
many("div", ['{{ div 7 2 }}', '{{ div -7 2 }}', '{{ div 7 0 }}', '{{ div .Values.float 1 }}', '{{ div 1 }}'])
many("mod", ['{{ mod 7 3 }}', '{{ mod -7 3 }}', '{{ mod 7 0 }}'])
many("max", ['{{ max 1 5 3 }}', '{{ max .Values.float 2 }}', '{{ biggest 1 "9" }}', '{{ max 3 }}'])
many("min", ['{{ min 1 5 -3 }}', '{{ min .Values.float 3 }}', '{{ min 3 }}'])
many("addf", ['{{ addf 1.5 2 }}', '{{ addf "1.25" 1 }}', '{{ addf 0.1 0.2 }}', '{{ typeOf (addf 1 2) }}'])
many("add1f", ['{{ add1f 1.5 }}', '{{ add1f "x" }}'])
many("subf", ['{{ subf 5 1.5 0.5 }}', '{{ subf 1 }}'])
many("mulf", ['{{ mulf 1.5 2 }}', '{{ mulf 3 }}', '{{ mulf 1e200 1e200 }}'])
many("divf", ['{{ divf 1 3 }}', '{{ divf 1 0 }}', '{{ divf 10 4 }}', '{{ divf 0 0 }}'])
many("maxf", ['{{ maxf 1.5 2.5 }}', '{{ maxf 1 }}'])
many("minf", ['{{ minf 1.5 -2.5 }}', '{{ minf "3" 4 }}'])
many("ceil", ['{{ ceil 1.2 }}', '{{ ceil -1.2 }}', '{{ ceil "2.1" }}', '{{ ceil 3 }}'])
many("floor", ['{{ floor 1.8 }}', '{{ floor -1.2 }}', '{{ floor "x" }}'])
many("round", ['{{ round 3.14159 2 }}', '{{ round 2.5 0 }}', '{{ round 1.2345 3 0.4 }}', '{{ round -2.5 0 }}', '{{ round 123.456 -1 }}',
               '{{ round "1.55" 1 }}'])
many("randInt", ['{{ $r := randInt 5 10 }}{{ and (ge $r 5) (lt $r 10) }}', '{{ randInt 3 4 }}'])
many("atoi", ['{{ atoi "42" }}', '{{ atoi "x" }}', '{{ atoi " 1" }}', '{{ atoi "-5" }}', '{{ atoi "1.5" }}', '{{ atoi 3 }}'])
many("int", ['{{ int "42" }}', '{{ int 3.9 }}', '{{ int "3.9" }}', '{{ int .Values.float }}', '{{ int "0x1F" }}', '{{ int true }}',
             '{{ int nil }}', '{{ int "" }}', '{{ typeOf (int 1) }}', '{{ int "08" }}', '{{ int "-0b11" }}'])
many("int64", ['{{ int64 "42" }}', '{{ int64 .Values.float }}', '{{ typeOf (int64 1) }}', '{{ int64 "3.0" }}'])
many("float64", ['{{ float64 "1.5" }}', '{{ float64 3 }}', '{{ float64 "x" }}', '{{ typeOf (float64 1) }}', '{{ float64 "1e3" }}',
                 '{{ float64 true }}'])
many("toDecimal", ['{{ toDecimal "0777" }}', '{{ toDecimal "777" }}', '{{ toDecimal "8" }}', '{{ toDecimal 10 }}'])

# ---- dates (fixed times)
T = '(toDate "2006-01-02 15:04:05" "2021-03-04 05:06:07")'
many("date", ['{{ date "2006-01-02" %s }}' % T, '{{ date "Jan 2, 2006 at 3:04pm (MST)" %s }}' % T,
              '{{ date "Mon Monday Jan January 01 1 02 _2 2 03 3 15 04 4 05 5 06 2006 PM pm" %s }}' % T,
              '{{ date "2006-01-02T15:04:05Z07:00" %s }}' % T, '{{ date "002 __2 .000 .999 ,000" %s }}' % T,
              '{{ date "-0700 -07:00 Z0700 Z07:00 MST" %s }}' % T, '{{ date "2006" 0 }}', '{{ date "2006-01-02" 1600000000 }}'])
many("dateInZone", ['{{ dateInZone "2006-01-02 15:04 MST" %s "Asia/Tokyo" }}' % T, '{{ date_in_zone "15:04 -0700" %s "America/New_York" }}' % T,
                    '{{ dateInZone "15:04" %s "UTC" }}' % T, '{{ dateInZone "15:04" %s "Nowhere/Zone" }}' % T])
many("htmlDate", ['{{ htmlDate %s }}' % T, '{{ htmlDateInZone %s "Asia/Tokyo" }}' % T, '{{ htmlDate 0 }}'])
many("toDate", ['{{ toDate "2006-01-02" "2017-12-31" }}', '{{ toDate "2006-01-02" "bad" }}', '{{ mustToDate "2006-01-02" "bad" }}',
                '{{ toDate "02/01/2006 15:04" "25/12/2020 10:30" | date "2006-01-02T15:04" }}', '{{ typeOf (toDate "2006" "2020") }}',
                '{{ toDate "2006-01-02T15:04:05Z07:00" "2020-01-02T03:04:05+02:00" }}'])
many("unixEpoch", ['{{ unixEpoch %s }}' % T, '{{ unixEpoch (toDate "2006-01-02" "1970-01-02") }}'])
many("dateModify", ['{{ dateModify "1h30m" %s | date "15:04" }}' % T, '{{ dateModify "-48h" %s | date "2006-01-02" }}' % T,
                    '{{ dateModify "bad" %s | date "15:04" }}' % T, '{{ mustDateModify "bad" %s }}' % T,
                    '{{ date_modify "1.5s" %s | date "15:04:05.000" }}' % T, '{{ must_date_modify "10m" %s | date "15:04" }}' % T,
                    '{{ dateModify "1h" "x" }}'])
many("duration", ['{{ duration "95" }}', '{{ duration 95 }}', '{{ duration "3700" }}', '{{ duration "x" }}', '{{ duration "90061" }}'])
many("durationRound", ['{{ durationRound "2h10m" }}', '{{ durationRound "3600s" }}', '{{ durationRound "800h" }}',
                       '{{ durationRound "9000h" }}', '{{ durationRound "-49h" }}', '{{ durationRound "bad" }}', '{{ durationRound 5 }}',
                       '{{ durationRound "1.5s" }}'])
many("now", ['{{ typeOf now }}', '{{ gt (now | unixEpoch | atoi) 1600000000 }}'])
many("ago", ['{{ typeOf (ago now) }}'])

# ---- encoding / hashes
many("b64enc", ['{{ b64enc "hello" }}', '{{ b64enc "" }}', '{{ b64enc .Values.num }}'])
many("b64dec", ['{{ b64dec "aGVsbG8=" }}', '{{ b64dec "!!" }}', '{{ b64dec "aGVsbG8" }}'])
many("b32enc", ['{{ b32enc "hello" }}', '{{ b32enc "a" }}'])
many("b32dec", ['{{ b32dec "NBSWY3DP" }}', '{{ b32dec "!!" }}', '{{ b32dec "ME======" }}'])
many("sha1sum", ['{{ sha1sum "hello" }}', '{{ sha1sum "" }}'])
many("sha256sum", ['{{ sha256sum "hello" }}', '{{ sha256sum .Values.str }}'])
many("sha512sum", ['{{ sha512sum "hello" }}'])
many("adler32sum", ['{{ adler32sum "hello" }}', '{{ adler32sum "" }}'])
many("uuidv4", ['{{ regexMatch "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$" uuidv4 }}'])
many("randBytes", ['{{ len (b64dec (randBytes 12)) }}'])
many("derivePassword", ['{{ derivePassword 1 "long" "password" "user" "example.com" }}', '{{ derivePassword 1 "pin" "pw" "u" "s" }}',
                        '{{ derivePassword 1 "nope" "pw" "u" "s" }}'])
many("encryptAES", ['{{ encryptAES "secretkey" "plaintext" | decryptAES "secretkey" }}', '{{ encryptAES "k" "" }}',
                    '{{ len (b64dec (encryptAES "k" "0123456789abcdef")) }}'])
many("decryptAES", ['{{ decryptAES "k" "" }}', '{{ decryptAES "k" "!!" }}'])
many("bcrypt", ['{{ hasPrefix "$2a$10$" (bcrypt "pw") }}', '{{ len (bcrypt "pw") }}'])
many("htpasswd", ['{{ hasPrefix "user:$2a$10$" (htpasswd "user" "pw") }}', '{{ htpasswd "us:er" "pw" }}'])
many("genPrivateKey", ['{{ hasPrefix "-----BEGIN RSA PRIVATE KEY-----" (genPrivateKey "rsa") }}',
                       '{{ hasPrefix "-----BEGIN EC PRIVATE KEY-----" (genPrivateKey "ecdsa") }}',
                       '{{ hasPrefix "-----BEGIN PRIVATE KEY-----" (genPrivateKey "ed25519") }}',
                       '{{ hasPrefix "-----BEGIN DSA PRIVATE KEY-----" (genPrivateKey "dsa") }}', '{{ genPrivateKey "x" }}'])
many("genCA", ['{{ $ca := genCA "ca" 365 }}{{ hasPrefix "-----BEGIN CERTIFICATE-----" $ca.Cert }} {{ hasPrefix "-----BEGIN RSA PRIVATE KEY-----" $ca.Key }}',
               '{{ typeOf (genCA "ca" 1) }}'])
many("genSelfSignedCert", ['{{ $c := genSelfSignedCert "x" (list "1.2.3.4") (list "a.b") 30 }}{{ hasPrefix "-----BEGIN CERTIFICATE-----" $c.Cert }}'])
many("genSignedCert", ['{{ $ca := genCA "ca" 365 }}{{ $c := genSignedCert "x" nil nil 30 $ca }}{{ hasSuffix "-----END CERTIFICATE-----\\n" $c.Cert }}'])

# ---- reflection
many("typeOf", ['{{ typeOf 1 }}', '{{ typeOf .Values.num }}', '{{ typeOf .Values.nil }}', '{{ typeOf .Values.list }}', '{{ typeOf .Values.map }}',
                '{{ typeOf "s" }}', '{{ typeOf true }}', '{{ typeOf .Values }}'])
many("kindOf", ['{{ kindOf 1 }}', '{{ kindOf .Values.num }}', '{{ kindOf .Values.list }}', '{{ kindOf .Values.map }}', '{{ kindOf .Values.nil }}'])
many("kindIs", ['{{ kindIs "int" 1 }}', '{{ kindIs "float64" .Values.num }}', '{{ kindIs "slice" .Values.list }}', '{{ kindIs "map" .Values.map }}',
                '{{ kindIs "invalid" .Values.nil }}', '{{ kindIs "string" 1 }}'])
many("typeIs", ['{{ typeIs "int" 1 }}', '{{ typeIs "float64" .Values.num }}', '{{ typeIs "string" 1 }}'])
many("typeIsLike", ['{{ typeIsLike "int" 1 }}', '{{ typeIsLike "*int" 1 }}', '{{ typeIsLike "string" "s" }}'])
many("deepEqual", ['{{ deepEqual (list 1 2) (list 1 2) }}', '{{ deepEqual .Values.num 3 }}', '{{ deepEqual (dict "a" 1) (dict "a" 1) }}',
                   '{{ deepEqual nil nil }}', '{{ deepEqual "a" "b" }}'])

# ---- semver
many("semver", ['{{ (semver "1.2.3-beta.1+b5").Major }}', '{{ (semver "v1.2").String }}', '{{ semver "x" }}', '{{ (semver "1.2.3").Prerelease }}',
                '{{ (semver "1.2.3").Compare (semver "1.3.0") }}', '{{ semver "1.2.3" }}', '{{ (semver "1.2.3-rc.1").Original }}'])
for c, v in [(">=1.19-0", "1.20.0-gke.1"), (">=1.19", "1.20.0-gke.1"), ("~1.2", "1.2.9"), ("~1.2", "1.3.0"), ("^1.2", "1.9.0"),
             ("^1.2", "2.0.0"), ("^0.2.3", "0.2.9"), ("^0.2.3", "0.3.0"), ("1.2.x", "1.2.7"), ("1.2.x", "1.3.0"),
             (">1.0 <2.0", "1.5.0"), (">1.0, <2.0", "2.0.0"), ("<1.0 || >=3.0", "3.1.0"), ("<1.0 || >=3.0", "2.0.0"),
             ("1.1 - 1.3", "1.3.5"), ("1.1 - 1.3", "1.4.0"), ("=1.2.3", "1.2.3"), ("!=1.2.3", "1.2.3"), ("*", "1.0.0-alpha"),
             ("*", "5.0.0"), (">= 1.2.3", "v1.2.3"), ("~1", "1.9.9"), ("^0.0.1", "0.0.2"), ("1.x", "1.5.0"),
             (">=1.16.0-0 <1.25.0-0", "1.24.3-eks-1"), ("bad", "1.0.0"), (">=1.0", "bad"), ("~> 1.2", "1.2.3"), ("<=1.2", "1.2.9"),
             (">1.2", "1.2.9"), ("1.2", "1.2.0"), ("~1.2.3-beta.2", "1.2.3-beta.4"), ("^1.2.3-beta.2", "1.2.4-beta.1"),
             (">=1.2.3-beta", "1.2.3-alpha"), ("^0", "0.9.0"), ("x", "2.0.0"), ("~0.0.0", "0.0.9"), (">=v1.2", "1.2.0")]:
    add("semverCompare", '{{ semverCompare "%s" "%s" }}' % (c, v))

# ---- paths
for f in ["base", "dir", "clean", "ext", "isAbs"]:
    for p in ["/usr/local/bin/helm.tar.gz", "a/b/../c/", "", "/", "relative", "//x//y/.", "../..", ".hidden", "a.b/c"]:
        add(f, '{{ %s "%s" }}' % (f, p))
many("osBase", ['{{ osBase "/a/b.c" }}', '{{ osDir "/a/b.c" }}', '{{ osClean "/a/../b" }}', '{{ osExt "x.y" }}', '{{ osIsAbs "/a" }}'])

# ---- urls
many("urlParse", ['{{ urlParse .Values.url }}', '{{ (urlParse .Values.url).host }}', '{{ (urlParse "mailto:me@x.org").opaque }}',
                  '{{ urlParse "/rel/path?q=1" }}', '{{ urlParse "http://h/%zz" }}', '{{ urlParse "http://[::1]:80/p" }}'])
many("urlJoin", ['{{ urlJoin (dict "scheme" "https" "host" "example.com" "path" "/p" "query" "a=1" "fragment" "f") }}',
                 '{{ urlJoin (dict "scheme" "http" "userinfo" "u:p" "host" "h") }}', '{{ urlJoin (dict "path" "a b") }}',
                 '{{ urlJoin (urlParse .Values.url) }}', '{{ urlJoin (dict "opaque" "me@x" "scheme" "mailto") }}'])

# ---- network
many("getHostByName", ['{{ getHostByName "localhost" }}', '{{ getHostByName "example.invalid" | quote }}'])

# ---- confirmations of xstrings / decimal / regex details
many("camelcase", ['{{ camelcase "someWords" }}', '{{ camelcase "GOLANG_IS_GREAT" }}', '{{ camelcase "_complex__case_" }}',
                   '{{ camelcase "a   b" }}'])
many("snakecase", ['{{ snakecase "Bld4Floor3rd" }}', '{{ snakecase "HTTP20xOK" }}', '{{ snakecase "Duration2m3s" }}',
                   '{{ snakecase "NoHTTPS" }}', '{{ snakecase "a--b" }}', '{{ snakecase "k8s.io/name" }}'])
many("kebabcase", ['{{ kebabcase "http2xx" }}', '{{ kebabcase "GO_PATH" }}', '{{ kebabcase "fooBarBaz" }}'])
many("divf", ['{{ divf 2 3 }}', '{{ divf -2 3 }}', '{{ divf 1e-20 3 }}', '{{ divf 10 3 2 }}'])
many("addf", ['{{ addf 1e200 1e-200 }}', '{{ addf 0.1 0.2 0.3 }}', '{{ subf 0.3 0.1 }}', '{{ mulf 0.1 3 }}'])
many("regexFind", ['{{ regexFind "(" "x" }}', '{{ regexFind "a{2,1}" "x" }}'])
many("regexSplit", ['{{ regexSplit "(" "x" -1 }}', '{{ regexSplit "a*" "baaac" -1 }}', '{{ regexSplit "," "" -1 }}'])
many("regexMatch", ['{{ mustRegexMatch "[a-" "x" }}', '{{ mustRegexMatch "a**" "x" }}', '{{ mustRegexMatch "\\q" "x" }}',
                    '{{ mustRegexMatch "a)" "x" }}'])
many("regexQuoteMeta", ['{{ regexQuoteMeta "a-b#c~d &e" }}'])
many("urlParse", ['{{ (urlParse "http://u%40x:p@h/p%2Fq").path }}', '{{ (urlParse "http://u%40x:p@h/").userinfo }}',
                  '{{ urlParse "//host/path" }}', '{{ urlParse "a:b/c" }}'])
many("urlJoin", ['{{ urlJoin (dict "host" "h" "path" "p") }}', '{{ urlJoin (dict "path" "a:b") }}',
                 '{{ urlJoin (dict "scheme" "http" "host" "h" "fragment" "a b!") }}'])
many("wrap", ['{{ wrap 10 "verylongwordthatexceeds the limit" }}', '{{ wrapWith 4 "|" "ab cd ef gh" }}'])
many("dateInZone", ['{{ dateInZone "MST" %s "Europe/Berlin" }}' % T, '{{ dateInZone "MST" %s "Asia/Kolkata" }}' % T,
                    '{{ dateInZone "MST" %s "America/Sao_Paulo" }}' % T])
many("title", ['{{ title "ǆemal" }}', '{{ upper "straße" }}', '{{ lower "İ" }}'])

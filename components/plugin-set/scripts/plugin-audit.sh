#!/bin/sh
# plugin-audit.sh: read-only audit of Docker CLI plugins, classified with the
# rules of docker/cli cli-plugins/manager (search order, name pattern, builtin
# clash, metadata call, SchemaVersion, Vendor; first candidate wins, the rest
# are shadowed). Changes nothing.
#
# Usage: DOCKER_CONFIG=DIR sh plugin-audit.sh [--format json|prom|tsv]
#   json (default): JSON array of {name, path, status, reason, version, vendor,
#                   shortDescription, kind}
#   prom:           node_exporter textfile-collector metrics
#   tsv:            status<TAB>path<TAB>name<TAB>reason<TAB>version (for the
#                   repair and install scripts; path raw, the rest JSON-escaped)
#   crosscheck:     compare with `docker info` (same dirs); prints differences,
#                   exit 0 when equal, 1 when not, 3 when docker is unavailable
# Environment:
#   DOCKER_CONFIG           client config dir (default: $HOME/.docker)
#   PLUGIN_SYSTEM_DIRS      colon-separated system plugin dirs (default: the
#                           four Linux dirs the Docker CLI searches)
#   PLUGIN_AUDIT_BUILTINS   space-separated builtin command names (default:
#                           the docker 28 top-level commands)
#   PLUGIN_AUDIT_ENGINE     auto|off: list engine-managed plugins when a daemon
#                           answers (default auto)
#   PLUGIN_AUDIT_TIMEOUT    seconds a metadata call may take (default 30)
set -u
# Word splitting on newlines only, never globbing (paths may hold * or ?); globs are enabled where meant.
set -f

FORMAT=json
while [ $# -gt 0 ]; do
  case "$1" in
    --format) FORMAT="${2:-}"; shift 2 || exit 2 ;;
    --format=*) FORMAT="${1#--format=}"; shift ;;
    -h|--help) sed -n '2,/^set -u/p' "$0" | grep '^#'; exit 0 ;;
    *) echo "plugin-audit: unknown argument: $1" >&2; exit 2 ;;
  esac
done
case "$FORMAT" in json|prom|tsv|crosscheck) ;; *) echo "plugin-audit: unknown format: $FORMAT" >&2; exit 2 ;; esac

CONFIG_DIR="${DOCKER_CONFIG:-${HOME:-/root}/.docker}"
SYSTEM_DIRS="${PLUGIN_SYSTEM_DIRS-/usr/local/lib/docker/cli-plugins:/usr/local/libexec/docker/cli-plugins:/usr/lib/docker/cli-plugins:/usr/libexec/docker/cli-plugins}"
BUILTINS="${PLUGIN_AUDIT_BUILTINS:-attach bake build builder checkpoint commit completion config container context cp create diff events exec export help history image images import info inspect kill load login logout logs manifest network node pause plugin port ps pull push rename restart rm rmi run save search secret service stack start stats stop swarm system tag top trust unpause update version volume wait}"
ENGINE="${PLUGIN_AUDIT_ENGINE:-auto}"
TIMEOUT="${PLUGIN_AUDIT_TIMEOUT:-30}"
US=$(printf '\037')
NL='
'

# Escapes stdin as the inside of a JSON string (no surrounding quotes).
json_escape() {
  LC_ALL=C awk 'BEGIN { for (i = 1; i < 32; i++) ctl[sprintf("%c", i)] = sprintf("\\u%04x", i); ctl["\t"] = "\\t"; ctl["\r"] = "\\r" }
    { line = $0; out = ""
      for (i = 1; i <= length(line); i++) { c = substr(line, i, 1)
        if (c == "\\") out = out "\\\\"; else if (c == "\"") out = out "\\\""; else if (c in ctl) out = out ctl[c]; else out = out c }
      printf "%s%s", (NR > 1 ? "\\n" : ""), out }'
}
esc() { printf '%s' "$1" | json_escape; }

# Reads a JSON document on stdin. Prints "ERR<TAB>message" when it is not a
# JSON object, else "KEY<TAB>value" for the requested top-level keys (matched
# case-insensitively, like encoding/json). String values are printed as raw
# JSON string content; array values print one "KEY[]<TAB>element" per string.
json_fields() {
  LC_ALL=C awk -v want="$1" '
    function ws() { while (pos <= n && index(" \t\r\n", substr(s, pos, 1)) > 0) pos++ }
    function str(   start, c) { pos++; start = pos
      while (pos <= n) { c = substr(s, pos, 1)
        if (c == "\\") { pos += 2; continue }
        if (c == "\"") { pos++; return substr(s, start, pos - start - 1) }
        pos++ }
      bad = 1; return "" }
    function skip(   c, depth) { c = substr(s, pos, 1)
      if (c == "\"") { str(); return "string" }
      if (c == "{" || c == "[") { depth = 0
        while (pos <= n) { c = substr(s, pos, 1)
          if (c == "\"") { str(); continue }
          if (c == "{" || c == "[") depth++
          if (c == "}" || c == "]") { depth--; if (depth == 0) { pos++; return (c == "}" ? "object" : "array") } }
          pos++ }
        bad = 1; return "" }
      if (substr(s, pos, 4) == "null") { pos += 4; return "null" }
      if (substr(s, pos, 4) == "true") { pos += 4; return "bool" }
      if (substr(s, pos, 5) == "false") { pos += 5; return "bool" }
      if (c ~ /[-0-9]/) { while (pos <= n && substr(s, pos, 1) ~ /[-+.eE0-9]/) pos++; return "number" }
      bad = 1; return "" }
    function qc(ch) { if (ch == "\n") return q "\\n" q; if (ch == "\t") return q "\\t" q; if (ch == "\r") return q "\\r" q
      if (ch == q) return q "\\" q q; if (ch in ord) return sprintf("%s\\x%02x%s", q, ord[ch], q); return q ch q }
    BEGIN { q = sprintf("%c", 39); for (i = 1; i < 32; i++) ord[sprintf("%c", i)] = i }
    { s = s $0 "\n" }
    END { n = length(s); pos = 1; bad = 0; split(want, w, ","); for (i in w) wanted[tolower(w[i])] = w[i]
      ws(); if (pos > n) { print "ERR\tunexpected end of JSON input"; exit }
      c = substr(s, pos, 1)
      if (c == "t" || c == "f" || c == "n") { lit = (c == "t" ? "true" : (c == "f" ? "false" : "null"))
        for (i = 2; i <= length(lit); i++) { ch = substr(s, pos + i - 1, 1)
          if (pos + i - 1 > n) { print "ERR\tunexpected end of JSON input"; exit }
          if (ch != substr(lit, i, 1)) { printf "ERR\tinvalid character %s in literal %s (expecting '\''%s'\'')\n", qc(ch), lit, substr(lit, i, 1); exit } }
        pos += length(lit); ws()
        if (pos <= n) { printf "ERR\tinvalid character %s after top-level value\n", qc(substr(s, pos, 1)); exit }
        if (lit != "null") print "ERR\tjson: cannot unmarshal bool into Go value of type metadata.Metadata"
        exit }
      if (c != "{") { t = skip(); if (bad || t == "") printf "ERR\tinvalid character %s looking for beginning of value\n", qc(c)
        else printf "ERR\tjson: cannot unmarshal %s into Go value of type metadata.Metadata\n", t; exit }
      pos++; ws(); nout = 0
      if (substr(s, pos, 1) == "}") pos++
      else while (1) { ws(); if (substr(s, pos, 1) != "\"") { bad = 1; if (pos <= n) keyerr = qc(substr(s, pos, 1)); break }
        key = str(); ws(); if (substr(s, pos, 1) != ":") { bad = 1; break }
        pos++; ws(); k = tolower(key)
        if (k in wanted) {
          c = substr(s, pos, 1)
          if (c == "\"") { out[wanted[k]] = str(); arr[wanted[k]] = "" }
          else if (c == "[") { pos++; ws(); list = ""
            while (substr(s, pos, 1) == "\"") { list = list wanted[k] "[]\t" str() "\n"; ws(); if (substr(s, pos, 1) == ",") { pos++; ws() } }
            if (substr(s, pos, 1) != "]") { bad = 1; break }
            pos++; arr[wanted[k]] = list; out[wanted[k]] = "" }
          else { t = skip(); if (t != "null") { typeerr = sprintf("json: cannot unmarshal %s into Go struct field Metadata.%s of type string", t, wanted[k]) } }
        } else skip()
        if (bad) break
        ws(); c = substr(s, pos, 1); pos++
        if (c == "}") break
        if (c != ",") { bad = 1; break } }
      if (!bad) { ws(); if (pos <= n) { printf "ERR\tinvalid character %s after top-level value\n", qc(substr(s, pos, 1)); exit } }
      if (bad && keyerr != "") { printf "ERR\tinvalid character %s looking for beginning of object key string\n", keyerr; exit }
      if (bad) { print "ERR\tmalformed JSON"; exit }
      if (typeerr != "") { print "ERR\t" typeerr; exit }
      for (k in out) { if (arr[k] != "") printf "%s", arr[k]; else printf "%s\t%s\n", k, out[k] } }'
}

field() { printf '%s\n' "$1" | sed -n "s/^$2	//p" | head -n 1; }

# Cleans a directory path the way filepath.Join does for our purposes.
clean_dir() { printf '%s' "$1" | sed -e 's#//*#/#g' -e 's#\(.\)/$#\1#'; }

host_elf_machines() {
  case "$(uname -m)" in
    x86_64|amd64) echo "3e 03" ;; aarch64|arm64) echo "b7 28" ;; armv7*|armv6*) echo "28" ;;
    i?86) echo "03" ;; riscv64) echo "f3" ;; ppc64le) echo "15" ;; s390x) echo "16" ;; *) echo "" ;;
  esac
}
HOST_MACHINES=$(host_elf_machines)

# Why execve(2) would refuse PATH, in Go's words, or nothing when it would run.
exec_error() {
  p=$1
  if [ ! -e "$p" ]; then echo "fork/exec $p: no such file or directory"; return; fi
  if [ -d "$p" ] || [ ! -x "$p" ]; then echo "fork/exec $p: permission denied"; return; fi
  if [ ! -r "$p" ]; then return; fi
  head_hex=$(od -An -tx1 -N20 "$p" 2>/dev/null | tr -d '\n' | sed 's/^ *//; s/  */ /g')
  case "$head_hex" in
    "23 21"*)
      interp=$(head -n 1 "$p" | sed 's/^#![ 	]*//; s/[ 	].*$//')
      if [ ! -e "$interp" ]; then echo "fork/exec $p: no such file or directory"
      elif [ -d "$interp" ] || [ ! -x "$interp" ]; then echo "fork/exec $p: permission denied"; fi ;;
    "7f 45 4c 46"*)
      machine=$(printf '%s\n' "$head_hex" | cut -d' ' -f19)
      if [ -n "$HOST_MACHINES" ] && ! printf ' %s ' "$HOST_MACHINES" | grep -q " $machine "; then echo "fork/exec $p: exec format error"; fi ;;
    *) echo "fork/exec $p: exec format error" ;;
  esac
}

run_metadata() {
  if command -v timeout >/dev/null 2>&1; then timeout -s KILL "$TIMEOUT" "$1" docker-cli-plugin-metadata </dev/null 2>/dev/null
  else "$1" docker-cli-plugin-metadata </dev/null 2>/dev/null; fi
}

is_builtin() { case " $BUILTINS " in *" $1 "*) return 0 ;; esac; return 1; }

RECORDS=""
# add_record status name path reason(json-escaped) version vendor description kind
add_record() {
  RECORDS="$RECORDS$1$US$2$US$3$US$4$US$5$US$6$US$7$US$8$NL"
}

# Classifies the winning candidate of a name, like manager.newPlugin.
classify() {
  name=$1 path=$2 ename=$(esc "$1")
  version="" vendor="" desc=""
  if ! printf '%s' "$name" | LC_ALL=C grep -Eq '^[a-z][a-z0-9]*$'; then
    add_record invalid "$ename" "$path" "plugin candidate \\\"$ename\\\" did not match \\\"^[a-z][a-z0-9]*\$\\\"" "" "" "" cli; return
  fi
  if is_builtin "$name"; then add_record invalid "$ename" "$path" "plugin \\\"$ename\\\" duplicates builtin command" "" "" "" cli; return; fi
  err=$(exec_error "$path")
  if [ -n "$err" ]; then add_record invalid "$ename" "$path" "failed to fetch metadata: $(esc "$err")" "" "" "" cli; return; fi
  meta=$(run_metadata "$path"); rc=$?
  if [ "$rc" -ne 0 ]; then
    if [ "$rc" -eq 137 ]; then why="signal: killed"; else why="exit status $rc"; fi
    add_record invalid "$ename" "$path" "failed to fetch metadata: $why" "" "" "" cli; return
  fi
  fields=$(printf '%s' "$meta" | json_fields "SchemaVersion,Vendor,Version,ShortDescription")
  jerr=$(field "$fields" ERR)
  if [ -n "$jerr" ]; then add_record invalid "$ename" "$path" "invalid metadata: $(esc "$jerr")" "" "" "" cli; return; fi
  schema=$(field "$fields" SchemaVersion); vendor=$(field "$fields" Vendor)
  version=$(field "$fields" Version); desc=$(field "$fields" ShortDescription)
  if [ "$schema" != "0.1.0" ]; then
    add_record invalid "$ename" "$path" "plugin SchemaVersion \\\"$schema\\\" is not valid, must be 0.1.0" "$version" "$vendor" "$desc" cli; return
  fi
  if [ -z "$vendor" ]; then add_record invalid "$ename" "$path" "plugin metadata does not define a vendor" "$version" "$vendor" "$desc" cli; return; fi
  add_record valid "$ename" "$path" "" "$version" "$vendor" "$desc" cli
}

# Search path, in the Docker CLI's order of preference.
DIRS=""
if [ -f "$CONFIG_DIR/config.json" ]; then
  extra=$(json_fields cliPluginsExtraDirs <"$CONFIG_DIR/config.json" | sed -n 's/^cliPluginsExtraDirs\[\]	//p' | sed 's#\\/#/#g; s#\\\\#\\#g')
  if [ -n "$extra" ]; then DIRS="$extra$NL"; fi
fi
DIRS="$DIRS$(clean_dir "$CONFIG_DIR/cli-plugins")$NL$(printf '%s' "$SYSTEM_DIRS" | tr ':' '\n')"

# Candidates: "name<US>dir-index<US>path", regular files and symlinks only.
CANDIDATES=""
index=0
OLDIFS=$IFS; IFS=$NL
for dir in $DIRS; do
  IFS=$OLDIFS; index=$((index + 1))
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then IFS=$NL; continue; fi
  dir=$(clean_dir "$dir")
  set +f
  for path in "$dir"/docker-*; do
    set -f
    if [ -L "$path" ] || { [ -f "$path" ] && [ ! -L "$path" ]; }; then
      case "$path" in *"$NL"*) continue ;; esac
      base=${path##*/}
      CANDIDATES="$CANDIDATES${base#docker-}$US$(printf '%04d' "$index")$US$path$NL"
    fi
  done
  set -f
  IFS=$NL
done
IFS=$OLDIFS

# Natural name order like the Docker CLI (sortorder.NaturalLess: digit runs compare as numbers and sort
# before other characters), then search-path order. The sort key is dropped after sorting.
SORTED=$(printf '%s' "$CANDIDATES" | LC_ALL=C awk -F "$US" '{ name = $1; key = ""
    while (name != "") {
      if (match(name, /^[0-9]+/)) { run = substr(name, 1, RLENGTH); name = substr(name, RLENGTH + 1)
        nz = run; sub(/^0+/, "", nz); key = key "0" sprintf("%04d", length(nz)) nz sprintf("%04d", length(run) - length(nz)) }
      else { key = key "1" substr(name, 1, 1); name = substr(name, 2) } }
    print key FS $0 }' | LC_ALL=C sort -t "$US" -k1,1 -k3,3 -s | cut -d "$US" -f 2-)
previous="" winner=""
OLDIFS=$IFS; IFS=$NL
for line in $SORTED; do
  IFS=$OLDIFS
  name=${line%%"$US"*}; path=${line##*"$US"}
  if [ "$name" = "$previous" ] && [ -n "$previous$winner" ]; then
    add_record shadowed "$(esc "$name")" "$path" "shadowed by $(esc "$winner")" "" "" "" cli
  else
    classify "$name" "$path"; previous=$name; winner=$path
  fi
  IFS=$NL
done
IFS=$OLDIFS

# Engine-managed plugins, when a daemon answers.
if [ "$ENGINE" = auto ] && command -v docker >/dev/null 2>&1; then
  if command -v timeout >/dev/null 2>&1; then t="timeout 10"; else t=""; fi
  engine=$($t docker plugin ls --no-trunc --format '{{.Name}}	{{.Enabled}}	{{.Description}}' 2>/dev/null) || engine=""
  OLDIFS=$IFS; IFS=$NL
  for line in $engine; do
    IFS=$OLDIFS
    ename=$(printf '%s' "$line" | cut -f1); enabled=$(printf '%s' "$line" | cut -f2); edesc=$(printf '%s' "$line" | cut -f3-)
    tag=${ename##*:}; [ "$tag" = "$ename" ] && tag=latest
    if [ "$enabled" = true ]; then st=valid why=""; else st=invalid why="engine plugin is disabled"; fi
    add_record "$st" "$(esc "${ename%:*}")" "engine:$ename" "$why" "$(esc "$tag")" "" "$(esc "$edesc")" engine
    IFS=$NL
  done
  IFS=$OLDIFS
fi

emit_json() {
  printf '['
  sep=""
  printf '%s' "$RECORDS" | while IFS="$US" read -r status name path reason version vendor desc kind; do
    printf '%s\n  {"name":"%s","path":"%s","status":"%s","reason":"%s","version":"%s","vendor":"%s","shortDescription":"%s","kind":"%s"}' \
      "$sep" "$name" "$(esc "$path")" "$status" "$reason" "$version" "$vendor" "$desc" "$kind"
    sep=","
  done
  printf '\n]\n'
}

# JSON-escaped text to a Prometheus label value (\\, \" and \n are shared).
prom_label() { printf '%s' "$1" | sed -e 's#\\/#/#g' -e 's#\\[trbf]# #g' -e 's#\\u[0-9a-fA-F]\{4\}#?#g'; }

emit_prom() {
  echo "# HELP docker_cli_plugin_info Docker CLI plugin candidate found by plugin-audit.sh, with its status."
  echo "# TYPE docker_cli_plugin_info gauge"
  printf '%s' "$RECORDS" | while IFS="$US" read -r status name path reason version vendor desc kind; do
    printf 'docker_cli_plugin_info{kind="%s",name="%s",path="%s",status="%s",version="%s"} 1\n' \
      "$kind" "$(prom_label "$name")" "$(prom_label "$(esc "$path")")" "$status" "$(prom_label "$version")"
  done
  echo "# HELP docker_cli_plugins_invalid Docker CLI plugins the Docker CLI reports as invalid."
  echo "# TYPE docker_cli_plugins_invalid gauge"
  echo "docker_cli_plugins_invalid $(printf '%s' "$RECORDS" | grep -c "^invalid$US")"
  echo "# HELP docker_cli_plugins_shadowed Docker CLI plugin candidates shadowed by an earlier directory."
  echo "# TYPE docker_cli_plugins_shadowed gauge"
  echo "docker_cli_plugins_shadowed $(printf '%s' "$RECORDS" | grep -c "^shadowed$US")"
}

emit_tsv() {
  printf '%s' "$RECORDS" | while IFS="$US" read -r status name path reason version vendor desc kind; do
    [ "$kind" = cli ] && printf '%s\t%s\t%s\t%s\t%s\n' "$status" "$path" "$name" "$reason" "$version"
  done
  return 0
}

# "path<TAB>status<TAB>reason" per CLI candidate, as this audit and as `docker info` see them.
cross_check() {
  command -v "${DOCKER_BIN:-docker}" >/dev/null 2>&1 || { echo "plugin-audit: docker CLI not found; no cross-check" >&2; return 3; }
  [ -z "${PLUGIN_SYSTEM_DIRS+x}" ] || echo "plugin-audit: PLUGIN_SYSTEM_DIRS is set; docker info still searches the default dirs" >&2
  theirs=$("${DOCKER_BIN:-docker}" info --format '{{range .ClientInfo.Plugins}}{{.Path}}{{"\t"}}{{if .Err}}invalid{{else}}valid{{end}}{{"\t"}}{{if .Err}}{{.Err}}{{end}}{{"\n"}}{{range .ShadowedPaths}}{{.}}{{"\t"}}shadowed{{"\t"}}{{"\n"}}{{end}}{{end}}' 2>/dev/null) ||
    { echo "plugin-audit: docker info failed; no cross-check" >&2; return 3; }
  a=$(printf '%s' "$RECORDS" | while IFS="$US" read -r status name path reason version vendor desc kind; do
    [ "$kind" = cli ] || continue
    [ "$status" = shadowed ] && reason=""
    printf '%s\t%s\t%s\n' "$(esc "$path")" "$status" "$reason"
  done | LC_ALL=C sort)
  b=$(printf '%s\n' "$theirs" | while IFS="$(printf '\t')" read -r path status reason; do
    [ -n "$path" ] && printf '%s\t%s\t%s\n' "$(esc "$path")" "$status" "$(esc "$reason")"
  done | LC_ALL=C sort)
  if [ "$a" = "$b" ]; then echo "plugin-audit: agrees with docker info ($(printf '%s\n' "$a" | grep -c .) candidates)"; return 0; fi
  A="$a" B="$b" awk 'BEGIN { n = split(ENVIRON["A"], x, "\n"); m = split(ENVIRON["B"], y, "\n")
    for (i = 1; i <= n; i++) ina[x[i]] = 1; for (i = 1; i <= m; i++) inb[y[i]] = 1
    for (i = 1; i <= n; i++) if (!(x[i] in inb)) print "audit only:       " x[i]
    for (i = 1; i <= m; i++) if (!(y[i] in ina)) print "docker info only: " y[i] }'
  return 1
}

case "$FORMAT" in
  json) emit_json ;;
  prom) emit_prom ;;
  tsv) emit_tsv ;;
  crosscheck) cross_check ;;
esac

#!/bin/sh
# Regenerates coalesce_cases.tsv from coalesce_cases.tsv.in with the real Helm 3.17.3:
# for each chart and flags, every chart's `{{ toJson .Values }}` line as Helm prints it.
set -e
cd "$(dirname "$0")"
H=$(/work/shared/tools/get-helm 3)
: > coalesce_cases.tsv
while IFS= read -r line; do
  chart=$(printf '%s' "$line" | cut -f1)
  flags=$(printf '%s' "$line" | cut -f2- -s)
  # shellcheck disable=SC2086
  out=$(cd ../charts && IFS='	' && $H template r "$chart" $flags 2>&1 | grep -v '^---$' | grep -v '^# Source' | sort | tr '\n' '|')
  printf '%s\t%s\n' "$line" "$out" >> coalesce_cases.tsv
done < coalesce_cases.tsv.in

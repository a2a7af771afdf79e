#!/usr/bin/env bash
# Checks that a real Neovim receives ringcfg's diagnostics over the language server.
#
# Starts Neovim headless on a temporary configuration with known mistakes,
# attaches `ringcfg lsp` to it, waits for diagnostics, and exits non-zero
# unless each expected `CODE:LINE` pair arrived. Works with Neovim 0.7
# (Debian 12's package, `vim.lsp.start_client`) and newer (`vim.lsp.start`).
#
# Usage: scripts/nvim-lsp-check.sh [path/to/ringcfg]
# Default binary: target/debug/ringcfg (build it first with `cargo build`).
set -euo pipefail

cd "$(dirname "$0")/.."
ringcfg=$(realpath "${1:-target/debug/ringcfg}")
timeout_seconds=${NVIM_CHECK_TIMEOUT:-30}

if ! command -v nvim >/dev/null; then
    echo "error: nvim not found: install Neovim (Debian: apt-get install neovim)" >&2
    exit 2
fi
if [ ! -x "$ringcfg" ]; then
    echo "error: $ringcfg is not an executable: run 'cargo build' or pass the binary's path" >&2
    exit 2
fi

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT

# Line 5 names an unknown code in a suppression comment (U002); line 8 sets
# the size after the backing file, which HAProxy rejects.
cat >"$workdir/haproxy.cfg" <<'CFG'
global
    log ring@r1 local0

ring r1
    format raw   # ringcfg: ignore=no-such-rule
    description "nvim check"
    backing-file /dev/shm/ringcfg-nvim-check.bin
    size 65536
CFG
expected="U002:5 R006:8"

cat >"$workdir/check.lua" <<'LUA'
local ringcfg = os.getenv("RINGCFG_BIN")
local expected = os.getenv("EXPECTED")
local wait_ms = tonumber(os.getenv("WAIT_MS"))
local bufnr = vim.api.nvim_get_current_buf()
local config = {
  name = "ringcfg",
  cmd = { ringcfg, "lsp" },
  root_dir = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ":h"),
}

local function finish(code, message)
  io.stderr:write(message .. "\n")
  vim.cmd((code == 0) and "qall!" or ("cquit " .. code))
end

local client_id
if vim.lsp.start then
  client_id = vim.lsp.start(config)
else
  client_id = vim.lsp.start_client(config)
  if client_id then
    vim.lsp.buf_attach_client(bufnr, client_id)
  end
end
if not client_id then
  finish(1, "error: Neovim could not start '" .. ringcfg .. " lsp'")
  return
end

local function code_of(diagnostic)
  if diagnostic.code then
    return tostring(diagnostic.code)
  end
  local lsp = diagnostic.user_data and diagnostic.user_data.lsp
  return lsp and lsp.code and tostring(lsp.code) or "?"
end

local function received()
  local pairs_seen = {}
  for _, diagnostic in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(pairs_seen, code_of(diagnostic) .. ":" .. (diagnostic.lnum + 1))
  end
  table.sort(pairs_seen)
  return pairs_seen
end

local function has_all()
  local seen = table.concat(received(), " ")
  for want in expected:gmatch("%S+") do
    if not (" " .. seen .. " "):find(" " .. want .. " ", 1, true) then
      return false
    end
  end
  return true
end

local ok = vim.wait(wait_ms, has_all, 50)
local summary = table.concat(received(), " ")
vim.lsp.stop_client(client_id)
vim.wait(2000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
if ok then
  finish(0, "ok: Neovim received " .. summary)
else
  finish(1, "error: expected " .. expected .. " within " .. wait_ms .. " ms, received: [" .. summary .. "]")
end
LUA

# `timeout` bounds the whole run, in case Neovim itself hangs; the Lua side
# gives up earlier and reports what it received.
RINGCFG_BIN="$ringcfg" EXPECTED="$expected" WAIT_MS=$(((timeout_seconds - 5) * 1000)) \
    timeout "$timeout_seconds" nvim --headless --clean -n \
    -c "luafile $workdir/check.lua" "$workdir/haproxy.cfg"

#!/usr/bin/env bash
# Installs the coding agents that tests/LlmMux.Tests/Agents drives through `llm-mux serve` (Claude Code, Codex CLI,
# Gemini CLI), at the versions package-lock.json pins, into tests/agents/node_modules (git-ignored).
# The tests run this themselves, so `dotnet test` on a fresh clone needs no manual step; a second run with the same
# lock file returns at once. Needs node and npm, and the npm registry.
set -euo pipefail
cd "$(dirname "$0")"

lock="$(sha256sum package-lock.json | cut -d' ' -f1)"
stamp=node_modules/.llm-mux-installed

# One install at a time: test processes of two runs may start together.
exec 9>.install.lock
flock 9

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock" ]; then
  exit 0
fi

rm -f "$stamp"
npm ci --no-audit --no-fund --loglevel=error

# Claude Code's postinstall puts the native binary in place of bin/claude.exe; an npm that skips install scripts
# leaves the placeholder, so run it here when the binary does not answer.
if ! node_modules/.bin/claude --version > /dev/null 2>&1; then
  (cd node_modules/@anthropic-ai/claude-code && node install.cjs)
fi

probe="$(mktemp -d)"
trap 'rm -rf "$probe"' EXIT
for agent in claude codex gemini; do
  version="$(HOME="$probe" node_modules/.bin/$agent --version 2>/dev/null | head -n 1)" || {
    echo "$agent does not run after install" >&2
    exit 1
  }
  echo "$agent $version"
done

echo "$lock" > "$stamp"

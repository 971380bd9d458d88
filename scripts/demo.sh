#!/usr/bin/env bash
# make demo: the provider against a stand-in ServiceTitan on a loopback port.
# Nothing is downloaded and nothing is written outside a temporary directory
# (which is removed at the end) but Go's build cache.
set -euo pipefail

: "${TF_CLI:?TF_CLI must name the terraform or tofu binary}"
command -v curl >/dev/null || { echo "make demo needs curl to call the stand-in's jobs route" >&2; exit 1; }

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/servicetitan-demo.XXXXXX")
stand_in_pid=""
cleanup() {
  if [[ -n "$stand_in_pid" ]]; then kill "$stand_in_pid" 2>/dev/null || true; wait "$stand_in_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "==> building the provider"
(cd "$root" && go build -ldflags "${LDFLAGS:-}" -o "$work/provider/terraform-provider-servicetitan" .)

echo "==> building the stand-in ServiceTitan"
(cd "$root" && go build -o "$work/servicetitan-standin" ./cmd/servicetitan-standin)

"$work/servicetitan-standin" -url-file "$work/url" >"$work/stand-in.out" 2>"$work/stand-in.log" &
stand_in_pid=$!
for _ in $(seq 100); do [[ -s "$work/url" ]] && break; sleep 0.1; done
[[ -s "$work/url" ]] || { echo "the stand-in did not start:" >&2; cat "$work/stand-in.log" >&2; exit 1; }
url=$(cat "$work/url")
echo "    listening on $url"

# A CLI configuration of our own: the provider comes from the build, every
# other provider would come from nowhere, and the user's own ~/.terraformrc
# is left alone.
(cd "$root" && go run ./internal/acctest/cliconfig "$work/provider") >"$work/cli.tfrc"
mkdir "$work/demo"
cp "$root"/examples/demo/*.tf "$work/demo/"
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
unset TF_LOG TF_LOG_PATH TF_LOG_PROVIDER TF_LOG_CORE
for v in $(env | grep -o '^SERVICETITAN_[A-Z_]*' || true); do unset "$v"; done

echo "==> $("$TF_CLI" version | head -n 1): apply examples/demo"
if ! (cd "$work/demo" && "$TF_CLI" apply -auto-approve -no-color -input=false \
  -var "stand_in_url=$url" -var "jobs_file=$work/jobs.json" >"$work/apply.log" 2>&1); then
  cat "$work/apply.log" >&2
  exit 1
fi

echo
echo "==> outputs"
(cd "$work/demo" && "$TF_CLI" output -no-color)

echo
echo "==> the stand-in's jobs route, called with the ephemeral token's headers"
if command -v python3 >/dev/null; then python3 -m json.tool "$work/jobs.json"; else cat "$work/jobs.json"; echo; fi

echo
echo "==> what the stand-in saw"
curl --silent --show-error "$url/_stand-in/stats"
echo
echo "    (terraform apply runs the provider in a plan process and an apply process; each asks for one token,"
echo "     however many data sources and ephemeral resources share its configuration)"

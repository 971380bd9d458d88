#!/usr/bin/env bash
# Runs `terraform test` (or `tofu test`) over every example under
# examples/tests/, the way the testing guide tells users to, with a freshly
# built provider (through dev_overrides) and servicetitan-standin.
#
# Every directory of .tftest.hcl files in an example (tests/ and any other)
# is one suite. Comment lines in its test files say how to run it:
#
#   # Stand-in: servicetitan-standin FLAGS   start a stand-in with FLAGS and
#                                            point SERVICETITAN_*_ROOT_URL at it
#   # Needs: Terraform X.Y, OpenTofu X.Y (why)
#                                            skip on older CLIs, saying why
#   # Skip unless set: VAR...                skip, saying why, unless every
#                                            SERVICETITAN_INTEGRATION_X is set,
#                                            and pass each to the CLI as
#                                            SERVICETITAN_X
#   # Must fail with: TEXT                   the suite must fail, and its
#                                            diagnostics must contain TEXT
#
# Nothing is downloaded and nothing is written outside a temporary directory.
# The script fails when any suite fails.
set -euo pipefail

: "${TF_CLI:?TF_CLI must name the terraform or tofu binary}"
command -v curl >/dev/null || { echo "the examples under examples/tests call the stand-in with curl; install curl" >&2; exit 1; }

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/servicetitan-example-tests.XXXXXX")
stand_in_pid=""
stop_stand_in() {
  [[ -n "$stand_in_pid" ]] || return 0
  local pid=$stand_in_pid status=0
  stand_in_pid=""
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" || status=$?
  exec 3<&-
  return "$status"
}
cleanup() {
  stop_stand_in || true
  rm -rf "$work"
}
trap cleanup EXIT

# The provider's own variables are cleared, so that a developer's settings
# cannot leak into a suite; SERVICETITAN_INTEGRATION_* are not the provider's
# and stay for the suites that ask for them.
for v in $(env | grep -o '^SERVICETITAN_[A-Z_]*' | grep -v '^SERVICETITAN_INTEGRATION_' || true); do unset "$v"; done
unset TF_LOG TF_LOG_PATH TF_LOG_PROVIDER TF_LOG_CORE

mkdir -p "$work/bin"
(cd "$root" && go build -o "$work/bin/terraform-provider-servicetitan" . && go build -o "$work/servicetitan-standin" ./cmd/servicetitan-standin)
cat >"$work/cli.tfrc" <<RC
provider_installation {
  dev_overrides {
    "servicetitan-tf/servicetitan" = "$work/bin"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

# sed, not head: head would leave the CLI writing into a closed pipe, and
# pipefail would make that an error.
cli_line=$("$TF_CLI" version | sed -n 1p)
case "$cli_line" in
  "Terraform v"*) cli_name=Terraform ;;
  "OpenTofu v"*) cli_name=OpenTofu ;;
  *) echo "cannot tell which CLI $TF_CLI is from: $cli_line" >&2; exit 1 ;;
esac
cli_version=${cli_line#* v}
cli_version=${cli_version%%[-+ ]*}
echo "examples/tests with $cli_name $cli_version"

# version_at_least A B: A >= B for dotted version numbers.
version_at_least() {
  [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -t. -k1,1n -k2,2n -k3,3n | sed -n 1p)" == "$2" ]]
}

# directive NAME FILES...: the values of every "# NAME: value" line.
directive() {
  local name=$1; shift
  sed -n "s/^# $name: *//p" "$@"
}

if ! version_at_least "$cli_version" 1.6; then
  echo "skip examples/tests: the test command arrived in Terraform 1.6 and OpenTofu 1.6, this is $cli_name $cli_version"
  exit 0
fi

passed=0 failed=0 skipped=0
run_suite() {
  local example=$1 suite=$2
  local label="examples/tests/$example ($suite/)"
  local files=("$root/examples/tests/$example/$suite"/*.tftest.hcl)

  local needs reason min
  needs=$(directive Needs "${files[@]}" | sed -n 1p)
  if [[ -n "$needs" ]]; then
    reason=$(sed -n 's/.*(\(.*\)).*/\1/p' <<<"$needs")
    min=$(sed -n "s/.*$cli_name \([0-9][0-9.]*\).*/\1/p" <<<"$needs")
    if [[ -n "$min" ]] && ! version_at_least "$cli_version" "$min"; then
      echo "skip $label: needs $cli_name $min for ${reason:-its features}, this is $cli_version"
      skipped=$((skipped + 1)); return 0
    fi
  fi
  local required var missing=() env=()
  required=$(directive "Skip unless set" "${files[@]}")
  for var in $required; do
    if [[ "$var" != SERVICETITAN_INTEGRATION_* ]]; then
      echo "FAIL $label: Skip unless set names $var; only SERVICETITAN_INTEGRATION_* variables are passed on"
      failed=$((failed + 1)); return 0
    fi
    if [[ -z "${!var:-}" ]]; then
      missing+=("$var")
    else
      env+=("SERVICETITAN_${var#SERVICETITAN_INTEGRATION_}=${!var}")
    fi
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    echo "skip $label: ${missing[*]} not set (the credentials of an app in ServiceTitan's integration environment)"
    skipped=$((skipped + 1)); return 0
  fi

  local dir="$work/run/$example-$suite"
  mkdir -p "$dir"
  (cd "$root/examples/tests/$example" && tar --exclude=.terraform --exclude='*.tfstate*' -cf - .) | (cd "$dir" && tar -xf -)

  local flags
  flags=$(directive Stand-in "${files[@]}" | sed -n 1p)
  if [[ -n "$flags" ]]; then
    [[ "$flags" == servicetitan-standin* ]] || { echo "FAIL $label: the Stand-in line must start with servicetitan-standin: $flags"; failed=$((failed + 1)); return 0; }
    # A FIFO, so the URL is read from the first line of stdout as the guide
    # shows, without polling.
    rm -f "$work/url.fifo"; mkfifo "$work/url.fifo"
    # shellcheck disable=SC2086 # the flags are words, as on a command line
    "$work/servicetitan-standin" ${flags#servicetitan-standin} >"$work/url.fifo" 2>"$dir.stand-in.log" &
    stand_in_pid=$!
    exec 3<"$work/url.fifo"
    local url=""
    if ! read -r -t 15 url <&3 || [[ "$url" != http://127.0.0.1:* ]]; then
      echo "FAIL $label: the stand-in ($flags) printed no URL:"; cat "$dir.stand-in.log"
      stop_stand_in || true
      failed=$((failed + 1)); return 0
    fi
    env+=("SERVICETITAN_AUTH_ROOT_URL=$url" "SERVICETITAN_API_ROOT_URL=$url")
  fi

  local status=0
  (cd "$dir" && env ${env[@]+"${env[@]}"} "$TF_CLI" test -no-color -test-directory="$suite") >"$dir.out" 2>&1 || status=$?
  local stand_in_status=0
  stop_stand_in || stand_in_status=$?

  local musts problem=""
  musts=$(directive "Must fail with" "${files[@]}")
  if [[ -n "$musts" ]]; then
    if [[ $status -eq 0 ]]; then
      problem="passed, but must fail"
    else
      # Diagnostics are wrapped to the terminal width: compare with the
      # whitespace collapsed.
      local flat
      flat=$(tr -s ' \n' '  ' <"$dir.out")
      while IFS= read -r text; do
        grep -qF -- "$text" <<<"$flat" || problem="${problem:+$problem; }the diagnostics lack \"$text\""
      done <<<"$musts"
    fi
  elif [[ $status -ne 0 ]]; then
    problem="$TF_CLI test exited with status $status"
  fi
  if [[ $stand_in_status -ne 0 ]]; then
    problem="${problem:+$problem; }the stand-in exited with status $stand_in_status on SIGTERM"
  fi

  if [[ -n "$problem" ]]; then
    echo "FAIL $label: $problem"
    sed 's/^/    /' "$dir.out"
    [[ ! -s "$dir.stand-in.log" ]] || { echo "    stand-in log:"; sed 's/^/    /' "$dir.stand-in.log"; }
    failed=$((failed + 1))
  else
    echo "ok   $label: $(grep -E '^(Success|Failure)!' "$dir.out" | tail -n 1)${musts:+ (failed as it must)}"
    passed=$((passed + 1))
  fi
}

for example_dir in "$root"/examples/tests/*/; do
  example=$(basename "$example_dir")
  for suite_dir in "$example_dir"*/; do
    compgen -G "$suite_dir*.tftest.hcl" >/dev/null || continue
    run_suite "$example" "$(basename "$suite_dir")"
  done
done

echo "examples/tests with $cli_name $cli_version: $passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]

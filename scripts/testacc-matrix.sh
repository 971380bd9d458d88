#!/usr/bin/env bash
# make testacc-matrix: the acceptance suite under every CLI version the
# provider promises and CI proves. Each leg runs through its own make target,
# so whatever that target adds is part of the leg. A test of a feature the
# CLI lacks skips and says which version it needs; the leg of the current
# Terraform release must skip nothing but the live test.
set -uo pipefail

: "${MAKE:?MAKE must name make}"
: "${TERRAFORM:?TERRAFORM must name the current Terraform release}"
: "${TERRAFORM_OLDEST:?TERRAFORM_OLDEST must name the oldest Terraform release supported}"
: "${TOFU:?TOFU must name the OpenTofu binary}"
: "${TOFU_OLDEST:?TOFU_OLDEST must name the oldest OpenTofu release supported}"
logs=${MATRIX_LOGS:-bin/testacc-matrix}
mkdir -p "$logs"

# The tests that may skip under every CLI: they need real credentials.
allowed_skip='TestAccLiveIntegrationEnvironment\|TestAccExampleSuites/stand-in/integration'

summary=()
failed=0

# leg NAME CLI MUST_NOT_SKIP MAKE-ARGS...
leg() {
  local name=$1 cli=$2 strict=$3
  shift 3
  local log="$logs/$name.log" version
  version=$("$cli" version 2>/dev/null | grep -m 1 -E "^(Terraform|OpenTofu) v")
  echo "==> $name: $version at $cli (log: $log)"
  "$MAKE" --no-print-directory "$@" >"$log" 2>&1
  local status=$?
  local pass skip fail unexpected
  pass=$(grep -cE '^\s*--- PASS' "$log")
  skip=$(grep -cE '^\s*--- SKIP' "$log")
  fail=$(grep -cE '^\s*--- FAIL' "$log")
  # Why tests skipped, as acctest words it for a feature the CLI lacks.
  grep -oE '[a-z-]+( [a-z-]+)* need Terraform [0-9.]+ or OpenTofu [0-9.]+ or later' "$log" | sort | uniq -c |
    sed -E 's/^ *([0-9]+) (.*)/    \1 skipped: \2/'
  unexpected=$(grep -E '^\s*--- SKIP' "$log" | grep -v "$allowed_skip" || true)
  if [[ $status -eq 0 && $strict == yes && -n $unexpected ]]; then
    echo "    $version is the current-release leg, where only $allowed_skip may skip:" >&2
    echo "$unexpected" | sed 's/^/    /' >&2
    status=1
  fi
  # The test binary says which CLI it drove: it must be the one this leg names.
  local drove
  drove=$(grep -m 1 -E '^acceptance tests drive ' "$log" | sed -E 's/^acceptance tests drive (.*) at .*/\1/')
  if [[ $status -eq 0 && "$drove" != "${version/ v/ }" ]]; then
    echo "    the tests drove '${drove:-an unknown CLI}', not $version" >&2
    status=1
  fi
  if [[ $status -eq 0 && $pass -eq 0 ]]; then
    echo "    no test ran: $log holds no test results" >&2
    status=1
  fi
  if [[ $status -ne 0 ]]; then
    failed=1
    grep -E '^\s*--- FAIL' "$log" | sed 's/^/    /'
    echo "    last lines of $log:"
    tail -n 40 "$log" | sed 's/^/    | /'
  fi
  local result=ok
  [[ $status -eq 0 ]] || result=FAILED
  summary+=("$(printf '%-18s %-20s %3d passed %3d skipped %3d failed  %s' "$name" "${drove:-$version}" "$pass" "$skip" "$fail" "$result")")
}

leg terraform "$TERRAFORM" yes testacc TF_ACC_TERRAFORM_PATH="$TERRAFORM"
leg terraform-oldest "$TERRAFORM_OLDEST" no testacc TF_ACC_TERRAFORM_PATH="$TERRAFORM_OLDEST"
leg opentofu "$TOFU" no testacc-tofu TOFU="$TOFU" TESTACC_FLAGS=-v
leg opentofu-oldest "$TOFU_OLDEST" no testacc-tofu-oldest TOFU_OLDEST="$TOFU_OLDEST" TESTACC_FLAGS=-v

echo
echo "==> acceptance tests by CLI (pass and skip counts include subtests)"
printf '    %s\n' "${summary[@]}"
exit "$failed"

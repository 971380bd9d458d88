#!/usr/bin/env bash
# Each run of the incremental export: start from where the last run
# stopped, or from the beginning on the first run. `terraform output -json`
# fails while no state holds the output, so the first run writes nothing
# and reads everything; later runs hand the last continue_from back
# through a variables file that Terraform loads by itself.
set -euo pipefail
if from=$(terraform output -json jobs_continue_from 2>/dev/null); then
  printf '{"jobs_continue_from": %s}\n' "$from" > continue-from.auto.tfvars.json
fi
terraform apply -auto-approve -input=false

#!/usr/bin/env bash
# make release-check, once .goreleaser.yml is validated and narrowed: builds a
# snapshot release with signing on, as release.yml signs a real one, and
# checks it the way the Terraform and OpenTofu registries check a release:
#
#   - SHA256SUMS.sig is a good signature of SHA256SUMS by the key the
#     registry knows. Here that is a throwaway RSA key: its public half alone
#     is imported into a second, empty keyring, which verifies the signature.
#   - every file SHA256SUMS lists (the zips and the manifest) has the digest
#     it states, and the release has the registries' layout
#     (tools/goreleaser/verify).
#
# Both keyrings live in a temporary GNUPGHOME, removed on exit with the
# gpg-agent it started; the user's own keyring is never read or written.
#
# Environment: GORELEASER (the goreleaser binary), CONFIG (the narrowed
# .goreleaser.yml).
set -euo pipefail

: "${GORELEASER:?GORELEASER must name the goreleaser binary}"
: "${CONFIG:?CONFIG must name the goreleaser configuration to build}"
command -v gpg >/dev/null || {
  echo "make release-check signs the snapshot with gpg, as a release is signed, and gpg is not on PATH: install gnupg (Debian and Ubuntu: apt-get install gnupg)" >&2
  exit 1
}

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/servicetitan-release-check.XXXXXX")
cleanup() {
  local home
  for home in "$work/signer" "$work/registry"; do
    if [[ -d $home ]]; then
      GNUPGHOME=$home gpgconf --kill all >/dev/null 2>&1 || true
    fi
  done
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -m 700 "$work/signer" "$work/registry"

# The signer: a key without a passphrase, so that goreleaser's
# `gpg --batch --local-user $GPG_FINGERPRINT --detach-sign` runs unattended.
# RSA, because the Terraform Registry accepts RSA and DSA keys only.
export GNUPGHOME=$work/signer
gpg --batch --quiet --passphrase '' \
  --quick-gen-key 'terraform-provider-servicetitan release-check <release-check@example.invalid>' rsa3072 sign never
GPG_FINGERPRINT=$(gpg --batch --quiet --with-colons --list-secret-keys | awk -F: '$1 == "fpr" { print $10; exit }')
[[ $GPG_FINGERPRINT =~ ^[0-9A-F]{40}$ ]] || { echo "could not read the throwaway key's fingerprint" >&2; exit 1; }
export GPG_FINGERPRINT
gpg --batch --armor --export "$GPG_FINGERPRINT" >"$work/public-key.asc"
echo "release-check signs with the throwaway key $GPG_FINGERPRINT"

cd "$root"
"$GORELEASER" release --config "$CONFIG" --snapshot --clean

# The registry: the public key and nothing else.
sums=(dist/*_SHA256SUMS)
[[ ${#sums[@]} -eq 1 && -f ${sums[0]} ]] || { echo "want exactly one *_SHA256SUMS in dist/, found: ${sums[*]}" >&2; exit 1; }
[[ -f ${sums[0]}.sig ]] || { echo "${sums[0]}.sig is missing: goreleaser did not sign ${sums[0]}" >&2; exit 1; }
GNUPGHOME=$work/registry gpg --batch --quiet --import "$work/public-key.asc"
# Knowing the key is all the trust a registry has in it.
echo "$GPG_FINGERPRINT:6:" | GNUPGHOME=$work/registry gpg --batch --quiet --import-ownertrust
if ! status=$(GNUPGHOME=$work/registry gpg --batch --quiet --status-fd 1 --verify "${sums[0]}.sig" "${sums[0]}"); then
  echo "${sums[0]}.sig is not a good signature of ${sums[0]} by $GPG_FINGERPRINT: a registry would refuse this release" >&2
  exit 1
fi
grep -q "^\[GNUPG:\] VALIDSIG $GPG_FINGERPRINT " <<<"$status" || {
  echo "${sums[0]}.sig is not signed by $GPG_FINGERPRINT" >&2
  exit 1
}

# The digests of everything SHA256SUMS lists, and the layout.
cd tools/goreleaser
go run ./verify "$root/dist" "$root/terraform-registry-manifest.json"

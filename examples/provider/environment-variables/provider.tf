# With every setting in SERVICETITAN_* environment variables (see
# environment.sh), the provider block stays empty. Keep it: without it, a bad
# setting is reported only after a misleading "Invalid provider
# configuration ... requires explicit configuration".
provider "servicetitan" {}

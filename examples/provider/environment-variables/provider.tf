# With every setting in SERVICETITAN_* environment variables (see
# environment.sh), the provider block can stay empty, or be left out.
provider "servicetitan" {}

# Every setting comes from SERVICETITAN_* environment variables. Keep this
# empty block: without it, a bad setting is reported only after a misleading
# "Invalid provider configuration ... requires explicit configuration".
provider "servicetitan" {}

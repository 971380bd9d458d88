# This directory is a whole configuration: copied on its own, it names its
# providers by their source addresses. Without this block the CLI would look
# for hashicorp/servicetitan, which does not exist.
terraform {
  required_providers {
    servicetitan = {
      source = "servicetitan-tf/servicetitan"
    }
  }
}

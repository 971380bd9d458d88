# Reads the settings from a servicepytan-format config file (see
# servicetitan.json), so one file of credentials serves both Python scripts
# and Terraform. Keep the file out of version control.
#
# Attributes set in this block win over the file, and the file wins over
# SERVICETITAN_* environment variables.
provider "servicetitan" {
  config_file = pathexpand(var.servicetitan_config_file)
}

variable "servicetitan_config_file" {
  description = "Path to a servicepytan-format JSON config file."
  type        = string
  default     = "~/.config/servicetitan/credentials.json"
}

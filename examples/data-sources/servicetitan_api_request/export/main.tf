# An incremental export: the first run reads every job, and each later run
# only what changed since the last, by starting from the continue_from
# that the last run output (terraform output -raw jobs_continue_from).
variable "jobs_continue_from" {
  description = "continue_from of the last run; null for a full export."
  type        = string
  default     = null
}

data "servicetitan_api_request" "jobs" {
  folder    = "jpm"
  endpoint  = "export/jobs"
  all_pages = true
  from      = var.jobs_continue_from
}

output "changed_job_ids" {
  value = [for job in jsondecode(data.servicetitan_api_request.jobs.items_json) : job.id]
}

output "jobs_continue_from" {
  value = data.servicetitan_api_request.jobs.continue_from
}

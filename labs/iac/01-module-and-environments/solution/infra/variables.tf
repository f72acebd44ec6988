variable "environment" {
  type        = string
  description = "dev or prod; set it in environments/<env>.tfvars."

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment must be \"dev\" or \"prod\"."
  }
}

variable "replicas" {
  type        = number
  description = "Model API pods in this environment."

  validation {
    condition     = var.replicas >= 1 && var.replicas <= 10
    error_message = "replicas must be from 1 to 10."
  }
}

variable "image" {
  type        = string
  description = "The model API image with its version tag."
}

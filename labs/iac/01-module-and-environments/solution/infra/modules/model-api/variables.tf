variable "environment" {
  type        = string
  description = "Which environment this copy of the model API is for."

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment must be \"dev\" or \"prod\"."
  }
}

variable "replicas" {
  type        = number
  description = "How many model API pods to run."

  validation {
    condition     = var.replicas >= 1 && var.replicas <= 10 && floor(var.replicas) == var.replicas
    error_message = "replicas must be a whole number from 1 to 10."
  }
}

variable "image" {
  type        = string
  description = "The model API image, with a version tag (never latest)."

  validation {
    condition     = can(regex(":[0-9A-Za-z._-]+$", var.image)) && !endswith(var.image, ":latest")
    error_message = "image must carry a version tag such as mlops-lab/model-api:1.0.0 (not :latest)."
  }
}

variable "labels" {
  type        = map(string)
  description = "Extra labels for every object (team, cost centre)."
  default     = {}
}

variable "namespace" {
  type        = string
  description = "Your lab namespace; `mlops-lab start` wrote it into terraform.tfvars."
}

variable "replicas" {
  type        = number
  description = "Model API pods."
  default     = 2

  validation {
    condition     = var.replicas >= 1 && var.replicas <= 10
    error_message = "replicas must be from 1 to 10."
  }
}

variable "model_version" {
  type        = string
  description = "The model the API serves, passed to it through a ConfigMap."
  default     = "1"
}
